"""Each dashboard runs the same number of queries for a team of 5 and a team of 200."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import User
from conftest import make_persona
from practice.models import Assignment, PracticeLog
from practice.rollups import practice_rollups_rebuild
from teams.models import Membership, Role
from teams.tests.factories import CycleFactory, TeamFactory
from tickets.models import Ticket

SECTIONS = ["Soprano", "Alto", "Tenor", "Bass", None]
LEADER_MAX = 12
MEMBER_MAX = 9
INSIGHTS_MAX = 4


def build_team(size: int):
    team = TeamFactory(timezone="Europe/Berlin")
    admin = make_persona(team, role=Role.ADMIN, display_name="Admin")
    leader = make_persona(team, role=Role.SECTION_LEADER, section="Soprano", display_name="Leader")
    member = make_persona(team, section="Soprano", display_name="Member")
    cycle = CycleFactory(team=team, date=timezone.now().date() + datetime.timedelta(days=3))
    users = User.objects.bulk_create(
        [
            User(email=f"{team.id}-{i}@example.com", display_name=f"Singer {i:03}", password="!")
            for i in range(size - 3)
        ]
    )
    Membership.objects.bulk_create(
        [
            Membership(team=team, user=u, section=SECTIONS[i % len(SECTIONS)])
            for i, u in enumerate(users)
        ]
    )
    everyone = [admin.user, leader.user, member.user, *users]
    now = timezone.now()
    PracticeLog.objects.bulk_create(
        [
            PracticeLog(
                user=u,
                team=team,
                cycle=cycle,
                duration_minutes=20 + d,
                occurred_at=now - datetime.timedelta(days=d),
            )
            for u in everyone
            for d in range(0, 9, 2)
        ]
    )
    practice_rollups_rebuild()  # bulk-inserted logs: their rollups
    tickets = []
    for i, u in enumerate(everyone):
        section = SECTIONS[i % len(SECTIONS)] or "Soprano"
        for j, (visibility, status) in enumerate(
            [
                ("TEAM", "OPEN"),
                ("SECTION", "BLOCKED"),
                ("PRIVATE", "OPEN"),
                ("PRIVATE", "RESOLVED"),
                ("SECTION", "RESOLVED"),
            ]
        ):
            tickets.append(
                Ticket(
                    team=team,
                    cycle=cycle,
                    owner=u,
                    created_by=u,
                    title=f"T {i}-{j}",
                    category="PITCH",
                    priority=["LOW", "MEDIUM", "BLOCKING"][(i + j) % 3],
                    status=status,
                    visibility=visibility,
                    section=section,
                    song_ref=f"Song {i % 7}",
                    due_at=now + datetime.timedelta(days=(i % 10) - 3),
                    resolved_at=now if status == "RESOLVED" else None,
                    resolved_note="done" if status == "RESOLVED" else None,
                )
            )
    Ticket.objects.bulk_create(tickets)
    Assignment.objects.bulk_create(
        [Assignment(cycle=cycle, type="SONG_WORK", scope="TEAM", title=f"A {i}") for i in range(5)]
        + [
            Assignment(
                cycle=cycle, type="SONG_WORK", scope="SECTION", section="Soprano", title=f"S {i}"
            )
            for i in range(5)
        ]
    )
    assert Membership.objects.filter(team=team).count() == size
    return team, admin, leader, member


def count_queries(client, path) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    assert response.status_code == 200, response.content
    return len(ctx.captured_queries)


@pytest.mark.django_db
def test_dashboards_query_counts_do_not_grow_with_the_team():
    counts = {}
    for size in (5, 200):
        team, admin, leader, member = build_team(size)
        base = f"/teams/{team.id}/dashboards"
        counts[size] = {
            "member": count_queries(member.client, f"{base}/member"),
            "leader_admin": count_queries(admin.client, f"{base}/leader"),
            "leader_section": count_queries(leader.client, f"{base}/leader"),
            "insights_admin": count_queries(admin.client, f"{base}/leader/compliance-insights"),
            "insights_section": count_queries(leader.client, f"{base}/leader/compliance-insights"),
            "outcomes_admin": count_queries(admin.client, f"{base}/leader/outcomes"),
            "outcomes_section": count_queries(leader.client, f"{base}/leader/outcomes"),
            "catch_up_member": count_queries(member.client, f"/teams/{team.id}/catch-up"),
            "catch_up_admin": count_queries(admin.client, f"/teams/{team.id}/catch-up"),
        }
    assert counts[5] == counts[200], counts
    assert counts[200]["member"] <= MEMBER_MAX
    assert counts[200]["leader_admin"] <= LEADER_MAX
    assert counts[200]["leader_section"] <= LEADER_MAX
    assert counts[200]["insights_admin"] <= INSIGHTS_MAX
    assert counts[200]["insights_section"] <= INSIGHTS_MAX
    for name in ("outcomes_admin", "outcomes_section", "catch_up_member", "catch_up_admin"):
        assert counts[200][name] <= LEADER_MAX, name


@pytest.mark.django_db
def test_large_team_numbers_are_consistent():
    team, admin, leader, _ = build_team(200)
    body = admin.client.get(f"/teams/{team.id}/dashboards/leader").json()
    members = body["compliance"]["practice_days_by_member"]
    assert len(members) == 200
    assert body["compliance"]["logged_last_7_days_pct"] == 1.0
    # Logs 0, 2, 4 and 6 days ago fall in the window, 8 days ago does not.
    assert {m["days_logged_7d"] for m in members} == {4}
    assert body["compliance"]["total_practice_minutes_7d"] == 200 * (20 + 22 + 24 + 26)
    assert len(body["drilldown"]["tickets_visible"]) == 50
    insights = admin.client.get(f"/teams/{team.id}/dashboards/leader/compliance-insights").json()
    assert sum(s["member_count"] for s in insights["sections"]) == 200
    assert sum(s["total_practice_days_7d"] for s in insights["sections"]) == 800
