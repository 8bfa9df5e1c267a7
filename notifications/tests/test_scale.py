"""no_log_reminder over 20,000 members: the query count does not grow with members.

Marked ``scale``: left out of the quick suite, run by .ci/run. bench/no_log_reminder.py
times the same job over 100,000 members.
"""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import User
from notifications.models import EmailDelivery, EmailStatus, JobStatus, JobTrigger
from notifications.outbox import send_batch
from notifications.runner import job_run_create, job_run_execute
from practice.models import PracticeLog
from practice.rollups import practice_rollups_rebuild
from teams.models import Membership, Team

pytestmark = [pytest.mark.scale, pytest.mark.django_db]

TEAM_SIZE = 200


def add_members(count: int, *, start: int) -> None:
    """``count`` members in teams of TEAM_SIZE, every other one with a log today."""
    now = timezone.now()
    teams = Team.objects.bulk_create(
        [
            Team(
                name=f"Scale team {start + n}",
                timezone=("UTC", "Europe/Berlin", "America/Chicago")[n % 3],
            )
            for n in range(count // TEAM_SIZE)
        ]
    )
    users = User.objects.bulk_create(
        [
            User(
                email=f"scale{start + n}@example.com",
                display_name=f"Singer {start + n}",
                password="!",
            )
            for n in range(count)
        ],
        batch_size=2000,
    )
    Membership.objects.bulk_create(
        [Membership(team=teams[n // TEAM_SIZE], user=user) for n, user in enumerate(users)],
        batch_size=2000,
    )
    PracticeLog.objects.bulk_create(
        [
            PracticeLog(
                user=user,
                team=teams[n // TEAM_SIZE],
                duration_minutes=20,
                occurred_at=now - datetime.timedelta(hours=1),
            )
            for n, user in enumerate(users)
            if n % 2
        ],
        batch_size=2000,
    )
    practice_rollups_rebuild()  # bulk-inserted logs: their rollups


def run_counting_queries(monkeypatch):
    queued_batches = []
    # The send batches are separate tasks (counted below): here they are only recorded.
    monkeypatch.setattr(
        "notifications.runner.dispatch_sends", lambda **kw: queued_batches.append(kw)
    )
    run = job_run_create(job_name="no_log_reminder", trigger=JobTrigger.MANUAL)
    with CaptureQueriesContext(connection) as ctx:
        run = job_run_execute(run.id)
    assert run.status == JobStatus.SUCCESS, run.error
    return run, len(ctx.captured_queries), queued_batches


def test_no_log_reminder_query_count_does_not_grow(monkeypatch, settings):
    # Django probes JSON support once per connection; probe now so both runs are alike.
    assert connection.features.supports_json_field
    add_members(2_000, start=0)
    small, small_queries, _ = run_counting_queries(monkeypatch)
    assert small.stats["queued"] == 1_000

    add_members(18_000, start=2_000)
    large, large_queries, batches = run_counting_queries(monkeypatch)
    # The 1,000 reminded in the first run are inside their window: not again.
    assert large.stats["considered"] == 20_000
    assert large.stats["queued"] == 9_000
    assert batches == [{"job_run_id": large.id, "count": 9_000}]
    assert large_queries == small_queries, (small_queries, large_queries)
    assert EmailDelivery.objects.filter(job_run=large).count() == 9_000

    # A send batch costs a fixed number of queries plus one UPDATE per accepted message: each
    # is recorded as sent the moment the SMTP server accepts it, so that a worker killed
    # mid-batch cannot make a later sender repeat it (tests/reliability/test_worker_faults.py).
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    counts = []
    for limit in (10, 60):
        with CaptureQueriesContext(connection) as ctx:
            result = send_batch(job_run_id=large.id, limit=limit)
        assert len(result.sent) == limit
        counts.append(len(ctx.captured_queries))

    assert counts[0] - 10 == counts[1] - 60
    assert EmailDelivery.objects.filter(job_run=large, status=EmailStatus.SENT).count() == 70
