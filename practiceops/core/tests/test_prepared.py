"""practiceops.core.prepared: a query compiled once per shape answers as the ORM does for any values."""

from __future__ import annotations

import datetime

import pytest
from django.db.models import Count

from practice.models import PracticeLog
from practice.tests.factories import PracticeLogFactory
from practiceops.core import prepared
from teams.tests.factories import CycleFactory, TeamFactory

T0 = datetime.datetime(2026, 3, 1, 12, 0, tzinfo=datetime.UTC)


def _logs_qs(*, team_id, since, notes):
    return (
        PracticeLog.objects.filter(team_id=team_id, occurred_at__gte=since)
        .exclude(notes=notes)
        .values("user_id")
        .annotate(n=Count("id"))
        .order_by("user_id")
        .values_list("user_id", "n")
    )


@pytest.fixture
def logs(db):
    teams = [TeamFactory(), TeamFactory()]
    for team in teams:
        cycle = CycleFactory(team=team)
        for day in range(4):
            PracticeLogFactory(
                cycle=cycle,
                occurred_at=T0 + datetime.timedelta(days=day),
                duration_minutes=10 + day,
            )
    return teams


def test_one_template_answers_for_every_value(logs, monkeypatch):
    monkeypatch.setattr(prepared, "VERIFY", False)  # compare with the ORM by rows, not by SQL
    key = ("test", "logs")
    for team in logs:
        for since in (T0, T0 + datetime.timedelta(days=2)):
            values = {"team_id": team.pk, "since": since, "notes": "day 3"}
            assert prepared.run(key, _logs_qs, **values) == list(_logs_qs(**values))


def test_a_value_changed_on_its_way_to_the_sql_is_refused(logs):
    def shifted(*, team_id, since):
        return PracticeLog.objects.filter(
            team_id=team_id, occurred_at__gte=since + datetime.timedelta(days=1)
        ).values_list("id")

    with pytest.raises(TypeError):
        prepared.run(("test", "shifted"), shifted, team_id=logs[0].pk, since=T0)


def test_numbers_belong_in_the_key(logs):
    # A stand-in number could fall outside its field's range, and the ORM drops such lookups.
    def by_minutes(*, team_id, minutes):
        return PracticeLog.objects.filter(team_id=team_id, duration_minutes=minutes).values_list(
            "id"
        )

    with pytest.raises(TypeError):
        prepared.run(("test", "minutes"), by_minutes, team_id=logs[0].pk, minutes=30)


def test_verify_finds_a_shape_the_key_does_not_name(logs):
    def by_choice(*, team_id, since):
        qs = PracticeLog.objects.filter(team_id=team_id)
        if since.day > 1:  # a shape choice made from a value, which the key leaves out
            qs = qs.filter(occurred_at__gte=since)
        return qs.values_list("id")

    later = T0 + datetime.timedelta(days=1)
    prepared.run(("test", "choice"), by_choice, team_id=logs[0].pk, since=later)
    with pytest.raises(AssertionError):
        prepared.run(("test", "choice"), by_choice, team_id=logs[0].pk, since=T0)
