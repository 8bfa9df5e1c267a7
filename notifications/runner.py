"""Job runs: queued → running → success | failure, with stats and the three log events."""

from __future__ import annotations

import datetime
import time
import uuid
from collections.abc import Iterable
from typing import Any

import structlog
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from notifications.jobs import job_get
from notifications.models import EmailStatus, JobRun, JobStatus, JobTrigger
from notifications.outbox import dispatch_sends, status_counts
from practiceops.core.errors import NotFound

logger = structlog.get_logger("practiceops.jobs")

ERROR_MAX_LENGTH = 2000
# A run still "running" after this long was lost with its worker; it may be started again.
STALE_RUN_AFTER = datetime.timedelta(hours=1)


def job_run_create(
    *, job_name: str, trigger: str, requested_by: Any | None = None, request_id: str | None = None
) -> JobRun:
    if job_get(job_name) is None:
        raise NotFound(f"Unknown job: {job_name}")
    return JobRun.objects.create(
        job_name=job_name,
        trigger=trigger,
        requested_by=requested_by if getattr(requested_by, "is_authenticated", False) else None,
        request_id=request_id,
        status=JobStatus.QUEUED,
    )


def job_run_mark_failed(*, run: JobRun, error: str) -> None:
    now = timezone.now()
    JobRun.objects.filter(pk=run.pk, status=JobStatus.QUEUED).update(
        status=JobStatus.FAILURE, finished_at=now, error=error[:ERROR_MAX_LENGTH]
    )
    run.refresh_from_db()


def job_run_execute(run_id: uuid.UUID | str) -> JobRun | None:
    """Run a queued job in this process. Safe to call twice: only one call claims the run."""
    now = timezone.now()
    claimed = (
        JobRun.objects.filter(pk=run_id)
        .filter(
            Q(status=JobStatus.QUEUED)
            | Q(status=JobStatus.RUNNING, started_at__lt=now - STALE_RUN_AFTER)
        )
        .update(status=JobStatus.RUNNING, started_at=now, finished_at=None, error=None)
    )
    run = JobRun.objects.filter(pk=run_id).first()
    if not claimed or run is None:
        logger.info("job_run_skipped", run_id=str(run_id), status=run.status if run else None)
        return run
    job = job_get(run.job_name)
    bound = {"job_name": run.job_name, "run_id": str(run.id), "trigger": run.trigger}
    if run.request_id:
        bound["request_id"] = run.request_id
    with structlog.contextvars.bound_contextvars(**bound):
        logger.info("job_started")
        started = time.perf_counter()
        try:
            if job is None:
                raise LookupError(f"Unknown job: {run.job_name}")
            outcome = job.run(_context(run, now))
            stats = {
                "considered": outcome.considered,
                "queued": outcome.queued,
                "skipped": max(outcome.considered - outcome.queued, 0),
                "sent": 0,
                "failed": 0,
                **outcome.extra,
            }
            # Stored before the sends are queued: their stats refresh builds on these counts.
            JobRun.objects.filter(pk=run.pk).update(stats=stats)
            dispatch_sends(job_run_id=run.id, count=outcome.queued)
        except Exception as exc:  # noqa: BLE001 - a failed run is recorded, not raised
            duration_ms = int((time.perf_counter() - started) * 1000)
            error = f"{exc.__class__.__name__}: {exc}"[:ERROR_MAX_LENGTH]
            JobRun.objects.filter(pk=run.pk).update(
                status=JobStatus.FAILURE,
                finished_at=timezone.now(),
                duration_ms=duration_ms,
                error=error,
            )
            logger.exception("job_failed", error=error, duration_ms=duration_ms)
            run.refresh_from_db()
            return run
        duration_ms = int((time.perf_counter() - started) * 1000)
        JobRun.objects.filter(pk=run.pk).update(
            status=JobStatus.SUCCESS, finished_at=timezone.now(), duration_ms=duration_ms
        )
        run = job_run_refresh_stats([run.pk])[0]
        logger.info("job_finished", duration_ms=duration_ms, stats=run.stats)
    return run


def _context(run: JobRun, now: datetime.datetime) -> Any:
    from notifications.jobs.base import JobContext

    return JobContext(run=run, now=now)


def job_run_refresh_stats(run_ids: Iterable[Any]) -> list[JobRun]:
    """Recount a run's sent/failed/suppressed e-mails into its stats.

    The run row is locked while counting: of two send tasks finishing at once, the second
    counts after the first has written, so neither overwrites the other with a stale count.
    """
    runs = []
    for run_id in sorted(run_ids, key=str):
        with transaction.atomic():
            run = JobRun.objects.select_for_update().get(pk=run_id)
            counts = status_counts(run.pk)
            stats = dict(run.stats or {})
            considered = int(stats.get("considered", 0))
            queued = int(stats.get("queued", 0))
            stats["sent"] = counts.get(EmailStatus.SENT, 0)
            stats["failed"] = counts.get(EmailStatus.FAILED, 0)
            stats["skipped"] = max(considered - queued, 0) + counts.get(EmailStatus.SUPPRESSED, 0)
            if stats != run.stats:
                run.stats = stats
                run.save(update_fields=["stats"])
            runs.append(run)
    return runs


def job_run_start(
    *,
    job_name: str,
    trigger: str = JobTrigger.MANUAL,
    requested_by: Any | None = None,
    request_id: str | None = None,
) -> tuple[JobRun, dict[str, Any]]:
    """Create a queued run and hand it to a worker (inline without a broker).

    Returns the run and its snapshot as queued. Raises ServiceUnavailable, with the run
    marked failed, when the broker cannot take it.
    """
    from notifications.api.serializers import job_run_output
    from notifications.tasks import dispatch, job_run_task
    from practiceops.core.errors import ServiceUnavailable

    run = job_run_create(
        job_name=job_name, trigger=trigger, requested_by=requested_by, request_id=request_id
    )
    snapshot = job_run_output(run)
    try:
        dispatch(job_run_task, run_id=str(run.id))
    except ServiceUnavailable:
        job_run_mark_failed(run=run, error="Task queue unavailable: the run could not be queued")
        logger.error(
            "job_failed", job_name=job_name, run_id=str(run.id), error="broker unavailable"
        )
        raise
    return run, snapshot
