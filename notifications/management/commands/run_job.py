"""python manage.py run_job NAME [--sync]: start a job run; with --sync, run it here and print its stats."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from notifications.jobs import JOBS, job_get
from notifications.models import JobStatus, JobTrigger
from notifications.runner import job_run_create, job_run_execute, job_run_start
from practiceops.core.errors import ServiceUnavailable


class Command(BaseCommand):
    help = "Run a scheduled job now. Without --sync the run goes to a Celery worker."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("name", help=f"one of: {', '.join(JOBS)}")
        parser.add_argument(
            "--sync", action="store_true", help="run in this process and print the stats"
        )

    def handle(self, *args: Any, name: str, sync: bool, **options: Any) -> None:
        if job_get(name) is None:
            raise CommandError(f"Unknown job: {name} (known: {', '.join(JOBS)})")
        if sync:
            run = job_run_create(job_name=name, trigger=JobTrigger.MANUAL)
            run = job_run_execute(run.id)
            assert run is not None
            self.stdout.write(
                json.dumps(
                    {
                        "run_id": str(run.id),
                        "job_name": run.job_name,
                        "status": run.status,
                        "duration_ms": run.duration_ms,
                        "stats": run.stats,
                        "error": run.error,
                    }
                )
            )
            if run.status != JobStatus.SUCCESS:
                raise CommandError(f"{name} failed: {run.error}")
            return
        try:
            run, _ = job_run_start(job_name=name, trigger=JobTrigger.MANUAL)
        except ServiceUnavailable as exc:
            raise CommandError(
                f"{exc.message}: is the broker (CELERY_BROKER_URL) running?"
            ) from exc
        run.refresh_from_db()
        self.stdout.write(
            json.dumps(
                {
                    "run_id": str(run.id),
                    "job_name": run.job_name,
                    "status": run.status,
                    "stats": run.stats,
                }
            )
        )
