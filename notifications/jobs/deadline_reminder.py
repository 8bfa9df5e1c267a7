"""deadline_reminder: ticket owners, ``deadline_reminder_hours`` before the due time."""

from __future__ import annotations

import datetime

from django.db.models import Exists, F, OuterRef, Value

from notifications.jobs.base import (
    Crontab,
    Job,
    JobContext,
    JobOutcome,
    pref,
    preferences_of,
    ticket_columns,
)
from notifications.kinds import DEADLINE_REMINDER
from notifications.models import DEADLINE_REMINDER_HOURS_RANGE
from notifications.outbox import enqueue_select
from notifications.sql import EpochSeconds, epoch
from teams.models import Membership
from tickets.models import CLOSED_STATUSES, Ticket

LONGEST_WINDOW = datetime.timedelta(hours=DEADLINE_REMINDER_HOURS_RANGE[1])


def run(ctx: JobContext) -> JobOutcome:
    # Every ticket some owner could want a reminder for; each owner's own window is applied below.
    tickets = Ticket.objects.filter(
        due_at__gt=ctx.now,
        due_at__lte=ctx.now + LONGEST_WINDOW,
        owner__isnull=False,
        owner__is_active=True,
    ).exclude(status__in=CLOSED_STATUSES)
    considered = tickets.count()
    candidates = (
        tickets.annotate(prefs=preferences_of("team", "owner"))
        .annotate(
            p_email=pref("prefs", "email_enabled"),
            p_hours=pref("prefs", "deadline_reminder_hours"),
            due_in_seconds=EpochSeconds("due_at") - Value(epoch(ctx.now)),
        )
        .filter(p_email=True, due_in_seconds__lte=F("p_hours") * 3600)
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
            kind=DEADLINE_REMINDER,
            recipient="owner",
            episode=F("due_at"),
            subject_prefix="Ticket due soon: ",
            extra={"hours": F("p_hours")},
        ),
    )
    return JobOutcome(considered=considered, queued=queued)


JOB = Job(
    name="deadline_reminder",
    description="Reminds each ticket owner deadline_reminder_hours before an open ticket is due, once per due date.",
    schedule=Crontab(minute="0", hour="*"),
    run=run,
)
