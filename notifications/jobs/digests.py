"""What the two weekly digest jobs share: who reads them, in batches, once per ISO week."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from django.db.models import DateTimeField, Exists, OuterRef, QuerySet

from notifications.jobs.base import (
    JobContext,
    JobOutcome,
    local_midnight,
    pref,
    preferences_of,
    team_timezones,
)
from notifications.kinds import Kind
from notifications.models import EmailDelivery
from notifications.outbox import enqueue_rows
from notifications.sql import choose
from teams.models import Membership, Team

BATCH_SIZE = 500


def week_starts(now: datetime.datetime) -> tuple[dict[str, datetime.datetime], datetime.datetime]:
    """Per team timezone: when this Monday-to-Sunday week began there (and for UTC)."""

    def monday(zone: Any) -> datetime.datetime:
        today = now.astimezone(zone).date()
        return local_midnight(today - datetime.timedelta(days=today.weekday()), zone)

    zones = team_timezones(Team.objects.values_list("timezone", flat=True).distinct())
    return {name: monday(zone) for name, zone in zones.items()}, monday(datetime.UTC)


def iso_week(now: datetime.datetime, team: Team) -> str:
    year, week, _ = now.astimezone(team.tzinfo).date().isocalendar()
    return f"{year}-W{week:02d}"


def readers(ctx: JobContext, kind: Kind, members: QuerySet) -> tuple[int, QuerySet]:
    """(considered, eligible): ``members`` with e-mail and the digest on, not yet sent this week."""
    starts, utc_start = week_starts(ctx.now)
    week_start = choose("team__timezone", starts, default=utc_start, output_field=DateTimeField())
    members = members.filter(user__is_active=True)
    eligible = (
        members.annotate(prefs=preferences_of("team", "user"))
        .annotate(
            p_email=pref("prefs", "email_enabled"),
            p_digest=pref("prefs", "weekly_digest_enabled"),
            week_start=week_start,
        )
        .filter(p_email=True, p_digest=True)
        .exclude(
            Exists(
                EmailDelivery.objects.filter(
                    kind=kind.name,
                    user_id=OuterRef("user_id"),
                    team_id=OuterRef("team_id"),
                    created_at__gte=OuterRef("week_start"),
                )
            )
        )
        .select_related("team", "user")
        .order_by("pk")
    )
    return members.count(), eligible


def batches(queryset: QuerySet, size: int = BATCH_SIZE) -> Iterator[list[Membership]]:
    """Keyset batches by primary key: constant memory, one query per batch."""
    last = None
    while True:
        page = list((queryset.filter(pk__gt=last) if last is not None else queryset)[:size])
        if not page:
            return
        yield page
        last = page[-1].pk


def run_digest(
    ctx: JobContext,
    kind: Kind,
    members: QuerySet,
    build: Callable[..., dict[Any, dict[str, Any]]],
    subject: Callable[[Team], str],
) -> JobOutcome:
    considered, eligible = readers(ctx, kind, members)
    queued = 0
    for batch in batches(eligible):
        digests = build(batch, now=ctx.now)
        queued += enqueue_rows(_rows(ctx, kind, batch, digests, subject), job_run=ctx.run)
    return JobOutcome(considered=considered, queued=queued)


def _rows(
    ctx: JobContext,
    kind: Kind,
    batch: Sequence[Membership],
    digests: dict[Any, dict[str, Any]],
    subject: Callable[[Team], str],
) -> Iterator[dict[str, Any]]:
    for member in batch:
        yield {
            "kind": kind.name,
            "user_id": member.user_id,
            "team_id": member.team_id,
            # Once per reader per team per ISO week of the team's timezone.
            "dedupe_key": f"{kind.name}:{member.team_id.hex}:{member.user_id.hex}:{iso_week(ctx.now, member.team)}",
            "to": member.user.email,
            "subject": subject(member.team)[:255],
            "context": digests[member.id],
            "created_at": ctx.now,
            "next_attempt_at": ctx.now,
        }
