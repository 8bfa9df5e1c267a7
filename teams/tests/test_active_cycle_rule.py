"""cycle_active_among applies cycle_active_for_team's rule to a loaded list of cycles."""

import datetime
import random

import pytest

from teams.selectors import cycle_active_among, cycle_active_for_team, cycle_list_for_calendar
from teams.tests.factories import CycleFactory, TeamFactory

pytestmark = pytest.mark.django_db


def test_the_loaded_list_gives_the_same_active_cycle_as_the_queries():
    rng = random.Random(7)
    today = datetime.date(2026, 6, 15)
    for round_ in range(12):
        team = TeamFactory(name=f"T{round_}")
        offsets = rng.sample(range(-20, 21), rng.randint(0, 6))
        for offset in offsets:
            CycleFactory(team=team, date=today + datetime.timedelta(days=offset))
        cycles = list(cycle_list_for_calendar(team=team))
        expected = cycle_active_for_team(team, today=today)
        assert cycle_active_among(cycles, today) == expected, sorted(offsets)
