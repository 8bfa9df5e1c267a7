"""Background work under faults, with real Celery processes, Redis and an SMTP server.

- A worker SIGKILLed in the middle of a sending batch: after a new worker takes over, every
  e-mail has gone out exactly once (none lost, none twice).
- Two beat processes firing the same job: still one e-mail per recipient.

The SMTP server runs in the test process; it records each message it accepted (its delivery
id and recipient), which is what "sent" means to the outside world.
"""

from __future__ import annotations

import asyncio
import datetime
import email
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

import pytest
from celery import current_app
from django.utils import timezone

from accounts.tests.factories import UserFactory
from notifications.models import EmailDelivery, EmailStatus, JobRun
from practiceops.testing import BASE_DIR, free_port, server_env
from teams.models import Role
from teams.tests.factories import MembershipFactory, TeamFactory
from tests.reliability.world import broker_url_for_tests, client_for

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]

RECIPIENTS = 12
WAIT_SECONDS = 60


class Smtp:
    """An aiosmtpd server that can hold the reply to the n-th message until released."""

    def __init__(self, hold_at: int | None = None) -> None:
        self.accepted: list[tuple[str, str]] = []  # (delivery id, recipient)
        self.hold_at = hold_at
        self.holding = threading.Event()
        self.release = threading.Event()
        self._seen = 0
        self.port = free_port()
        from aiosmtpd.controller import Controller

        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook
        self._seen += 1
        if self._seen == self.hold_at:
            # The sender now waits for this reply; it is killed before it gets one, so this
            # message is never accepted (an SMTP server keeps only what it said 250 to).
            self.holding.set()
            while not self.release.is_set():
                await asyncio.sleep(0.05)
            return "451 4.3.0 Sender went away"
        message = email.message_from_bytes(envelope.content)
        self.accepted.append((message["X-PracticeOps-Delivery"], envelope.rcpt_tos[0]))
        return "250 OK"

    def __enter__(self) -> Smtp:
        self._controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self.release.set()
        self._controller.stop()


def process_env(broker: str, smtp: Smtp) -> dict[str, str]:
    return server_env(
        REDIS_URL=broker,
        CELERY_BROKER_URL=broker,
        SMTP_HOST="127.0.0.1",
        SMTP_PORT=str(smtp.port),
        SMTP_USE_TLS="false",
        EMAIL_TIMEOUT="30",
    )


def start(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    with log.open("ab") as out:
        return subprocess.Popen(  # noqa: S603 - our own worker/beat, fixed arguments
            [sys.executable, "-m", "celery", "-A", "practiceops", *args],
            cwd=BASE_DIR,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def worker(env: dict[str, str], log: Path, *, pool: str = "solo") -> subprocess.Popen:
    return start(
        [
            "worker",
            f"--pool={pool}",
            "--concurrency=2",
            "--loglevel=INFO",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-n",
            f"rel-{uuid.uuid4().hex[:8]}@%h",
        ],
        env,
        log,
    )


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


def wait_for(predicate, what: str, log: Path, seconds: float = WAIT_SECONDS) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    pytest.fail(f"timed out waiting for {what}; log:\n{log.read_text()[-5000:]}")


@pytest.fixture
def broker(require_postgres, redis_url):
    import redis

    url = broker_url_for_tests(redis_url)
    redis.Redis.from_url(url).flushdb()
    conf = current_app.conf
    saved = (conf.task_always_eager, conf.broker_url)
    conf.task_always_eager = False
    conf.broker_url = url
    yield url
    conf.task_always_eager, conf.broker_url = saved
    redis.Redis.from_url(url).flushdb()


@pytest.fixture
def recipients():
    """Members of one team who never practised: each is due one no-log reminder."""
    team = TeamFactory(name="Harmonia")
    users = [UserFactory() for _ in range(RECIPIENTS)]
    for user in users:
        MembershipFactory(team=team, user=user, role=Role.MEMBER, section="Soprano")
    return {user.email for user in users}


def assert_each_sent_once(smtp: Smtp, recipients: set[str]) -> None:
    delivery_ids = Counter(delivery for delivery, _ in smtp.accepted)
    by_recipient = Counter(rcpt for _, rcpt in smtp.accepted)
    assert [d for d, n in delivery_ids.items() if n > 1] == [], "an e-mail went out twice"
    assert set(by_recipient) == recipients, "an e-mail was lost"
    assert set(by_recipient.values()) == {1}
    rows = EmailDelivery.objects.filter(kind="no_log_reminder")
    assert rows.count() == len(recipients)
    assert set(rows.values_list("status", flat=True)) == {EmailStatus.SENT}


def test_worker_killed_mid_batch_sends_every_email_once(broker, recipients, tmp_path):
    staff = UserFactory(is_staff=True)
    log = tmp_path / "worker.log"
    held = 5
    with Smtp(hold_at=held) as smtp:
        env = process_env(broker, smtp)
        first = worker(env, log)
        try:
            response = client_for(staff).post("/admin/jobs/no_log_reminder/run")
            assert response.status_code == 202, response.content
            # The worker has had 4 messages accepted and waits for the reply to the 5th.
            wait_for(smtp.holding.is_set, "the batch to be under way", log)
            os.kill(first.pid, signal.SIGKILL)
            first.wait(timeout=10)
        finally:
            stop(first)
        smtp.release.set()
        assert len(smtp.accepted) == held - 1
        # What the server accepted is on record, so no later sender sends it again.
        assert EmailDelivery.objects.filter(status=EmailStatus.SENT).count() == held - 1

        second = worker(env, log)
        try:
            # The dead worker's lease on the rest of its batch runs out (EMAIL_CLAIM_SECONDS,
            # moved forward here rather than waited for), and the outbox sweep that beat
            # runs every few minutes hands them to the new worker.
            EmailDelivery.objects.filter(status=EmailStatus.PENDING).update(
                claimed_until=timezone.now() - datetime.timedelta(seconds=1)
            )
            from notifications.tasks import dispatch, email_outbox_retry_task

            # Through the app's own publisher: a fresh connection to the broker configured now.
            dispatch(email_outbox_retry_task)
            wait_for(
                lambda: not EmailDelivery.objects.exclude(status=EmailStatus.SENT).exists(),
                "every e-mail to be sent",
                log,
            )
        finally:
            stop(second)
    assert_each_sent_once(smtp, recipients)


def test_two_beats_firing_the_same_job_send_no_duplicates(broker, recipients, tmp_path):
    from django_celery_beat.models import IntervalSchedule, PeriodicTask

    # Only this job, every second, so that both beats fire it several times over.
    PeriodicTask.objects.all().delete()
    every_second = IntervalSchedule.objects.create(every=1, period=IntervalSchedule.SECONDS)
    PeriodicTask.objects.create(
        name="no_log_reminder (test)",
        task="notifications.scheduled_job",
        interval=every_second,
        kwargs='{"job_name": "no_log_reminder"}',
    )
    log = tmp_path / "processes.log"
    with Smtp() as smtp:
        env = process_env(broker, smtp)
        processes = [worker(env, log, pool="prefork")]
        try:
            for index in range(2):
                processes.append(
                    start(
                        [
                            "beat",
                            "--loglevel=INFO",
                            "--scheduler=django_celery_beat.schedulers:DatabaseScheduler",
                            f"--pidfile={tmp_path / f'beat{index}.pid'}",
                            f"--schedule={tmp_path / f'beat{index}.db'}",
                        ],
                        env,
                        tmp_path / f"beat{index}.log",
                    )
                )
            wait_for(
                lambda: JobRun.objects.filter(job_name="no_log_reminder").count() >= 4,
                "both beats to fire the job several times",
                log,
            )
            wait_for(
                lambda: (
                    len(smtp.accepted) >= len(recipients)
                    and not EmailDelivery.objects.exclude(status=EmailStatus.SENT).exists()
                ),
                "the reminders",
                log,
            )
            for beat in processes[1:]:
                stop(beat)
            # Let the runs still queued finish: they must find nothing left to send.
            wait_for(
                lambda: not JobRun.objects.filter(status__in=["queued", "running"]).exists(),
                "the queued runs",
                log,
            )
        finally:
            for process in processes:
                stop(process)
    for index in range(2):
        assert "Sending due task" in (tmp_path / f"beat{index}.log").read_text(), index
    runs = JobRun.objects.filter(job_name="no_log_reminder")
    assert runs.count() >= 4
    assert sum(run.stats.get("queued", 0) for run in runs) == len(recipients)
    assert_each_sent_once(smtp, recipients)
