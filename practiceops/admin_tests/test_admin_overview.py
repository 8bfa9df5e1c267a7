"""The staff-only Team overview page and its selector."""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.test import Client

from accounts.tests.factories import UserFactory
from insights.charts import grouped_bar_chart, nice_max, tick_steps
from insights.overview import team_overview_get
from practice.tests.factories import PracticeLogFactory
from practiceops.admin_tests.conftest import queries_for
from teams.models import Role
from teams.tests.factories import MembershipFactory
from tickets.models import TicketStatus, TicketVisibility
from tickets.tests.factories import TicketFactory

# A Wednesday. The team keeps Berlin time (UTC+1 in March before the DST change).
NOW = datetime.datetime(2026, 3, 18, 12, 0, tzinfo=datetime.UTC)
MONDAYS = [datetime.date(2026, 1, 26) + datetime.timedelta(weeks=i) for i in range(8)]


def at(*args: int) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=datetime.UTC)


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def data(frozen, team, cycle, admin, soprano_leader, soprano_member, alto_member):
    team.timezone = "Europe/Berlin"
    team.save()

    def log(user, when, minutes):
        return PracticeLogFactory(
            user=user, cycle=cycle, team=team, occurred_at=when, duration_minutes=minutes
        )

    log(soprano_member.user, at(2026, 3, 17, 18), 30)
    # 23:30 UTC on Sunday is 00:30 on Monday in Berlin: this week, not last week.
    log(soprano_member.user, at(2026, 3, 15, 23, 30), 15)
    log(soprano_leader.user, at(2026, 3, 10, 9), 20)
    log(alto_member.user, at(2026, 2, 2, 9), 45)
    # 22:30 UTC on 25 January is 23:30 in Berlin: the day before the window opens.
    log(alto_member.user, at(2026, 1, 25, 22, 30), 99)
    log(admin.user, at(2026, 1, 26, 10), 10)
    former = UserFactory(display_name="Former Member")
    log(former, at(2026, 3, 16, 10), 5)
    # Another team's practice is not this team's.
    PracticeLogFactory(occurred_at=at(2026, 3, 17, 10), duration_minutes=600)

    def ticket(status, section=None, visibility=TicketVisibility.SECTION):
        return TicketFactory(
            cycle=cycle,
            status=status,
            section=section,
            visibility=visibility if section else TicketVisibility.TEAM,
        )

    for status in ("OPEN", "IN_PROGRESS", "BLOCKED", "RESOLVED", "VERIFIED"):
        ticket(status, "Soprano")
    ticket(TicketStatus.BLOCKED, "Alto", TicketVisibility.PRIVATE)
    ticket(TicketStatus.OPEN)
    TicketFactory(status=TicketStatus.BLOCKED, section="Soprano", visibility="SECTION")
    return team


def test_selector_numbers(data):
    overview = team_overview_get(data)
    assert overview.weeks == MONDAYS
    assert overview.sections == ["Alto", "Soprano", "Unassigned"]
    assert overview.minutes == {
        "Alto": [0, 45, 0, 0, 0, 0, 0, 0],
        "Soprano": [0, 0, 0, 0, 0, 0, 20, 45],
        "Unassigned": [10, 0, 0, 0, 0, 0, 0, 5],
    }
    assert overview.tickets == [
        {"section": "Alto", "open": 0, "blocked": 1, "resolved": 0},
        {"section": "Soprano", "open": 2, "blocked": 1, "resolved": 2},
        {"section": "Unassigned", "open": 1, "blocked": 0, "resolved": 0},
    ]


def test_selector_for_an_empty_team(frozen, team):
    overview = team_overview_get(team)
    assert overview.sections == []
    assert overview.tickets == []
    assert len(overview.weeks) == 8


def test_overview_page(staff_client, data):
    response = staff_client.get(f"/admin/teams/team/{data.pk}/overview/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Team overview: Harmonia" in html
    assert html.count('<svg xmlns="http://www.w3.org/2000/svg" class="bar-chart"') == 3
    # 3 sections x 8 weeks, 3 ticket groups x 3 sections, median and p90 x 3 sections.
    assert html.count('class="bar"') == 24 + 9 + 6
    assert "Soprano, 16 Mar: 45 minutes" in html
    assert "Open (open or in progress), Soprano: 2 tickets" in html
    # Server-rendered: no script is loaded from anywhere for the charts.
    assert not re.search(r"<script[^>]+src=\"https?://", html)
    rows = response.context["minutes_rows"]
    assert rows[1] == {"section": "Soprano", "minutes": [0, 0, 0, 0, 0, 0, 20, 45]}


def test_overview_links_from_the_team_pages(staff_client, team):
    url = f"/admin/teams/team/{team.pk}/overview/"
    assert url in staff_client.get("/admin/teams/team/").content.decode()
    assert url in staff_client.get(f"/admin/teams/team/{team.pk}/change/").content.decode()


def test_overview_query_count_does_not_grow(staff_client, data, cycle):
    url = f"/admin/teams/team/{data.pk}/overview/"
    small = queries_for(staff_client, url)
    for section in ("Tenor", "Bass"):
        for _ in range(10):
            member = MembershipFactory(team=data, role=Role.MEMBER, section=section)
            PracticeLogFactory(
                user=member.user, cycle=cycle, team=data, occurred_at=at(2026, 3, 1, 12)
            )
            TicketFactory(cycle=cycle, section=section, visibility="SECTION")
    assert queries_for(staff_client, url) == small
    assert team_overview_get(data).sections == ["Alto", "Bass", "Soprano", "Tenor", "Unassigned"]


def test_overview_is_staff_only(team, soprano_member, admin):
    url = f"/admin/teams/team/{team.pk}/overview/"
    member = Client()
    member.force_login(admin.user)  # a team ADMIN, not staff
    response = member.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    assert Client().get(url).status_code == 302

    staff_without_permission = UserFactory(is_staff=True)
    client = Client()
    client.force_login(staff_without_permission)
    assert client.get(url).status_code == 403
    staff_without_permission.user_permissions.add(Permission.objects.get(codename="view_team"))
    client.force_login(staff_without_permission)
    assert client.get(url).status_code == 200


def test_overview_of_an_unknown_team(staff_client):
    assert staff_client.get("/admin/teams/team/not-a-uuid/overview/").status_code == 404


def test_chart_scale_and_escaping():
    assert [nice_max(v) for v in (0, 1, 7, 10, 11, 230, 500, 501)] == [
        1, 1, 10, 10, 20, 500, 500, 1000,
    ]  # fmt: skip
    # Ticket counts are whole numbers: no axis label may be a fraction for small tops.
    for top in (1, 2, 5, 10, 20, 50, 100, 200):
        assert (top / tick_steps(top)).is_integer(), top
    svg = grouped_bar_chart(
        title="<b>x</b>", groups=["A & B"], series=[("<script>", [3])], unit="min"
    )
    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg
    assert "A &amp; B" in svg


def test_time_to_verify_per_section(staff_client, data, cycle):
    """The last 28 days in Berlin: Feb 19 - Mar 18; hours from creation to verification."""
    for section, visibility, created, verified in (
        ("Soprano", "SECTION", at(2026, 3, 1, 12), at(2026, 3, 3, 12)),
        ("Soprano", "TEAM", at(2026, 3, 10, 12), at(2026, 3, 11, 12)),
        ("Alto", "PRIVATE", at(2026, 3, 16, 6), at(2026, 3, 16, 12)),
        # Verified at 23:30 UTC on Feb 18, 00:30 on Feb 19 in Berlin: inside the window.
        ("Alto", "SECTION", at(2026, 2, 18, 11, 30), at(2026, 2, 18, 23, 30)),
        # Verified before the window.
        ("Soprano", "SECTION", at(2026, 2, 1, 12), at(2026, 2, 18, 22, 30)),
    ):
        TicketFactory(
            cycle=cycle,
            section=section,
            visibility=visibility,
            status=TicketStatus.VERIFIED,
            created_at=created,
            verified_at=verified,
        )
    overview = team_overview_get(data)
    assert overview.verify_hours == [
        {"section": "Alto", "verified": 2, "median_hours": 9.0, "p90_hours": 11.4},
        {"section": "Soprano", "verified": 2, "median_hours": 36.0, "p90_hours": 45.6},
        {"section": "Unassigned", "verified": 0, "median_hours": None, "p90_hours": None},
    ]
    html = staff_client.get(f"/admin/teams/team/{data.pk}/overview/").content.decode()
    assert "Time to verify per section, last 28 days" in html
    assert "Median, Soprano: 36.0 hours" in html
    assert "90th percentile, Alto: 11.4 hours" in html
    assert '<td class="num">45.6</td>' in html
