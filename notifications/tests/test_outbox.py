"""The outbox: dedupe, claiming, suppression at send time, the message itself, SMTP faults."""

import datetime
import email
import threading
from email import policy

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from notifications.models import EmailDelivery, EmailStatus, JobStatus
from notifications.outbox import email_deliveries_retry, email_enqueue, send_batch
from notifications.tasks import email_outbox_retry_task
from notifications.tests.conftest import free_port
from notifications.tests.factories import NotificationPreferenceFactory

pytestmark = pytest.mark.django_db


def enqueue(persona, team, key, kind="no_log_reminder", **kwargs):
    return email_enqueue(
        kind=kind,
        user=persona.user,
        team=team,
        to=persona.user.email,
        subject=kwargs.pop("subject", "Time to practice!"),
        context={"days": 3},
        dedupe_key=key,
        **kwargs,
    )


def test_enqueue_dedupes_and_sends_after_commit(
    team, soprano_member, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        first = enqueue(soprano_member, team, "k1")
        again = enqueue(soprano_member, team, "k1")
    assert first is not None and again is None
    assert len(callbacks) == 1
    assert len(mailoutbox) == 1
    first.refresh_from_db()
    assert (first.status, first.attempts) == (EmailStatus.SENT, 1)
    assert first.sent_at is not None and first.claim_token is None


def test_nothing_is_sent_when_the_transaction_rolls_back(
    team, soprano_member, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        enqueue(soprano_member, team, "k1")
    assert len(callbacks) == 1 and mailoutbox == []


def test_suppressed_when_the_recipient_turned_email_off_meanwhile(
    team, soprano_member, alto_member, alto_leader, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        enqueue(soprano_member, team, "k1")
        enqueue(alto_member, team, "k2", kind="weekly_member_digest", subject="Your week")
        enqueue(alto_leader, team, "k3")
    NotificationPreferenceFactory(user=soprano_member.user, team=team, email_enabled=False)
    NotificationPreferenceFactory(user=alto_member.user, team=team, weekly_digest_enabled=False)
    alto_leader.membership.delete()

    result = send_batch()

    assert mailoutbox == []
    assert len(result.suppressed) == 3
    reasons = dict(EmailDelivery.objects.values_list("dedupe_key", "last_error"))
    assert reasons == {
        "k1": "Recipient turned e-mail off",
        "k2": "Recipient turned the weekly digest off",
        "k3": "Recipient is no longer a member of the team",
    }
    assert set(EmailDelivery.objects.values_list("status", flat=True)) == {EmailStatus.SUPPRESSED}


def test_the_message(team, soprano_member, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        row = enqueue(soprano_member, team, "k1")
    [message] = mailoutbox
    assert message.from_email == "noreply@practiceops.app"
    assert message.extra_headers["X-PracticeOps-Kind"] == "no_log_reminder"
    assert message.extra_headers["X-PracticeOps-Delivery"] == str(row.id)
    assert "Hi Sue Soprano," in message.body
    assert "Unsubscribe: https://app.example.test/unsubscribe/" in message.body
    assert (
        f"Notification preferences: https://app.example.test/teams/{team.id}/settings/notifications"
        in message.body
    )
    html = message.alternatives[0][0]
    assert '<a href="https://app.example.test/unsubscribe/' in html


def test_claims_do_not_overlap(team, soprano_member, alto_member):
    with_rows = [enqueue(p, team, f"k{n}") for n, p in enumerate([soprano_member, alto_member])]
    assert all(with_rows)
    import uuid

    from notifications.outbox import claim

    now = timezone.now()
    first, second = uuid.uuid4(), uuid.uuid4()
    assert claim(token=first, now=now, job_run_id=None, delivery_ids=None, limit=10) == 2
    # Rows held by a live sender cannot be claimed again...
    assert claim(token=second, now=now, job_run_id=None, delivery_ids=None, limit=10) == 0
    # ...until their lease runs out (a worker that died).
    later = now + datetime.timedelta(hours=1)
    assert claim(token=second, now=later, job_run_id=None, delivery_ids=None, limit=10) == 2


@pytest.mark.django_db(transaction=True)
def test_concurrent_senders_send_each_row_once(require_postgres, team, soprano_member):
    rows = [
        EmailDelivery(
            kind="no_log_reminder",
            user=soprano_member.user,
            team=team,
            dedupe_key=f"race:{n}",
            to=soprano_member.user.email,
            subject="Time to practice!",
            template="notifications/email/no_log_reminder",
            context={"days": 3},
        )
        for n in range(120)
    ]
    EmailDelivery.objects.bulk_create(rows)
    mail.outbox = []
    errors = []

    def sender():
        try:
            while send_batch(limit=7).claimed:
                pass
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=sender) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    sent_ids = [message.extra_headers["X-PracticeOps-Delivery"] for message in mail.outbox]
    assert len(sent_ids) == 120 and len(set(sent_ids)) == 120
    assert EmailDelivery.objects.filter(status=EmailStatus.SENT, attempts=1).count() == 120


# --- through a real SMTP server (aiosmtpd) -----------------------------------------------------


def parse(envelope):
    return email.message_from_bytes(envelope.content, policy=policy.default)


def test_smtp_path_multipart_with_unsubscribe_headers(team, soprano_member, smtp_server, run_job):
    server = smtp_server()
    run = run_job("no_log_reminder")
    assert run.stats["sent"] == 1
    [envelope] = server.messages
    assert envelope.rcpt_tos == [soprano_member.user.email]
    message = parse(envelope)
    assert message["Subject"] == "Time to practice!"
    assert message["List-Unsubscribe"].strip().startswith("<https://api.example.test/unsubscribe/")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message.get_content_type() == "multipart/alternative"
    parts = {part.get_content_type(): part.get_content() for part in message.iter_parts()}
    assert "Harmonia" in parts["text/plain"] and "Harmonia" in parts["text/html"]


def test_smtp_refuses_then_accepts(team, soprano_member, alto_member, smtp_server, run_job):
    # The first two DATA commands get "451 try again later": both messages of the first
    # attempt. The retry (immediate here; backed off in production) delivers each once.
    server = smtp_server(refuse=2)
    run = run_job("no_log_reminder")
    assert sorted(env.rcpt_tos[0] for env in server.messages) == sorted(
        [soprano_member.user.email, alto_member.user.email]
    )
    assert server.attempts == 4
    rows = EmailDelivery.objects.all()
    assert {(row.status, row.attempts) for row in rows} == {(EmailStatus.SENT, 2)}
    assert run.stats == {"considered": 2, "queued": 2, "skipped": 0, "sent": 2, "failed": 0}


def test_smtp_permanent_refusal_fails_at_once(team, soprano_member, smtp_server, run_job):
    server = smtp_server(refuse=10, code="550 5.1.1 Mailbox unavailable")
    run = run_job("no_log_reminder")
    row = EmailDelivery.objects.get()
    assert (row.status, row.attempts) == (EmailStatus.FAILED, 1)
    assert row.last_error.startswith("SMTP 550")
    assert server.attempts == 1
    assert run.stats["failed"] == 1


def test_smtp_down_for_good(team, soprano_member, alto_member, smtp_server, settings, run_job):
    smtp_server()
    settings.EMAIL_PORT = free_port()  # nothing listens there
    run = run_job("no_log_reminder")
    assert run.status == JobStatus.SUCCESS
    rows = list(EmailDelivery.objects.all())
    assert len(rows) == 2, "nothing is lost from the outbox"
    for row in rows:
        assert (row.status, row.attempts) == (EmailStatus.FAILED, 5)
        assert row.last_error.startswith("Connection failed: ConnectionRefusedError")
    assert run.stats == {"considered": 2, "queued": 2, "skipped": 0, "sent": 0, "failed": 2}

    # Staff put them back once the server is up again.
    server = smtp_server()
    assert email_deliveries_retry(delivery_ids=[row.id for row in rows]) == 2
    # (the retry is queued on commit; in this test the sweep sends them)
    email_outbox_retry_task.apply()
    assert len(server.messages) == 2
    assert set(EmailDelivery.objects.values_list("status", flat=True)) == {EmailStatus.SENT}


def test_an_hour_long_outage_loses_nothing(
    time_machine, team, soprano_member, smtp_server, settings, run_job
):
    start = datetime.datetime(2026, 3, 4, 9, 0, tzinfo=datetime.UTC)
    time_machine.move_to(start, tick=False)
    settings.EMAIL_RETRY_BACKOFF_SECONDS = 300
    smtp_server()
    live_port = settings.EMAIL_PORT
    settings.EMAIL_PORT = free_port()

    run_job("no_log_reminder")
    row = EmailDelivery.objects.get()
    assert (row.status, row.attempts) == (EmailStatus.PENDING, 1)
    assert row.next_attempt_at == start + datetime.timedelta(minutes=5)

    # The sweeps every few minutes retry it with growing delays: 5, 10, 20 minutes...
    for minutes, attempts, next_in in ((5, 2, 15), (15, 3, 35), (35, 4, 75)):
        time_machine.move_to(start + datetime.timedelta(minutes=minutes), tick=False)
        email_outbox_retry_task.apply()
        row.refresh_from_db()
        assert (row.status, row.attempts) == (EmailStatus.PENDING, attempts)
        assert row.next_attempt_at == start + datetime.timedelta(minutes=next_in)

    # ...and when the server is back after an hour, the e-mail goes out.
    settings.EMAIL_PORT = live_port
    time_machine.move_to(start + datetime.timedelta(minutes=75), tick=False)
    email_outbox_retry_task.apply()
    row.refresh_from_db()
    assert (row.status, row.attempts) == (EmailStatus.SENT, 5)
