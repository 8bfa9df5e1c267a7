"""Celery tasks: thin wrappers that take ids, call one function and own the retry policy."""

from __future__ import annotations

from typing import Any

import structlog
from celery import Task, current_app, shared_task

from practiceops.core.errors import ServiceUnavailable

logger = structlog.get_logger("practiceops.tasks")

PUBLISH_TIMEOUT_SECONDS = 0.75


def dispatch(task: Task, **kwargs: Any) -> None:
    """Queue ``task`` on the broker, or run it inline when the app has no broker.

    A fresh connection with the short timeouts of the settings is used each time, so a dead
    broker costs a request about a second, then ServiceUnavailable, never a hang (PITFALLS).
    """
    app = current_app
    if app.conf.task_always_eager:
        task.apply(kwargs=kwargs, throw=True)
        return
    try:
        # Short socket timeouts for this publishing connection only: a broker that accepts
        # connections but never answers must not hold the request either.
        with app.connection_for_write(
            connect_timeout=PUBLISH_TIMEOUT_SECONDS,
            transport_options={
                "socket_timeout": PUBLISH_TIMEOUT_SECONDS,
                "socket_connect_timeout": PUBLISH_TIMEOUT_SECONDS,
            },
        ) as connection:
            connection.ensure_connection(max_retries=0, timeout=app.conf.broker_connection_timeout)
            task.apply_async(kwargs=kwargs, connection=connection, retry=False)
    except Exception as exc:  # noqa: BLE001 - kombu, redis and socket errors all mean "no broker"
        logger.error("broker_unavailable", task=task.name, error=exc.__class__.__name__)
        raise ServiceUnavailable("Task queue unavailable") from exc


@shared_task(name="notifications.job_run", acks_late=True, ignore_result=True)
def job_run_task(run_id: str) -> None:
    from notifications.runner import job_run_execute

    job_run_execute(run_id)


@shared_task(name="notifications.scheduled_job", acks_late=True, ignore_result=True)
def scheduled_job_task(job_name: str) -> None:
    """What django-celery-beat fires: a run with trigger ``schedule``, executed right here."""
    from notifications.models import JobTrigger
    from notifications.runner import job_run_create, job_run_execute

    run = job_run_create(job_name=job_name, trigger=JobTrigger.SCHEDULE)
    job_run_execute(run.id)


@shared_task(
    bind=True,
    name="notifications.email_send_batch",
    acks_late=True,
    ignore_result=True,
    max_retries=None,
)
def email_send_batch_task(
    self: Task, job_run_id: str | None = None, delivery_ids: list[str] | None = None
) -> None:
    """Send one batch of the outbox; rows that failed transiently come back after a backoff.

    The rows themselves carry the attempt count (at most EMAIL_MAX_ATTEMPTS), so a retried
    or redelivered task cannot send a row more often than that, nor a sent row again.
    """
    from notifications.outbox import send_batch

    result = send_batch(job_run_id=job_run_id, delivery_ids=delivery_ids)
    if not result.retry:
        return
    if self.request.is_eager:
        # In-process (no broker) nothing can hold a delayed retry: retry at once when there
        # is no backoff, otherwise the rows wait, pending, for the outbox sweep.
        while result.retry and result.retry_in == 0:
            result = send_batch(delivery_ids=result.retry)
        return
    raise self.retry(
        kwargs={"delivery_ids": [str(i) for i in result.retry]}, countdown=result.retry_in
    )


@shared_task(name="notifications.email_outbox_retry", ignore_result=True)
def email_outbox_retry_task() -> None:
    """Every few minutes: queue sends for due rows no task holds (a lost worker, a dead broker)."""
    from notifications.outbox import dispatch_sends, due_count

    count = due_count()
    if count:
        dispatch_sends(count=count)
