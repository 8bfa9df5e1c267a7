"""The leaders' pages cost at most two queries more than the API requests they stand for (the
session and the user), and the same number for a team of 5 and of 120 (spec/web.md → Fast).

The API twin of a page is the sum of the requests a client would make for the same content:
e.g. the Section overview is ``GET /dashboards/leader`` plus ``GET /dashboards/leader/outcomes``.
"""

from __future__ import annotations

import pytest
from django.utils import timezone

from conftest import make_persona
from practice.tests.factories import AssignmentFactory
from teams.models import Role
from teams.services import invite_create
from tickets.models import Ticket, TicketStatus
from web.tests.conftest import session_client
from web.tests.test_query_counts import build, count


def leader_scene(size: int) -> dict:
    scene = build(size)
    team, cycle = scene["team"], scene["cycle"]
    scene["admin"] = make_persona(team, role=Role.ADMIN, display_name="Director")
    scene["leader"] = make_persona(
        team, role=Role.SECTION_LEADER, section="Soprano", display_name="Lead"
    )
    # A verification queue and an outcomes window that grow with the team.
    soprano = Ticket.objects.filter(team=team, section="Soprano")[: max(size // 10, 1)]
    Ticket.objects.filter(pk__in=[t.pk for t in soprano]).update(
        status=TicketStatus.RESOLVED, resolved_at=timezone.now()
    )
    for n in range(size // 20 + 1):
        invite_create(team=team, created_by=scene["admin"].user, section="Alto")
        AssignmentFactory(cycle=cycle, scope="SECTION", section="Soprano", created_by=None)
    return scene


def twin(persona, urls: list[str]) -> int:  # type: ignore[no-untyped-def]
    return sum(count(lambda url=url: persona.client.get(url)) for url in urls)


def pages(scene: dict) -> dict[str, tuple[str, str, list[str]]]:
    team, cycle, ticket = scene["team"].pk, scene["cycle"].pk, scene["ticket"].pk
    return {
        "section-leader": (
            "leader",
            f"/app/t/{team}/section",
            [f"/teams/{team}/dashboards/leader", f"/teams/{team}/dashboards/leader/outcomes"],
        ),
        "section-admin": (
            "admin",
            f"/app/t/{team}/section",
            [f"/teams/{team}/dashboards/leader", f"/teams/{team}/dashboards/leader/outcomes"],
        ),
        "settings": (
            "admin",
            f"/app/t/{team}/settings",
            [
                f"/teams/{team}",
                f"/teams/{team}/members",
                f"/teams/{team}/invites",
                f"/teams/{team}/cycles/active",
                f"/teams/{team}/cycles?upcoming=true",
                f"/teams/{team}/cycles?upcoming=false",
            ],
        ),
        "ticket-leader": (
            "admin",
            f"/app/tickets/{ticket}",
            [f"/tickets/{ticket}", f"/tickets/{ticket}/activity", f"/teams/{team}/members"],
        ),
        "assignments-admin": (
            "admin",
            f"/app/t/{team}/assignments",
            [f"/teams/{team}/cycles/active", f"/cycles/{cycle}/assignments"],
        ),
        "practice-team": (
            "admin",
            f"/app/t/{team}/practice?who=team",
            [f"/teams/{team}/practice-logs?me=false", f"/teams/{team}/members"],
        ),
    }


@pytest.mark.parametrize(
    "page",
    [
        "section-leader",
        "section-admin",
        "settings",
        "ticket-leader",
        "assignments-admin",
        "practice-team",
    ],
)
def test_leader_pages_cost_at_most_two_queries_more_than_their_api_twin(db, page):
    counts = []
    for size in (5, 120):
        scene = leader_scene(size)
        who, url, api_urls = pages(scene)[page]
        persona = scene[who]
        client = session_client(persona)
        client.get(url)  # warm
        web = count(lambda: client.get(url))
        api = twin(persona, api_urls)
        print(f"queries {page} size={size}: page {web}, API twin {api}")
        assert web <= api + 2, (page, size, web, api)
        counts.append(web)
    assert counts[0] == counts[1], (page, counts)
