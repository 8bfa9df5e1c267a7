"""End to end with a real Celery worker on Redis and a real SMTP server.

POST /admin/jobs/no_log_reminder/run → 202 → the worker runs the job, queues the send
batch, sends it over SMTP → the run ends ``success`` and the server has the reminder.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.parse
import uuid
from pathlib import Path

import pytest
from celery import current_app
from django.conf import settings
from django.db import connection

from notifications.models import EmailDelivery, EmailStatus, JobRun, JobStatus

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT_SECONDS = 90


def broker_url_for(redis_url: str) -> str:
    """The Celery broker of the tests: CELERY_TEST_BROKER_URL, else the same Redis, database 6."""
    if os.environ.get("CELERY_TEST_BROKER_URL"):
        return os.environ["CELERY_TEST_BROKER_URL"]
    parts = urllib.parse.urlsplit(redis_url)
    return urllib.parse.urlunsplit(parts._replace(path="/6"))


def database_url() -> str:
    db = connection.settings_dict
    user = urllib.parse.quote(db.get("USER") or "")
    password = urllib.parse.quote(db.get("PASSWORD") or "")
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    return f"postgres://{auth}{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"


def wait_for(predicate, what: str, worker_log: Path) -> None:
    deadline = time.monotonic() + TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.25)
    pytest.fail(f"timed out waiting for {what}; worker log:\n{worker_log.read_text()[-6000:]}")


@pytest.fixture
def celery_worker(require_postgres, redis_url, smtp_server, tmp_path):
    import redis

    broker = broker_url_for(redis_url)
    redis.Redis.from_url(broker).flushdb()
    smtp = smtp_server()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "practiceops.settings.base",
        "DEBUG": "false",
        "SECURE_SSL_REDIRECT": "false",
        "JWT_SECRET_KEY": "worker-jwt-secret-key-0123456789abcdefghijkl",
        "DJANGO_SECRET_KEY": "worker-django-secret-key-0123456789abcdefghijkl",
        # pytest-django's database (test_<name>), which this test commits its rows to.
        "DATABASE_URL": database_url(),
        "REDIS_URL": redis_url,
        "CELERY_BROKER_URL": broker,
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(settings.EMAIL_PORT),
        "SMTP_USE_TLS": "false",
        "FRONTEND_URL": "https://app.example.test",
        "LOG_FORMAT": "json",
        "EMAIL_RETRY_BACKOFF_SECONDS": "1",
    }
    log = tmp_path / "worker.log"
    with log.open("w") as out:
        worker = subprocess.Popen(  # noqa: S603 - our own worker, fixed arguments
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "practiceops",
                "worker",
                "--pool=solo",
                "--loglevel=INFO",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-n",
                f"e2e-{uuid.uuid4().hex[:8]}@%h",
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    conf = current_app.conf
    saved = (conf.task_always_eager, conf.broker_url)
    conf.task_always_eager = False
    conf.broker_url = broker
    try:
        yield smtp, log
    finally:
        conf.task_always_eager, conf.broker_url = saved
        worker.terminate()
        try:
            worker.wait(timeout=15)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait(timeout=5)


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_manual_run_on_a_real_worker(celery_worker, staff, soprano_member, alto_member):
    smtp, log = celery_worker
    from notifications.tests.factories import PracticeLogFactory

    PracticeLogFactory(user=alto_member.user, team=alto_member.membership.team)

    response = staff.client.post("/admin/jobs/no_log_reminder/run")
    assert response.status_code == 202, response.content
    run_id = response.json()["run"]["id"]
    assert response.json()["run"]["status"] == "queued"

    wait_for(
        lambda: JobRun.objects.get(pk=run_id).status in (JobStatus.SUCCESS, JobStatus.FAILURE),
        "the run to finish",
        log,
    )
    run = JobRun.objects.get(pk=run_id)
    assert run.status == JobStatus.SUCCESS, run.error

    wait_for(
        lambda: (
            len(smtp.messages) >= 1
            and EmailDelivery.objects.filter(status=EmailStatus.SENT).exists()
        ),
        "the e-mail",
        log,
    )
    [envelope] = smtp.messages
    assert envelope.rcpt_tos == [soprano_member.user.email]
    assert b"Subject: Time to practice!" in envelope.content
    assert b"List-Unsubscribe-Post: List-Unsubscribe=One-Click" in envelope.content
    wait_for(lambda: JobRun.objects.get(pk=run_id).stats.get("sent") == 1, "the run's stats", log)
    assert JobRun.objects.get(pk=run_id).stats == {
        "considered": 2,
        "queued": 1,
        "skipped": 1,
        "sent": 1,
        "failed": 0,
    }
