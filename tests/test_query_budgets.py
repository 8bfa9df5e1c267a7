"""The SQL query budget of every list and dashboard endpoint, at two data sizes.

Each endpoint is called through the API as the big team's ADMIN and as its Soprano
SECTION_LEADER, once on a small data set and once on a data set many times larger (more
than a page of everything). The count must equal the budget on both: a query per row
would show as a difference between the sizes, an extra query as a broken budget. The
timings that go with these budgets live in bench/results/.

The data comes from ``seed_scale`` (the benchmark's generator), so it has every ticket
status and visibility, linked practice logs, other teams around, and PRIVATE tickets.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from accounts.services import token_pair_for_user
from teams.models import Membership, Role, Team
from teams.selectors import cycle_active_for_team
from teams.tests.factories import InviteFactory
from tickets.models import Ticket, TicketActivity

ANCHOR = "2026-03-04T15:00:00+00:00"
SIZES = {
    # big-team members, practice logs, tickets, other teams, extra activities and invites
    "small": {"members": 9, "logs": 80, "tickets": 12, "teams": 1, "extra": 2},
    "large": {"members": 120, "logs": 1500, "tickets": 400, "teams": 3, "extra": 120},
}
# The dashboards' contract: a fixed number of queries whatever the team's size, at most 12.
DASHBOARD_MAX = 12

# (name, path template): {team}, {cycle} and {ticket} come from the data set.
ENDPOINTS = {
    "me_teams": "/me/teams",
    "members": "/teams/{team}/members",
    "invites": "/teams/{team}/invites",
    "cycles": "/teams/{team}/cycles?upcoming=false",
    "assignments": "/cycles/{cycle}/assignments",
    "cycle_practice_logs": "/cycles/{cycle}/practice-logs?me=false",
    "team_practice_logs": "/teams/{team}/practice-logs?me=false",
    "my_practice_logs": "/teams/{team}/practice-logs",
    "practice_logs_csv": "/teams/{team}/practice-logs.csv",
    "cycle_tickets": "/cycles/{cycle}/tickets",
    "team_tickets": "/teams/{team}/tickets",
    "team_tickets_open": "/teams/{team}/tickets?status=OPEN",
    "team_tickets_of_cycle": "/teams/{team}/tickets?cycle_id={cycle}",
    "ticket_activity": "/tickets/{ticket}/activity",
    "member_dashboard": "/teams/{team}/dashboards/member",
    "leader_dashboard": "/teams/{team}/dashboards/leader",
    "compliance_insights": "/teams/{team}/dashboards/leader/compliance-insights",
    "catch_up": "/teams/{team}/catch-up",
    "outcomes": "/teams/{team}/dashboards/leader/outcomes",
}
ADMIN_ONLY = {"invites"}
DASHBOARDS = {"member_dashboard", "leader_dashboard", "compliance_insights", "catch_up", "outcomes"}

# Queries per request, authentication included (one query for the user).
BUDGET = {
    "me_teams": 2,  # user, memberships with team names
    "members": 3,  # user, membership + team, page
    "invites": 3,  # user, membership + team, page
    "cycles": 3,  # user, membership + team, page
    "assignments": 3,  # user, cycle + team + membership, page
    "cycle_practice_logs": 5,  # user, cycle + team + membership, page, linked assignments, tickets
    "team_practice_logs": 5,  # user, membership + team, page, linked assignments, tickets
    "my_practice_logs": 5,
    "practice_logs_csv": 3,  # user, membership + team, one streamed query
    "cycle_tickets": 3,  # user, cycle + team + membership, page
    "team_tickets": 3,  # user, membership + team, page
    "team_tickets_open": 3,
    "team_tickets_of_cycle": 4,  # ... + the cycle belongs to the team
    "ticket_activity": 4,  # user, ticket, membership, page with authors
    "member_dashboard": 7,
    "leader_dashboard": 9,
    "compliance_insights": 3,
    # user, membership + team, latest past cycle (default since), active cycle (an upcoming
    # one here), new tickets, updates, new assignments, practise-next tickets and assignments;
    # with a section (the leader; the ADMIN has none) its member count and practice
    "catch_up": {"admin": 9, "section_leader": 11},
    # user, membership + team, tickets grouped, verified durations, reopen/release activity,
    # linked practice; an ADMIN also the sections of the team's members
    "outcomes": {"admin": 7, "section_leader": 6},
}


@dataclass
class DataSet:
    team: Team
    cycle_id: str
    ticket_id: str
    clients: dict[str, APIClient]


def build(size: str) -> DataSet:
    spec = SIZES[size]
    call_command(
        "seed_scale",
        "--teams",
        str(spec["teams"]),
        "--members",
        "6",
        "--days",
        "10",
        "--big-team-members",
        str(spec["members"]),
        "--big-team-logs",
        str(spec["logs"]),
        "--big-team-tickets",
        str(spec["tickets"]),
        "--tickets-per-team",
        "3",
        "--anchor",
        ANCHOR,
        "--no-progress",
        stdout=open("/dev/null", "w"),  # noqa: SIM115
    )
    team = Team.objects.get(name="Scale Chorus")
    cycle = cycle_active_for_team(team)
    ticket = Ticket.objects.filter(team=team, visibility="TEAM").order_by("id").first()
    TicketActivity.objects.bulk_create(
        TicketActivity(ticket=ticket, type="COMMENT", content=f"c{n}") for n in range(spec["extra"])
    )
    InviteFactory.create_batch(spec["extra"], team=team)
    members = Membership.objects.filter(team=team).select_related("user")
    personas = {
        "admin": members.get(role=Role.ADMIN),
        "section_leader": members.get(role=Role.SECTION_LEADER, section="Soprano"),
    }
    clients = {}
    for name, membership in personas.items():
        client = APIClient()
        token = token_pair_for_user(membership.user)["access_token"]
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
        clients[name] = client
    return DataSet(team, str(cycle.pk), str(ticket.pk), clients)


def measure(data: DataSet) -> dict[tuple[str, str], int]:
    counts = {}
    for name, template in ENDPOINTS.items():
        path = template.format(team=data.team.pk, cycle=data.cycle_id, ticket=data.ticket_id)
        for persona, client in data.clients.items():
            if name in ADMIN_ONLY and persona != "admin":
                continue
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(path)
                if name == "practice_logs_csv":
                    b"".join(response.streaming_content)
            assert response.status_code == 200, (name, persona, response.content[:200])
            counts[(name, persona)] = len(ctx.captured_queries)
    return counts


def page_sizes(data: DataSet) -> dict[str, int]:
    client = data.clients["admin"]
    team, cycle = data.team.pk, data.cycle_id
    return {
        "team_tickets": len(client.get(f"/teams/{team}/tickets").json()["items"]),
        "cycle_practice_logs": len(
            client.get(f"/cycles/{cycle}/practice-logs?me=false").json()["items"]
        ),
        "leader_members": len(
            client.get(f"/teams/{team}/dashboards/leader").json()["compliance"][
                "practice_days_by_member"
            ]
        ),
    }


@pytest.fixture(autouse=True)
def at_anchor():
    # The data is relative to ANCHOR: "today", the active cycle and the windows follow it.
    with time_machine.travel(datetime.datetime.fromisoformat(ANCHOR), tick=False):
        yield


@pytest.mark.django_db
@pytest.mark.parametrize("size", sorted(SIZES))
def test_every_list_and_dashboard_keeps_its_query_budget(size):
    data = build(size)
    counts = measure(data)
    expected = {
        (name, persona): BUDGET[name][persona] if isinstance(BUDGET[name], dict) else BUDGET[name]
        for name, persona in counts
    }
    assert counts == expected
    for (name, _), count in counts.items():
        if name in DASHBOARDS:
            assert count <= DASHBOARD_MAX, name
    if size == "large":
        # The budgets mean something only if the large set fills whole pages.
        assert page_sizes(data) == {
            "team_tickets": 50,
            "cycle_practice_logs": 50,
            "leader_members": SIZES["large"]["members"],
        }
