"""Time no_log_reminder over a large membership (spec: "a run over 100,000 members takes seconds").

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/practiceops \
        python bench/no_log_reminder.py --members 100000 [--send-batches 20] [--keep]

It builds a throw-away database (``<name>_bench_no_log``), migrates it, bulk-loads teams of
``--team-size`` members (every other member practised today), then runs the job as a worker
would: the selection and the outbox INSERT in the job, the sending in separate batches (here
the first ``--send-batches`` batches, in-process, with Django's dummy e-mail backend, to time
rendering and bookkeeping without an SMTP server). It prints the timings and query counts.
"""

from __future__ import annotations

import argparse
import datetime
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "practiceops.settings.test")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--team-size", type=int, default=50)
    parser.add_argument("--send-batches", type=int, default=20)
    parser.add_argument("--keep", action="store_true", help="keep the bench database afterwards")
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
    connection.settings_dict.setdefault("TEST", {})
    connection.settings_dict["TEST"]["NAME"] = f"{connection.settings_dict['NAME']}_bench_no_log"
    test_db = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    print(f"database: {connection.vendor} {test_db}")
    try:
        seed_started = time.perf_counter()
        seed(args.members, args.team_size)
        print(f"seeded {args.members:,} members in {time.perf_counter() - seed_started:.1f} s")

        import notifications.runner as runner
        from notifications.models import JobTrigger
        from notifications.outbox import send_batch

        queued_batches = []
        runner.dispatch_sends = lambda **kw: queued_batches.append(kw)  # the broker's part
        run = runner.job_run_create(job_name="no_log_reminder", trigger=JobTrigger.MANUAL)
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as ctx:
            run = runner.job_run_execute(run.id)
        job_seconds = time.perf_counter() - started
        print(
            f"job: {job_seconds:.2f} s, {len(ctx.captured_queries)} queries, status {run.status}, "
            f"stats {run.stats}, duration_ms {run.duration_ms}"
        )

        batch_times, batch_queries = [], []
        for _ in range(args.send_batches):
            t0 = time.perf_counter()
            with CaptureQueriesContext(connection) as ctx:
                result = send_batch(job_run_id=run.id)
            batch_times.append(time.perf_counter() - t0)
            batch_queries.append(len(ctx.captured_queries))
            if not result.claimed:
                break
        if batch_times:
            per_batch = sum(batch_times) / len(batch_times)
            size = settings.EMAIL_BATCH_SIZE
            print(
                f"send: {len(batch_times)} batches of {size}, {per_batch * 1000:.0f} ms and "
                f"{max(batch_queries)} queries per batch; {size / per_batch:.0f} e-mails/s per worker"
            )
    finally:
        if not args.keep:
            connection.creation.destroy_test_db(test_db, verbosity=0)


def seed(members: int, team_size: int) -> None:
    from django.db import transaction
    from django.utils import timezone

    from accounts.models import User
    from practice.models import PracticeLog
    from teams.models import Membership, Team

    now = timezone.now()
    zones = ("UTC", "Europe/Berlin", "America/Chicago", "Asia/Tokyo")
    chunk = 5_000
    with transaction.atomic():
        teams = Team.objects.bulk_create(
            [
                Team(name=f"Bench team {n}", timezone=zones[n % len(zones)])
                for n in range(-(-members // team_size))
            ],
            batch_size=chunk,
        )
        for start in range(0, members, chunk):
            users = User.objects.bulk_create(
                [
                    User(email=f"bench{n}@example.com", display_name=f"Singer {n}", password="!")
                    for n in range(start, min(start + chunk, members))
                ],
                batch_size=chunk,
            )
            Membership.objects.bulk_create(
                [
                    Membership(team=teams[(start + i) // team_size], user=u)
                    for i, u in enumerate(users)
                ],
                batch_size=chunk,
            )
            PracticeLog.objects.bulk_create(
                [
                    PracticeLog(
                        user=u,
                        team=teams[(start + i) // team_size],
                        duration_minutes=20,
                        occurred_at=now - datetime.timedelta(hours=2),
                    )
                    for i, u in enumerate(users)
                    if (start + i) % 2
                ],
                batch_size=chunk,
            )


if __name__ == "__main__":
    main()
