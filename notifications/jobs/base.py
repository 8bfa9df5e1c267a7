"""What every job shares: its description and schedule, its run context, and SQL helpers."""

from __future__ import annotations

import datetime
import zoneinfo
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import F, FilteredRelation, Q, Value
from django.db.models.functions import Coalesce

from notifications.models import PREFERENCE_DEFAULTS, JobRun


@dataclass(frozen=True)
class Crontab:
    """A default schedule, always in UTC (PITFALLS: crontab timezones and DST)."""

    minute: str = "0"
    hour: str = "*"
    day_of_week: str = "*"
    day_of_month: str = "*"
    month_of_year: str = "*"

    def __str__(self) -> str:
        return (
            f"{self.minute} {self.hour} {self.day_of_month} {self.month_of_year} {self.day_of_week}"
        )


@dataclass(frozen=True)
class JobContext:
    run: JobRun
    now: datetime.datetime


@dataclass(frozen=True)
class JobOutcome:
    """``considered``: candidates examined; ``queued``: outbox rows this run inserted."""

    considered: int
    queued: int
    # Job-specific counts shown with the stats (e.g. tickets released).
    extra: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Job:
    name: str
    description: str
    schedule: Crontab
    run: Callable[[JobContext], JobOutcome]


def preferences_of(team_path: str, user_path: str) -> FilteredRelation:
    """A LEFT JOIN to the recipient's preferences row in that team (absent: the defaults).

    ``team_path`` / ``user_path`` lead from the queried model to the team and the recipient.
    """
    relation = f"{team_path}__notification_preferences" if team_path else "notification_preferences"
    return FilteredRelation(relation, condition=Q(**{f"{relation}__user": F(user_path)}))


def pref(alias: str, name: str) -> Coalesce:
    """An effective preference: the saved value, or the default for a member without a row."""
    return Coalesce(F(f"{alias}__{name}"), Value(PREFERENCE_DEFAULTS[name]))


def team_timezones(names: Iterable[str]) -> dict[str, zoneinfo.ZoneInfo]:
    """Each distinct team timezone name with its zone (an unknown name counts as UTC)."""
    zones = {}
    for name in names:
        try:
            zones[name] = zoneinfo.ZoneInfo(name)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            zones[name] = zoneinfo.ZoneInfo("UTC")
    return zones


def local_midnight(day: datetime.date, tz: zoneinfo.ZoneInfo) -> datetime.datetime:
    """The instant a calendar day starts in ``tz``, in UTC."""
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=tz).astimezone(datetime.UTC)


def run_id_value(ctx: JobContext) -> Any:
    from django.db.models import UUIDField

    return Value(ctx.run.id, output_field=UUIDField())


def ticket_columns(
    ctx: JobContext,
    *,
    kind: Any,
    recipient: str,
    episode: Any,
    subject_prefix: str,
    per_recipient: bool = False,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The outbox columns of a ticket e-mail, for a queryset of tickets.

    ``recipient`` is the path to the recipient's user FK (``owner``, or a joined membership's
    ``…__user``); ``episode`` a timestamp expression that, with the ticket (and recipient when
    ``per_recipient``), makes the dedupe key: the same episode is never e-mailed twice.
    """
    from django.db.models import CharField, DateTimeField
    from django.db.models.functions import Cast, Concat, JSONObject, Left

    from notifications.models import EmailStatus
    from notifications.sql import EpochSeconds, NewUUID, UUIDHex

    key = [
        Value(f"{kind.name}:"),
        UUIDHex("id"),
        Value(":"),
        Cast(EpochSeconds(episode), CharField()),
    ]
    if per_recipient:
        key += [Value(":"), UUIDHex(recipient)]
    return {
        "id": NewUUID(),
        "kind": Value(kind.name),
        "user": F(recipient),
        "team": F("team_id"),
        "job_run": run_id_value(ctx),
        "dedupe_key": Concat(*key, output_field=CharField()),
        "to": F(f"{recipient}__email"),
        "subject": Left(Concat(Value(subject_prefix), F("title"), output_field=CharField()), 255),
        "template": Value(kind.template),
        "context": JSONObject(
            ticket_id=UUIDHex("id"),
            title=F("title"),
            status=F("status"),
            priority=F("priority"),
            section=F("section"),
            song_ref=F("song_ref"),
            measures=F("measures"),
            due_at_epoch=EpochSeconds("due_at"),
            **(extra or {}),
        ),
        "status": Value(EmailStatus.PENDING),
        "attempts": Value(0),
        "next_attempt_at": Value(ctx.now, output_field=DateTimeField()),
        "created_at": Value(ctx.now, output_field=DateTimeField()),
    }
