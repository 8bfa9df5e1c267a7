"""The default django-celery-beat schedules, installed after ``migrate`` (idempotent).

A schedule that exists is left alone: staff may have changed or disabled it in the admin.
Rows are saved through the models, which is what tells beat to reload (PITFALLS).
"""

from __future__ import annotations

import datetime
import json
from typing import Any

import structlog
from django.db import connections

from notifications.jobs import JOBS
from notifications.jobs.base import Crontab

logger = structlog.get_logger("practiceops.jobs")

SCHEDULED_JOB_TASK = "notifications.scheduled_job"
OUTBOX_RETRY_NAME = "email_outbox_retry"
OUTBOX_RETRY_TASK = "notifications.email_outbox_retry"
OUTBOX_RETRY_SCHEDULE = Crontab(minute="*/5")


def _crontab(schedule: Crontab, using: str) -> Any:
    from django_celery_beat.models import CrontabSchedule

    crontab, _ = CrontabSchedule.objects.using(using).get_or_create(
        minute=schedule.minute,
        hour=schedule.hour,
        day_of_week=schedule.day_of_week,
        day_of_month=schedule.day_of_month,
        month_of_year=schedule.month_of_year,
        timezone="UTC",
    )
    return crontab


def schedules_install(*, using: str = "default") -> list[str]:
    """Create each missing default periodic task; returns the names created."""
    from django_celery_beat.models import PeriodicTask

    wanted = {
        job.name: (SCHEDULED_JOB_TASK, job.schedule, {"job_name": job.name}, job.description)
        for job in JOBS.values()
    }
    wanted[OUTBOX_RETRY_NAME] = (
        OUTBOX_RETRY_TASK,
        OUTBOX_RETRY_SCHEDULE,
        {},
        "Queues the e-mails of the outbox that are due and that no worker holds.",
    )
    existing = set(
        PeriodicTask.objects.using(using).filter(name__in=wanted).values_list("name", flat=True)
    )
    created = []
    for name, (task, schedule, kwargs, description) in wanted.items():
        if name in existing:
            continue
        PeriodicTask(
            name=name,
            task=task,
            crontab=_crontab(schedule, using),
            kwargs=json.dumps(kwargs),
            description=description,
            enabled=True,
        ).save(using=using)
        created.append(name)
    if created:
        logger.info("job_schedules_installed", names=created)
    return created


def install_after_migrate(sender: Any, using: str = "default", **kwargs: Any) -> None:
    """post_migrate receiver: install the schedules once both tables exist."""
    tables = set(connections[using].introspection.table_names())
    if {
        "django_celery_beat_periodictask",
        "django_celery_beat_crontabschedule",
        "job_runs",
    } <= tables:
        schedules_install(using=using)


def describe(task: Any | None, now: datetime.datetime) -> dict[str, Any]:
    """A periodic task's schedule (crontab text, UTC), whether it is on, and its next run."""
    if task is None:
        return {"schedule": None, "enabled": False, "next_run_at": None}
    scheduler = task.crontab or task.interval
    if task.crontab:
        c = task.crontab
        text = f"{c.minute} {c.hour} {c.day_of_month} {c.month_of_year} {c.day_of_week}"
    elif task.interval:
        text = f"every {task.interval.every} {task.interval.period}"
    else:
        text = str(task.scheduler) if task.scheduler else None
    next_run_at = None
    if task.enabled and scheduler is not None:
        try:
            estimate = now + scheduler.schedule.remaining_estimate(task.last_run_at or now)
            next_run_at = (estimate + datetime.timedelta(seconds=30)).replace(
                second=0, microsecond=0
            )
            next_run_at = max(next_run_at, now.replace(second=0, microsecond=0))
        except Exception:  # noqa: BLE001 - a schedule beat cannot compute has no next run
            next_run_at = None
    return {"schedule": text, "enabled": bool(task.enabled), "next_run_at": next_run_at}
