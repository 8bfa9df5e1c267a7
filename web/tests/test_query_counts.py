"""Each page costs at most two queries more than the API requests it stands for (the session
and the user), and the same number for a team of 5 and of 120 (spec/web.md → Fast)."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import User
from conftest import make_persona
from practice.models import PracticeLog
from practice.tests.factories import AssignmentFactory
from teams.models import Membership, Role
from teams.tests.factories import CycleFactory, TeamFactory
from tickets.models import TicketActivity
from tickets.tests.factories import TicketFactory
from web.tests.conftest import session_client

SECTIONS = ["Soprano", "Alto", "Tenor", "Bass"]


def build(size: int) -> dict:
    team = TeamFactory(timezone="Europe/Berlin")
    member = make_persona(team, section="Soprano", display_name="Member")
    leader = make_persona(team, role=Role.SECTION_LEADER, section="Soprano")
    cycle = CycleFactory(team=team, date=timezone.now().date() + datetime.timedelta(days=3))
    CycleFactory(team=team, date=timezone.now().date() - datetime.timedelta(days=4))
    users = User.objects.bulk_create(
        [
            User(email=f"{team.pk}-{i}@example.com", display_name=f"Singer {i}", password="!")
            for i in range(size - 2)
        ]
    )
    Membership.objects.bulk_create(
        [Membership(team=team, user=u, section=SECTIONS[i % 4]) for i, u in enumerate(users)]
    )
    everyone = [member.user, leader.user, *users]
    now = timezone.now()
    PracticeLog.objects.bulk_create(
        [
            PracticeLog(
                user=u,
                team=team,
                cycle=cycle,
                duration_minutes=20,
                occurred_at=now - datetime.timedelta(days=d),
            )
            for u in everyone
            for d in (0, 3, 8)
        ]
    )
    for i, u in enumerate(everyone[: size // 2]):
        TicketFactory(cycle=cycle, created_by=u, section=SECTIONS[i % 4], visibility="TEAM")
        TicketFactory(
            cycle=cycle, created_by=leader.user, owner=None, claimable=True, visibility="TEAM"
        )
    for _ in range(size // 10 + 1):
        AssignmentFactory(cycle=cycle, scope="TEAM")
    ticket = TicketFactory(cycle=cycle, created_by=member.user, title="Member's own")
    for n in range(size // 5):
        TicketActivity.objects.create(ticket=ticket, user=everyone[n], type="COMMENT", content="hi")
    PracticeLog.objects.bulk_create(
        [
            PracticeLog(
                user=member.user, team=team, cycle=cycle, duration_minutes=5, occurred_at=now
            )
            for _ in range(size // 5)
        ]
    )
    return {"team": team, "member": member, "cycle": cycle, "ticket": ticket}


def count(call) -> int:  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as queries:
        response = call()
    assert response.status_code == 200, getattr(response, "content", b"")[:500]
    return len(queries)


def api_twin(scene: dict, page: str) -> int:
    api = scene["member"].client
    team, cycle, ticket = scene["team"].pk, scene["cycle"].pk, scene["ticket"].pk
    calls = {
        "week": [
            f"/teams/{team}/dashboards/member",
            f"/teams/{team}/tickets?owner=me",
            f"/teams/{team}/catch-up",
        ],
        "tickets": [
            f"/teams/{team}/cycles",
            f"/teams/{team}/cycles/active",
            f"/cycles/{cycle}/tickets",
        ],
        "ticket": [f"/tickets/{ticket}", f"/tickets/{ticket}/activity"],
        "practice": [f"/teams/{team}/practice-logs"],
        "assignments": [f"/teams/{team}/cycles/active", f"/cycles/{cycle}/assignments"],
    }[page]
    return sum(count(lambda url=url: api.get(url)) for url in calls)


PAGES = {
    "week": "/app/t/{team}/",
    "tickets": "/app/t/{team}/tickets",
    "ticket": "/app/tickets/{ticket}",
    "practice": "/app/t/{team}/practice",
    "assignments": "/app/t/{team}/assignments",
}


@pytest.mark.parametrize("page", PAGES)
def test_pages_cost_at_most_two_queries_more_than_their_api_twin(db, page):
    counts = []
    for size in (5, 120):
        scene = build(size)
        client = session_client(scene["member"])
        url = PAGES[page].format(team=scene["team"].pk, ticket=scene["ticket"].pk)
        client.get(url)  # warm: the first request of a process loads nothing per page
        web = count(lambda: client.get(url))
        twin = api_twin(scene, page)
        assert web <= twin + 2, (page, size, web, twin)
        counts.append(web)
    assert counts[0] == counts[1], (page, counts)
