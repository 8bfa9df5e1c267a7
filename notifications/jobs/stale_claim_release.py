"""stale_claim_release: warn the owner of a claimed ticket idle for 7 days; release it 3 days later.

"Activity" is anything that touched the ticket: the claim itself, an activity row (comment,
status change, reassignment) or an edit. The warning is recorded for every stale claim, as a
``suppressed`` row when the owner turned e-mail off, so the 3 days are counted from a known
warning whether or not it could be e-mailed, and a ticket is never released without one.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import (
    Case,
    CharField,
    DateTimeField,
    Exists,
    F,
    OuterRef,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Concat, Greatest

from notifications.jobs.base import (
    Crontab,
    Job,
    JobContext,
    JobOutcome,
    pref,
    preferences_of,
    ticket_columns,
)
from notifications.kinds import STALE_CLAIM_RELEASED, STALE_CLAIM_WARNING
from notifications.models import EmailDelivery, EmailStatus
from notifications.outbox import enqueue_rows, enqueue_select
from notifications.sql import EpochSeconds, UUIDHex
from tickets.models import (
    STALE_RELEASE_NOTE,
    Ticket,
    TicketActivity,
    TicketActivityType,
    TicketStatus,
)

WARN_AFTER = datetime.timedelta(days=7)
RELEASE_AFTER_WARNING = datetime.timedelta(days=3)
RELEASE_BATCH = 500
RELEASE_NOTE = STALE_RELEASE_NOTE


def claimed_open_tickets(now: datetime.datetime):  # type: ignore[no-untyped-def]
    latest_activity = (
        TicketActivity.objects.filter(ticket_id=OuterRef("pk"))
        .order_by("-created_at")
        .values("created_at")[:1]
    )
    claimed_at = Coalesce(F("claimed_at"), F("updated_at"))
    return Ticket.objects.filter(
        status=TicketStatus.OPEN, claimed_by__isnull=False, owner__isnull=False
    ).annotate(
        last_activity=Greatest(
            claimed_at,
            F("updated_at"),
            Coalesce(Subquery(latest_activity), claimed_at),
            output_field=DateTimeField(),
        )
    )


def warning_key():  # type: ignore[no-untyped-def]
    """The dedupe key of the warning for the current idle episode (what a release checks)."""
    return Concat(
        Value(f"{STALE_CLAIM_WARNING.name}:"),
        UUIDHex("id"),
        Value(":"),
        Cast(EpochSeconds("last_activity"), CharField()),
        output_field=CharField(),
    )


def warn(ctx: JobContext) -> int:
    stale = (
        claimed_open_tickets(ctx.now)
        .filter(last_activity__lte=ctx.now - WARN_AFTER)
        .annotate(prefs=preferences_of("team", "owner"))
        .annotate(p_email=pref("prefs", "email_enabled"))
    )
    columns = ticket_columns(
        ctx,
        kind=STALE_CLAIM_WARNING,
        recipient="owner",
        episode=F("last_activity"),
        subject_prefix="Still working on this? ",
        extra={
            "release_days": Value(RELEASE_AFTER_WARNING.days),
            "idle_days": Value(WARN_AFTER.days),
        },
    )
    columns["status"] = Case(
        When(p_email=True, owner__is_active=True, then=Value(EmailStatus.PENDING)),
        default=Value(EmailStatus.SUPPRESSED),
        output_field=CharField(),
    )
    return enqueue_select(stale, columns)


def release(ctx: JobContext) -> tuple[int, int]:
    """Unclaim, in batches, the tickets whose warning is 3 days old with no activity since.

    Each batch locks its tickets and re-checks the condition under the lock, so a comment or
    an unclaim that lands meanwhile wins over the release. Returns (released, e-mails queued).
    """
    warned = EmailDelivery.objects.filter(
        dedupe_key=OuterRef("warning_key"), created_at__lte=ctx.now - RELEASE_AFTER_WARNING
    )
    releasable = (
        claimed_open_tickets(ctx.now)
        .filter(last_activity__lte=ctx.now - WARN_AFTER - RELEASE_AFTER_WARNING)
        .annotate(warning_key=warning_key())
        .filter(Exists(warned))
    )
    released = queued = 0
    while True:
        with transaction.atomic():
            batch = list(
                releasable.select_for_update(of=("self",), skip_locked=True).values(
                    "id", "team_id", "title", "created_by_id", "created_by__email", "last_activity"
                )[:RELEASE_BATCH]
            )
            if not batch:
                break
            ids = [row["id"] for row in batch]
            Ticket.objects.filter(pk__in=ids).update(
                owner=None, claimed_by=None, claimed_at=None, updated_at=ctx.now
            )
            note = RELEASE_NOTE.format(days=(WARN_AFTER + RELEASE_AFTER_WARNING).days)
            TicketActivity.objects.bulk_create(
                [
                    TicketActivity(
                        ticket_id=row["id"],
                        # No user and STALE_RELEASE_NOTE: how outcomes tell a release by
                        # this job from a person's unclaim (tickets.selectors.stale_release_q).
                        user=None,
                        type=TicketActivityType.REASSIGNED,
                        content=note,
                        # As an unclaim records it; the status of an OPEN ticket stays OPEN.
                        old_status=TicketStatus.OPEN,
                        new_status=TicketStatus.OPEN,
                        created_at=ctx.now,
                    )
                    for row in batch
                ]
            )
            queued += enqueue_rows(
                (
                    {
                        "kind": STALE_CLAIM_RELEASED.name,
                        "user_id": row["created_by_id"],
                        "team_id": row["team_id"],
                        "dedupe_key": f"{STALE_CLAIM_RELEASED.name}:{row['id'].hex}:{int(row['last_activity'].timestamp())}",
                        "to": row["created_by__email"],
                        "subject": f"Ticket released: {row['title']}"[:255],
                        "context": {
                            "ticket_id": row["id"].hex,
                            "title": row["title"],
                            "idle_days": (WARN_AFTER + RELEASE_AFTER_WARNING).days,
                        },
                        "created_at": ctx.now,
                        "next_attempt_at": ctx.now,
                    }
                    for row in batch
                    if row["created_by_id"] and row["created_by__email"]
                ),
                job_run=ctx.run,
            )
            released += len(batch)
    return released, queued


def run(ctx: JobContext) -> JobOutcome:
    considered = claimed_open_tickets(ctx.now).count()
    released, release_queued = release(ctx)
    warned = warn(ctx)
    return JobOutcome(
        considered=considered, queued=warned + release_queued, extra={"released": released}
    )


JOB = Job(
    name="stale_claim_release",
    description="Warns the owner of a claimed ticket idle for 7 days; 3 days after the warning, unclaims it and tells the creator.",
    schedule=Crontab(minute="0", hour="10"),
    run=run,
)
