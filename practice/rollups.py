"""The practice rollups (``PracticeDay``): practice per member per team-local day.

Kept in the transaction of every practice-log write, by the services here (API, web app,
admin console and seed_demo all write through them) and rebuilt in bulk where logs are
written in bulk (seed_scale) or where the day of every log changes (a team's timezone:
``teams.services.team_update`` calls ``practice_rollups_rebuild`` through the hook this app
registers, in the same transaction).

Writes change a row by a delta in one statement (``INSERT … ON CONFLICT DO UPDATE SET
minutes = minutes + …``), so concurrent logs of one member on one day add up whatever the
order they commit in. The day of a log depends on its team's timezone: a log write reads the
timezone with ``FOR SHARE`` on PostgreSQL, so a timezone change (which updates the team row,
then rebuilds) waits for the log writes in flight and they wait for it; SQLite runs one write
transaction at a time.
"""

from __future__ import annotations

import datetime
import uuid
import zoneinfo
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, Sum
from django.db.models.functions import TruncDate

# (team_id, user_id, local day) -> (minutes, sessions) to add (negative to take away).
Key = tuple[uuid.UUID, uuid.UUID, datetime.date]


def team_timezone_for_write(team_id: uuid.UUID) -> zoneinfo.ZoneInfo:
    """The team's timezone, read so that a concurrent timezone change waits for this write
    (and this write for it): ``FOR SHARE`` on the team row on PostgreSQL."""
    from teams.models import Team

    qs = Team.objects.filter(pk=team_id)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT timezone FROM {Team._meta.db_table} WHERE id = %s FOR SHARE",  # noqa: S608  # nosec B608 - the model's table
                [team_id],
            )
            row = cursor.fetchone()
        name = row[0] if row else "UTC"
    else:
        name = qs.values_list("timezone", flat=True).first() or "UTC"
    return timezone_named(name)


def timezone_named(name: str) -> zoneinfo.ZoneInfo:
    """As ``Team.tzinfo``: an unknown name counts as UTC."""
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def local_day(occurred_at: datetime.datetime, tz: zoneinfo.ZoneInfo) -> datetime.date:
    return occurred_at.astimezone(tz).date()


def rollup_apply(changes: Iterable[tuple[Key, int, int]]) -> None:
    """Adds each (key, minutes, sessions) delta to its row, creating or removing rows.

    Must run inside the transaction of the log write it mirrors.
    """
    from practice.models import PracticeDay

    merged: dict[Key, list[int]] = defaultdict(lambda: [0, 0])
    for key, minutes, sessions in changes:
        merged[key][0] += minutes
        merged[key][1] += sessions
    merged = {key: value for key, value in merged.items() if value != [0, 0]}
    if not merged:
        return
    meta = PracticeDay._meta
    table = connection.ops.quote_name(meta.db_table)
    team_f, user_f, day_f = (meta.get_field(n) for n in ("team", "user", "day"))
    sql = (
        f"INSERT INTO {table} (team_id, user_id, day, minutes, sessions) "  # noqa: S608  # nosec B608 - the model's table
        "VALUES (%s, %s, %s, %s, %s) ON CONFLICT (team_id, user_id, day) DO UPDATE SET "
        f"minutes = {table}.minutes + excluded.minutes, "
        f"sessions = {table}.sessions + excluded.sessions"
    )
    with connection.cursor() as cursor:
        for (team_id, user_id, day), (minutes, sessions) in merged.items():
            cursor.execute(
                sql,
                [
                    team_f.get_db_prep_value(team_id, connection),
                    user_f.get_db_prep_value(user_id, connection),
                    day_f.get_db_prep_value(day, connection),
                    minutes,
                    sessions,
                ],
            )
    emptied = [key for key, (_, sessions) in merged.items() if sessions < 0]
    for team_id, user_id, day in emptied:
        PracticeDay.objects.filter(
            team_id=team_id, user_id=user_id, day=day, sessions__lte=0
        ).delete()


def log_changes(log: Any, tz: zoneinfo.ZoneInfo, *, sign: int = 1) -> list[tuple[Key, int, int]]:
    """The rollup delta of adding (sign 1) or taking away (sign -1) one log."""
    key = (log.team_id, log.user_id, local_day(log.occurred_at, tz))
    return [(key, sign * log.duration_minutes, sign)]


@transaction.atomic
def practice_rollups_rebuild(
    *, team_ids: Iterable[uuid.UUID] | None = None, models: Any = None
) -> int:
    """Recomputes the rollups of these teams (every team when None) from their logs.

    Locks the teams' rows (``FOR UPDATE``): log writes, which read the timezone ``FOR
    SHARE``, wait until the rebuild commits. One ``INSERT … SELECT`` per timezone, grouped
    by local day in the database. ``models`` lets a migration pass its historical models.
    Returns the number of rows written.
    """
    if models is None:
        from practice.models import PracticeDay, PracticeLog
        from teams.models import Team
    else:
        PracticeDay, PracticeLog, Team = models  # noqa: N806 - model classes
    teams = Team.objects.all() if team_ids is None else Team.objects.filter(pk__in=list(team_ids))
    by_timezone: dict[str, list[uuid.UUID]] = defaultdict(list)
    for team_id, name in teams.select_for_update().order_by("pk").values_list("pk", "timezone"):
        by_timezone[name].append(team_id)
    all_ids = [team_id for ids in by_timezone.values() for team_id in ids]
    if team_ids is None:
        PracticeDay.objects.all().delete()
    else:
        PracticeDay.objects.filter(team_id__in=all_ids).delete()
    written = 0
    table = connection.ops.quote_name(PracticeDay._meta.db_table)
    for name, ids in by_timezone.items():
        tz = timezone_named(name)
        grouped = (
            PracticeLog.objects.filter(team_id__in=ids)
            .annotate(day=TruncDate("occurred_at", tzinfo=tz))
            .values("team_id", "user_id", "day")
            .annotate(minutes=Sum("duration_minutes"), sessions=Count("id"))
            .order_by()
        )
        select, params = grouped.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (team_id, user_id, day, minutes, sessions) {select}",  # nosec B608 - the ORM's own SELECT
                params,
            )
            written += max(cursor.rowcount, 0)
    return written


def rebuild_after_timezone_change(team: Any) -> None:
    """The hook teams.services runs when a team's timezone changes: every log of the team
    falls on its day in the new timezone (the rows of the old days go)."""
    practice_rollups_rebuild(team_ids=[team.pk])
