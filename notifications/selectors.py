"""Reads on a user's behalf: effective preferences, own e-mail history, job runs."""

from __future__ import annotations

from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery

from notifications.models import PREFERENCE_DEFAULTS, EmailDelivery, JobRun, NotificationPreference
from teams.models import Team

PREFERENCE_FIELDS = tuple(PREFERENCE_DEFAULTS)


def preference_get_for_user(*, user: Any, team: Team) -> dict[str, Any]:
    """The member's effective preferences: the saved row, or the defaults without one."""
    saved = (
        NotificationPreference.objects.filter(user=user, team=team)
        .values(*PREFERENCE_FIELDS)
        .first()
    )
    return dict(saved) if saved else dict(PREFERENCE_DEFAULTS)


def email_delivery_list_for_user(*, user: Any, team: Team) -> QuerySet:
    """The e-mails sent (or decided) for the caller in this team; nobody else's."""
    return EmailDelivery.objects.filter(user=user, team=team).values(
        "id", "kind", "subject", "status", "sent_at", "created_at"
    )


def job_run_list(*, job_name: str | None = None, status: str | None = None) -> QuerySet:
    runs = JobRun.objects.all()
    if job_name:
        runs = runs.filter(job_name=job_name)
    if status:
        runs = runs.filter(status=status)
    return runs


def job_run_latest_by_name(names: list[str]) -> dict[str, JobRun]:
    """Each job's most recent run, in one query."""
    latest = (
        JobRun.objects.filter(job_name=OuterRef("job_name"))
        .order_by("-created_at", "-id")
        .values("pk")[:1]
    )
    runs = JobRun.objects.filter(job_name__in=names, pk=Subquery(latest))
    return {run.job_name: run for run in runs}
