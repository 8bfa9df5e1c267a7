"""The practice rollups: kept by every write, equal to a rebuild from the logs.

Runs on SQLite and PostgreSQL (.ci/run runs the suite on both).
"""

from __future__ import annotations

import datetime
import random
import zoneinfo
from collections import defaultdict

import pytest
from django.core.management import call_command
from django.test import RequestFactory

from accounts.tests.factories import UserFactory
from practice import services
from practice.admin import PracticeLogAdmin
from practice.models import PracticeDay, PracticeLog
from practice.rollups import practice_rollups_rebuild
from teams.models import Membership, Team
from teams.services import team_update
from teams.tests.factories import CycleFactory, MembershipFactory, TeamFactory

pytestmark = pytest.mark.django_db

UTC = datetime.UTC


def maintained() -> set[tuple]:
    return set(PracticeDay.objects.values_list("team_id", "user_id", "day", "minutes", "sessions"))


def from_logs() -> set[tuple]:
    """The rollups computed in Python from the logs: the oracle neither SQL path shares."""
    tz = {t.pk: zoneinfo.ZoneInfo(t.timezone) for t in Team.objects.all()}
    days: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])
    for log in PracticeLog.objects.all():
        key = (log.team_id, log.user_id, log.occurred_at.astimezone(tz[log.team_id]).date())
        days[key][0] += log.duration_minutes
        days[key][1] += 1
    return {(*key, minutes, sessions) for key, (minutes, sessions) in days.items()}


def test_a_rebuild_equals_the_maintained_rollups_after_random_writes():
    rng = random.Random(18)  # noqa: S311 - a reproducible test sequence
    now = datetime.datetime.now(UTC)
    teams = [
        TeamFactory(timezone="America/New_York"),
        TeamFactory(timezone="Asia/Kolkata"),
        TeamFactory(timezone="UTC"),
    ]
    cycles = {team.pk: CycleFactory(team=team) for team in teams}
    members = [MembershipFactory(team=team) for team in teams for _ in range(3)]
    # One person in two teams: their logs roll up per team.
    members.append(MembershipFactory(team=teams[1], user=members[0].user))
    staff = UserFactory(is_staff=True, is_superuser=True)
    admin = PracticeLogAdmin(PracticeLog, None)
    request = RequestFactory().post("/admin/")
    request.user = staff
    logs: list[PracticeLog] = []
    moved_across_midnight = timezone_changes = 0

    def near_midnight(team: Team) -> datetime.datetime:
        """A few minutes either side of a local midnight in the past fortnight."""
        tz = zoneinfo.ZoneInfo(team.timezone)
        day = now.astimezone(tz).date() - datetime.timedelta(days=rng.randint(1, 14))
        midnight = datetime.datetime.combine(day, datetime.time.min, tzinfo=tz)
        return midnight + datetime.timedelta(minutes=rng.choice([-7, -1, 0, 1, 7]))

    for step in range(160):
        action = rng.random()
        live = [m for m in members if Membership.objects.filter(pk=m.pk).exists()]
        if action < 0.45 or not logs:
            m = rng.choice(live)
            team = Team.objects.get(pk=m.team_id)
            log = services.practice_log_create(
                membership=m,
                cycle=cycles[m.team_id],
                duration_minutes=rng.randint(1, 120),
                occurred_at=near_midnight(team),
            )
            logs.append(log)
        elif action < 0.7:
            log = PracticeLog.objects.get(pk=rng.choice(logs).pk)
            m = Membership.objects.filter(team_id=log.team_id, user_id=log.user_id).first()
            team = Team.objects.get(pk=log.team_id)
            tz = zoneinfo.ZoneInfo(team.timezone)
            new_at = near_midnight(team)
            moved_across_midnight += (
                new_at.astimezone(tz).date() != log.occurred_at.astimezone(tz).date()
            )
            changes = {"occurred_at": new_at, "duration_minutes": rng.randint(1, 120)}
            if m is not None and rng.random() < 0.7:
                services.practice_log_update(membership=m, log=log, changes=changes)
            else:  # staff correct a log in the admin console (also a departed member's)
                for key, value in changes.items():
                    setattr(log, key, value)
                admin.save_model(request, log, None, True)
        elif action < 0.85:
            log = rng.choice(logs)
            logs.remove(log)
            log = PracticeLog.objects.get(pk=log.pk)
            m = Membership.objects.filter(team_id=log.team_id, user_id=log.user_id).first()
            if m is not None and rng.random() < 0.7:
                services.practice_log_delete(membership=m, log=log)
            else:
                admin.delete_model(request, log)
        elif action < 0.9 and len(live) > 4:
            # A member leaves: their logs stay, and so do their days.
            rng.choice(live).delete()
        elif action < 0.95:
            team = Team.objects.get(pk=rng.choice(teams).pk)
            new = rng.choice(["Pacific/Auckland", "Europe/Berlin", "America/Los_Angeles", "UTC"])
            if new != team.timezone:
                team_update(team=team, timezone_name=new)
                timezone_changes += 1
        else:
            chosen = PracticeLog.objects.filter(pk__in=[log.pk for log in logs[:3]])
            logs = logs[3:]
            admin.delete_queryset(request, chosen)
        if step % 40 == 39:
            assert maintained() == from_logs(), step

    assert moved_across_midnight >= 5 and timezone_changes >= 2
    before = maintained()
    assert before == from_logs() and len(before) > 20
    assert not PracticeDay.objects.filter(sessions__lte=0).exists()
    practice_rollups_rebuild()
    assert maintained() == before
    practice_rollups_rebuild(team_ids=[teams[0].pk])
    assert maintained() == before


def test_a_timezone_change_moves_every_log_to_its_new_local_day():
    team = TeamFactory(timezone="UTC")
    m = MembershipFactory(team=team)
    cycle = CycleFactory(team=team)
    at = datetime.datetime(2026, 11, 2, 23, 30, tzinfo=UTC)  # Monday 23:30 UTC
    services.practice_log_create(membership=m, cycle=cycle, duration_minutes=20, occurred_at=at)
    assert maintained() == {(team.pk, m.user_id, datetime.date(2026, 11, 2), 20, 1)}
    team_update(team=team, timezone_name="Europe/Berlin")  # 00:30 on Tuesday there
    assert maintained() == {(team.pk, m.user_id, datetime.date(2026, 11, 3), 20, 1)}


def test_the_command_rebuilds_one_team_or_all(capsys):
    team, other = TeamFactory(), TeamFactory()
    for t in (team, other):
        services.practice_log_create(
            membership=MembershipFactory(team=t), cycle=CycleFactory(team=t), duration_minutes=5
        )
    expected = maintained()
    PracticeDay.objects.all().update(minutes=999)
    call_command("rebuild_practice_rollups", "--team", str(team.pk))
    assert {row for row in maintained() if row[0] == team.pk} == {
        row for row in expected if row[0] == team.pk
    }
    assert {row[3] for row in maintained() if row[0] == other.pk} == {999}
    call_command("rebuild_practice_rollups")
    assert maintained() == expected
    assert "1 member-days" in capsys.readouterr().out


@pytest.mark.django_db(transaction=True)
def test_concurrent_writes_of_one_member_and_day_add_up_and_a_timezone_change_waits(
    require_postgres,
):
    """Real threads on PostgreSQL: eight logs of one member on one local day, written at
    once with a timezone change of the team, leave the rollups equal to the logs."""
    from teams.tests.conftest import run_concurrently

    team = TeamFactory(timezone="UTC")
    m = MembershipFactory(team=team)
    cycle = CycleFactory(team=team)
    at = datetime.datetime(2026, 11, 2, 23, 30, tzinfo=UTC)

    def log(minutes: int):
        return lambda: (
            services.practice_log_create(
                membership=m, cycle=cycle, duration_minutes=minutes, occurred_at=at
            ).pk
        )

    def move_timezone():
        return team_update(team=Team.objects.get(pk=team.pk), timezone_name="Europe/Berlin").pk

    results = run_concurrently([*(log(n) for n in range(1, 9)), move_timezone])
    assert not [r for r in results if isinstance(r, Exception)], results
    # Whichever order they committed in, every log is on its Berlin day (Tuesday 00:30).
    assert (
        maintained()
        == from_logs()
        == {(team.pk, m.user_id, datetime.date(2026, 11, 3), sum(range(1, 9)), 8)}
    )
