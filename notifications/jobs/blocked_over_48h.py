"""blocked_over_48h: section leaders (or admins) of tickets BLOCKED for more than 48 hours."""

from __future__ import annotations

import datetime

from django.db.models import Exists, F, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce

from notifications.jobs.base import Crontab, Job, JobContext, JobOutcome, ticket_columns
from notifications.kinds import BLOCKED_OVER_48H
from notifications.models import PREFERENCE_DEFAULTS, NotificationPreference
from notifications.outbox import enqueue_select
from notifications.sql import EpochSeconds
from teams.models import Membership, Role
from tickets.models import Ticket, TicketActivity, TicketStatus

THRESHOLD = datetime.timedelta(hours=48)
RECIPIENT = "team__memberships__user"


def run(ctx: JobContext) -> JobOutcome:
    latest_block = (
        TicketActivity.objects.filter(ticket_id=OuterRef("pk"), new_status=TicketStatus.BLOCKED)
        .order_by("-created_at")
        .values("created_at")[:1]
    )
    # The episode starts with the latest move into BLOCKED; a ticket set BLOCKED without an
    # activity row (data loaded by a script) counts from its last change.
    tickets = (
        Ticket.objects.filter(status=TicketStatus.BLOCKED)
        .annotate(blocked_since=Coalesce(Subquery(latest_block), F("updated_at")))
        .filter(blocked_since__lte=ctx.now - THRESHOLD)
    )
    section_has_leader = Exists(
        Membership.objects.filter(
            team_id=OuterRef("team_id"), role=Role.SECTION_LEADER, section=OuterRef("section")
        )
    )
    # One filter() call: every condition on the joined membership applies to the same row.
    pairs = tickets.filter(
        Q(team__memberships__role=Role.SECTION_LEADER, team__memberships__section=F("section"))
        | (Q(team__memberships__role=Role.ADMIN) & (Q(section__isnull=True) | ~section_has_leader)),
        team__memberships__user__is_active=True,
    )
    considered = pairs.count()
    prefs = NotificationPreference.objects.filter(
        team_id=OuterRef("team_id"), user_id=OuterRef(RECIPIENT)
    )
    candidates = pairs.annotate(
        p_email=Coalesce(
            Subquery(prefs.values("email_enabled")[:1]), Value(PREFERENCE_DEFAULTS["email_enabled"])
        )
    ).filter(p_email=True)
    queued = enqueue_select(
        candidates,
        ticket_columns(
            ctx,
            kind=BLOCKED_OVER_48H,
            recipient=RECIPIENT,
            episode=F("blocked_since"),
            per_recipient=True,
            subject_prefix="Ticket blocked for over 48 hours: ",
            extra={"blocked_since_epoch": EpochSeconds("blocked_since")},
        ),
    )
    return JobOutcome(considered=considered, queued=queued)


JOB = Job(
    name="blocked_over_48h",
    description="Tells the section leaders (or the admins) about tickets BLOCKED for over 48 hours, once per blocked episode.",
    schedule=Crontab(minute="0", hour="*/6"),
    run=run,
)
