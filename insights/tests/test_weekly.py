"""The set-based numbers the weekly digests send match the dashboards."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext

from insights.selectors import leader_digest_numbers, member_week_numbers
from insights.tests.factories import PracticeLogFactory
from teams.models import Membership, Role
from teams.selectors import cycles_active_for_teams
from teams.tests.factories import CycleFactory


def member(persona):
    return {
        "member_id": persona.user.id,
        "name": persona.user.display_name,
        "section": persona.membership.section,
    }


def test_leader_digest_numbers_match_the_leader_dashboard(data):
    leaders = list(
        Membership.objects.filter(
            team__in=[data.team, data.other_team], role__in=[Role.ADMIN, Role.SECTION_LEADER]
        )
        .select_related("team")
        .order_by("created_at")
    )
    with CaptureQueriesContext(connection) as ctx:
        numbers = leader_digest_numbers(leaders)
    # Two timezones in the batch (New York, UTC): two queries each.
    assert len(ctx.captured_queries) == 4
    assert numbers[data.admin.membership.id] == {
        "member_count": 7,
        "logged_last_7_days_pct": 0.57,
        "total_practice_minutes_7d": 415,
        "members_without_practice": [member(data.al), member(data.sid), member(data.admin)],
        "blocking_due_count": 2,
        "blocked_count": 1,
        "resolved_not_verified_count": 2,
        "verifiable_count": 3,
    }
    assert numbers[data.sam.membership.id] == {
        "member_count": 3,
        "logged_last_7_days_pct": 0.67,
        "total_practice_minutes_7d": 270,
        "members_without_practice": [member(data.sid)],
        "blocking_due_count": 1,
        "blocked_count": 1,
        "resolved_not_verified_count": 1,
        "verifiable_count": 1,
    }
    assert numbers[data.al.membership.id] == {
        "member_count": 2,
        "logged_last_7_days_pct": 0.5,
        "total_practice_minutes_7d": 120,
        "members_without_practice": [member(data.al)],
        "blocking_due_count": 2,
        "blocked_count": 0,
        "resolved_not_verified_count": 2,
        "verifiable_count": 3,
    }
    # The other team's admin: Sue's 100 minutes there, its own RESOLVED ticket.
    outsider = numbers[data.outsider.membership.id]
    assert outsider["member_count"] == 2
    assert outsider["total_practice_minutes_7d"] == 100
    assert outsider["resolved_not_verified_count"] == 1
    assert outsider["verifiable_count"] == 1


def test_leader_digest_numbers_equal_the_dashboard_for_each_leader(data):
    leaders = list(
        Membership.objects.filter(
            team=data.team, role__in=[Role.ADMIN, Role.SECTION_LEADER]
        ).select_related("team")
    )
    numbers = leader_digest_numbers(leaders)
    for persona in (data.admin, data.sam, data.al):
        body = persona.client.get(f"/teams/{data.team.id}/dashboards/leader").json()
        mine = numbers[persona.membership.id]
        assert mine["logged_last_7_days_pct"] == body["compliance"]["logged_last_7_days_pct"]
        assert mine["total_practice_minutes_7d"] == body["compliance"]["total_practice_minutes_7d"]
        risk = body["risk_summary"]
        assert mine["blocking_due_count"] == risk["blocking_due_count"]
        assert mine["blocked_count"] == risk["blocked_count"]
        assert mine["resolved_not_verified_count"] == risk["resolved_not_verified_count"]
        assert mine["verifiable_count"] == len(body["verification_queue"])


def test_member_week_numbers(data):
    members = list(Membership.objects.filter(team=data.team).select_related("team"))
    with CaptureQueriesContext(connection) as ctx:
        numbers = member_week_numbers(members)
    assert len(ctx.captured_queries) == 2
    # The week is Monday Mar 2 – Sunday Mar 8 in New York.
    assert numbers[data.sue.membership.id] == {
        "practice_days_this_week": 3,
        "minutes_this_week": 105,
        "streak_days": 20,
        "open_ticket_count": 4,
        "claimed_ticket_count": 1,
    }
    assert numbers[data.alice.membership.id] == {
        "practice_days_this_week": 2,
        "minutes_this_week": 40,
        "streak_days": 6,
        "open_ticket_count": 5,
        "claimed_ticket_count": 0,
    }
    assert numbers[data.sid.membership.id]["practice_days_this_week"] == 0
    assert numbers[data.sid.membership.id]["open_ticket_count"] == 3


def test_active_cycles_for_teams(data):
    lonely = CycleFactory(team=data.other_team, date=datetime.date(2026, 2, 1))
    with CaptureQueriesContext(connection) as ctx:
        cycles = cycles_active_for_teams([data.team, data.other_team])
    # One per distinct local date among the teams, one to load the cycles.
    assert len(ctx.captured_queries) <= 3
    assert cycles[data.team.id] == data.cycle
    assert cycles[data.other_team.id] == data.other_cycle
    assert lonely != data.other_cycle


def test_member_week_numbers_do_not_count_a_future_dated_log_in_the_streak(data):
    PracticeLogFactory(
        user=data.sid.user,
        team=data.team,
        occurred_at=datetime.datetime(2026, 3, 5, 17, tzinfo=datetime.UTC),
    )
    numbers = member_week_numbers(
        list(Membership.objects.filter(pk=data.sid.membership.pk).select_related("team"))
    )
    assert numbers[data.sid.membership.id]["streak_days"] == 0
    assert numbers[data.sid.membership.id]["practice_days_this_week"] == 1


def test_in_memory_scope_matching_agrees_with_the_database(data):
    """The digest sorts grouped rows with the dashboards' Q filters evaluated in memory: for
    every kind of reader and every ticket of the data set, both must agree."""
    from conftest import make_persona
    from insights.selectors.common import leader_ticket_scope_q, scoped_members_q
    from insights.selectors.weekly import _q_matches
    from tickets.models import Ticket
    from tickets.selectors import verifiable_tickets_q

    floater = make_persona(data.team, role=Role.SECTION_LEADER, section=None)
    readers = [data.admin, data.sam, data.al, data.sue, floater, data.outsider]
    tickets = list(Ticket.objects.all())
    memberships = list(Membership.objects.all())
    for reader in readers:
        for rule in (leader_ticket_scope_q, verifiable_tickets_q):
            q = rule(reader.membership)
            in_db = set(Ticket.objects.filter(q).values_list("id", flat=True))
            in_memory = {t.id for t in tickets if _q_matches(q, t)}
            assert in_memory == in_db, (reader.user.display_name, rule.__name__)
        q = scoped_members_q(reader.membership)
        in_db = set(Membership.objects.filter(q).values_list("id", flat=True))
        assert {m.id for m in memberships if _q_matches(q, m)} == in_db
