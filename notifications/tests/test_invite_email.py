"""The invitation e-mail of the teams app goes through the outbox."""

import pytest

from notifications.models import EmailDelivery, EmailStatus

pytestmark = pytest.mark.django_db


def test_invitation_goes_through_the_outbox(
    admin, team, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.client.post(
            f"/teams/{team.id}/invites", {"email": "new@example.com"}, format="json"
        )
    assert response.status_code == 201
    link = response.json()["invite_link"]
    raw = link.rsplit("/", 1)[1]

    [message] = mailoutbox
    assert message.to == ["new@example.com"] and link in message.body
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    row = EmailDelivery.objects.get()
    assert (row.kind, row.status, row.user_id, row.team_id) == (
        "invite",
        EmailStatus.SENT,
        None,
        team.id,
    )
    assert row.dedupe_key == f"invite:{response.json()['invite']['id']}"
    # The raw token lived in the outbox only until the e-mail was sent.
    assert row.context["invite_link"] == "[removed]"
    assert raw not in str(row.context)


def test_an_invitation_that_cannot_be_sent_is_kept_for_retry(
    admin, team, settings, mailoutbox, django_capture_on_commit_callbacks
):
    from notifications.tests.conftest import free_port

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = (
        "127.0.0.1",
        free_port(),
        False,
    )
    settings.EMAIL_RETRY_BACKOFF_SECONDS = 300
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.client.post(
            f"/teams/{team.id}/invites", {"email": "new@example.com"}, format="json"
        )
    # The invite is created whatever the mail server does.
    assert response.status_code == 201
    row = EmailDelivery.objects.get()
    assert (row.status, row.attempts) == (EmailStatus.PENDING, 1)
    assert row.context["invite_link"] == response.json()["invite_link"]


def test_broker_down_keeps_the_invitation_in_the_outbox(
    admin, team, mailoutbox, django_capture_on_commit_callbacks
):
    from celery import current_app

    from notifications.tests.conftest import free_port

    conf = current_app.conf
    saved = (conf.task_always_eager, conf.broker_url)
    conf.task_always_eager, conf.broker_url = False, f"redis://127.0.0.1:{free_port()}/6"
    try:
        with django_capture_on_commit_callbacks(execute=True):
            response = admin.client.post(
                f"/teams/{team.id}/invites", {"email": "new@example.com"}, format="json"
            )
    finally:
        conf.task_always_eager, conf.broker_url = saved
    assert response.status_code == 201
    row = EmailDelivery.objects.get()
    assert (row.status, row.attempts) == (EmailStatus.PENDING, 0)
    # The sweep sends it once the broker is back.
    from notifications.tasks import email_outbox_retry_task

    email_outbox_retry_task.apply()
    assert [m.to for m in mailoutbox] == [["new@example.com"]]
