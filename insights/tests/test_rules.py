"""Date rules in the team's timezone: the active cycle, streaks and due buckets."""

import datetime
import zoneinfo

import pytest
import time_machine

from insights.selectors.common import current_streak, due_bucket_expr, longest_streak
from insights.tests.factories import TicketFactory
from teams.selectors import cycle_active_for_team as active_cycle
from teams.tests.factories import CycleFactory, TeamFactory
from tickets.models import Ticket

D = datetime.date


def test_current_streak_counts_back_from_today_or_yesterday():
    today = D(2026, 3, 4)
    assert current_streak([], today) == 0
    assert current_streak([D(2026, 3, 4)], today) == 1
    assert current_streak([D(2026, 3, 3), D(2026, 3, 2)], today) == 2
    assert current_streak([D(2026, 3, 2), D(2026, 3, 1)], today) == 0
    assert current_streak([D(2026, 3, 4), D(2026, 3, 3), D(2026, 3, 1)], today) == 2


def test_longest_streak_over_the_whole_history():
    days = [D(2026, 1, d) for d in range(1, 21)] + [D(2026, 2, 1), D(2026, 2, 2)]
    assert longest_streak(days) == 20
    assert longest_streak([]) == 0
    assert longest_streak([D(2026, 1, 1), D(2026, 1, 1)]) == 1


@pytest.mark.django_db
def test_active_cycle_uses_the_teams_today():
    team = TeamFactory(timezone="America/Los_Angeles")
    on_the_5th = CycleFactory(team=team, date=D(2026, 3, 5))
    on_the_6th = CycleFactory(team=team, date=D(2026, 3, 6))
    # 03:00 UTC on Mar 6 is still Mar 5 in Los Angeles: the Mar 5 cycle is today's.
    with time_machine.travel(datetime.datetime(2026, 3, 6, 3, tzinfo=datetime.UTC), tick=False):
        assert active_cycle(team) == on_the_5th
    with time_machine.travel(datetime.datetime(2026, 3, 6, 9, tzinfo=datetime.UTC), tick=False):
        assert active_cycle(team) == on_the_6th
    with time_machine.travel(datetime.datetime(2026, 3, 9, 9, tzinfo=datetime.UTC), tick=False):
        assert active_cycle(team) == on_the_6th


@pytest.mark.django_db
def test_active_cycle_none_without_cycles():
    assert active_cycle(TeamFactory()) is None


@pytest.mark.django_db
def test_due_buckets_follow_the_local_calendar():
    tz = zoneinfo.ZoneInfo("Asia/Tokyo")  # UTC+9, no DST
    team = TeamFactory(timezone="Asia/Tokyo")
    today = D(2026, 3, 4)  # a Wednesday

    def at(day, hour):
        return datetime.datetime(2026, 3, day, hour, tzinfo=tz)

    cases = {
        "no_due_date": None,
        "overdue": at(3, 23),
        "due_today": at(4, 0),
        "due_today_late": at(4, 23),
        "due_this_week": at(8, 23),  # Sunday night
        "future": at(9, 0),  # Monday
    }
    for title, due in cases.items():
        TicketFactory(team=team, title=title, due_at=due)
    buckets = dict(Ticket.objects.annotate(b=due_bucket_expr(today, tz)).values_list("title", "b"))
    assert buckets == {
        "no_due_date": "no_due_date",
        "overdue": "overdue",
        "due_today": "due_today",
        "due_today_late": "due_today",
        "due_this_week": "due_this_week",
        "future": "future",
    }
