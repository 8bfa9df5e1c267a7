"""blocking_due_48h: owners of BLOCKING tickets due within 48 hours or overdue."""

from __future__ import annotations

import datetime

from django.db.models import Exists, F, OuterRef

from notifications.jobs.base import (
    Crontab,
    Job,
    JobContext,
    JobOutcome,
    pref,
    preferences_of,
    ticket_columns,
)
from notifications.kinds import BLOCKING_DUE_48H
from notifications.outbox import enqueue_select
from practice.models import Priority
from teams.models import Membership
from tickets.models import CLOSED_STATUSES, Ticket

WINDOW = datetime.timedelta(hours=48)


def run(ctx: JobContext) -> JobOutcome:
    tickets = Ticket.objects.filter(
        priority=Priority.BLOCKING,
        due_at__isnull=False,
        due_at__lte=ctx.now + WINDOW,
        owner__isnull=False,
        owner__is_active=True,
    ).exclude(status__in=CLOSED_STATUSES)
    considered = tickets.count()
    candidates = (
        tickets.annotate(prefs=preferences_of("team", "owner"))
        .annotate(p_email=pref("prefs", "email_enabled"))
        .filter(p_email=True)
        .filter(
            Exists(
                Membership.objects.filter(team_id=OuterRef("team_id"), user_id=OuterRef("owner_id"))
            )
        )
    )
    queued = enqueue_select(
        candidates,
        ticket_columns(
            ctx,
            kind=BLOCKING_DUE_48H,
            recipient="owner",
            # Once per ticket per due date: moving the due date is news, the next 6-hourly
            # run is not (the first PracticeOps re-sent every 6 hours).
            episode=F("due_at"),
            subject_prefix="Blocking ticket due soon: ",
        ),
    )
    return JobOutcome(considered=considered, queued=queued)


JOB = Job(
    name="blocking_due_48h",
    description="Tells the owner of each open BLOCKING ticket due within 48 hours (or overdue), once per due date.",
    schedule=Crontab(minute="0", hour="*/6"),
    run=run,
)
