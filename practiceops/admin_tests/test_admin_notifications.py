"""Notification preferences, job runs, e-mail deliveries (retry failed) and the job schedules."""

from __future__ import annotations

import json

import pytest
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from accounts.tests.factories import UserFactory
from notifications.models import (
    EmailDelivery,
    EmailStatus,
    JobRun,
    JobStatus,
    JobTrigger,
    NotificationPreference,
)
from notifications.outbox import email_enqueue
from practiceops.admin_tests.conftest import ADMIN, assert_constant_queries, messages_of
from practiceops.core.errors import ServiceUnavailable
from teams.services import invite_create
from teams.tests.factories import MembershipFactory, TeamFactory

PREFERENCES = f"{ADMIN}notifications/notificationpreference/"
RUNS = f"{ADMIN}notifications/jobrun/"
DELIVERIES = f"{ADMIN}notifications/emaildelivery/"
TASKS = f"{ADMIN}django_celery_beat/periodictask/"

JOB_NAMES = {
    "no_log_reminder",
    "blocking_due_48h",
    "blocked_over_48h",
    "weekly_leader_digest",
    "weekly_member_digest",
    "deadline_reminder",
    "stale_claim_release",
}


@pytest.fixture(autouse=True)
def _outbox_settings(settings):
    settings.EMAIL_RETRY_BACKOFF_SECONDS = 0
    settings.FRONTEND_URL = "https://app.example.test"


def delivery(persona, team, key, *, status=EmailStatus.FAILED, **kwargs):
    row = email_enqueue(
        kind="no_log_reminder",
        user=persona.user,
        team=team,
        to=persona.user.email,
        subject="Time to practice!",
        context={"days": 3},
        dedupe_key=key,
    )
    EmailDelivery.objects.filter(pk=row.pk).update(
        status=status, attempts=5, last_error="Connection refused", **kwargs
    )
    row.refresh_from_db()
    return row


# --- preferences ---------------------------------------------------------------------------


def test_preference_pages_and_edit(staff_client, team, soprano_member):
    preference = NotificationPreference.objects.create(user=soprano_member.user, team=team)
    listing = staff_client.get(PREFERENCES, {"q": soprano_member.user.email})
    assert [p.pk for p in listing.context["cl"].result_list] == [preference.pk]
    assert staff_client.get(f"{PREFERENCES}add/").status_code == 200
    url = f"{PREFERENCES}{preference.pk}/change/"
    assert staff_client.get(url).status_code == 200
    data = {"email_enabled": "on", "deadline_reminder_hours": "200", "no_log_days": "3"}
    refused = staff_client.post(url, data)
    # The database's range rule (1-168), shown as a form error.
    assert refused.status_code == 200
    data["deadline_reminder_hours"] = "48"
    assert staff_client.post(url, data).status_code == 302
    preference.refresh_from_db()
    assert (preference.deadline_reminder_hours, preference.weekly_digest_enabled) == (48, False)


# --- job runs ------------------------------------------------------------------------------


def test_job_run_pages(staff_client, staff_user):
    run = JobRun.objects.create(
        job_name="no_log_reminder",
        trigger=JobTrigger.MANUAL,
        requested_by=staff_user,
        status=JobStatus.SUCCESS,
        stats={"released": 1, "considered": 4, "queued": 2, "sent": 2, "failed": 0, "skipped": 2},
    )
    listing = staff_client.get(RUNS, {"status__exact": "success"})
    assert [r.pk for r in listing.context["cl"].result_list] == [run.pk]
    assert "considered 4, queued 2, sent 2, failed 0, skipped 2, released 1" in (
        listing.content.decode()
    )
    page = staff_client.get(f"{RUNS}{run.pk}/change/")
    assert page.status_code == 200
    assert f"{DELIVERIES}?job_run={run.pk}" in page.content.decode()
    assert staff_client.get(f"{RUNS}add/").status_code == 403


def test_run_again_action_starts_a_manual_run(staff_client, staff_user):
    old = JobRun.objects.create(job_name="deadline_reminder", trigger=JobTrigger.SCHEDULE)
    response = staff_client.post(
        RUNS, {"action": "run_again", "_selected_action": [str(old.pk)]}, follow=True
    )
    new = JobRun.objects.exclude(pk=old.pk).get()
    assert (new.job_name, new.trigger, new.requested_by_id, new.status) == (
        "deadline_reminder",
        JobTrigger.MANUAL,
        staff_user.pk,
        JobStatus.SUCCESS,
    )
    assert new.request_id
    assert f"deadline_reminder: run {new.pk} started (success)." in messages_of(response)


# --- e-mail deliveries -----------------------------------------------------------------------


def test_delivery_pages_never_show_the_context(staff_client, admin, team):
    invite, raw_token = invite_create(team=team, created_by=admin.user, email="new@example.com")
    row = EmailDelivery.objects.get(kind="invite")
    # While the invitation waits in the outbox its context holds the raw invite link.
    row.context = {**row.context, "invite_link": f"https://app.example.test/invites/{raw_token}"}
    row.save(update_fields=["context"])
    listing = staff_client.get(DELIVERIES)
    assert listing.status_code == 200
    page = staff_client.get(f"{DELIVERIES}{row.pk}/change/")
    assert page.status_code == 200
    for html in (listing.content.decode(), page.content.decode()):
        assert raw_token not in html
        assert invite.token_hash not in html
    assert "new@example.com" in page.content.decode()


def test_delivery_filters_and_search(staff_client, team, soprano_member, alto_member):
    failed = delivery(soprano_member, team, "k1")
    delivery(alto_member, team, "k2", status=EmailStatus.SENT)
    by_status = staff_client.get(DELIVERIES, {"status__exact": "failed"})
    assert [d.pk for d in by_status.context["cl"].result_list] == [failed.pk]
    by_to = staff_client.get(DELIVERIES, {"q": soprano_member.user.email})
    assert [d.pk for d in by_to.context["cl"].result_list] == [failed.pk]
    run = JobRun.objects.create(job_name="no_log_reminder", trigger=JobTrigger.SCHEDULE)
    EmailDelivery.objects.filter(pk=failed.pk).update(job_run=run)
    by_run = staff_client.get(DELIVERIES, {"job_run": str(run.pk)})
    assert [d.pk for d in by_run.context["cl"].result_list] == [failed.pk]


def test_retry_failed_sends_through_the_outbox(
    staff_client, team, soprano_member, alto_member, mailoutbox, django_capture_on_commit_callbacks
):
    failed = delivery(soprano_member, team, "k1")
    sent = delivery(alto_member, team, "k2", status=EmailStatus.SENT, sent_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            DELIVERIES,
            {"action": "retry_failed", "_selected_action": [str(failed.pk), str(sent.pk)]},
            follow=True,
        )
    shown = messages_of(response)
    assert "1 failed e-mail(s) queued again." in shown
    assert "1 selected e-mail(s) had not failed and were left alone." in shown
    failed.refresh_from_db()
    assert (failed.status, failed.attempts, failed.last_error) == (EmailStatus.SENT, 1, None)
    assert [m.to for m in mailoutbox] == [[soprano_member.user.email]]
    sent.refresh_from_db()
    assert sent.attempts == 5


@pytest.mark.django_db(transaction=True)
def test_retry_failed_when_the_queue_is_down(
    staff_client, team, soprano_member, mailoutbox, monkeypatch
):
    # Real commits: the send is queued when the retry's own transaction commits, inside the
    # action, which is where a dead broker has to be caught.
    failed = EmailDelivery.objects.create(
        kind="no_log_reminder",
        user=soprano_member.user,
        team=team,
        dedupe_key="k1",
        to=soprano_member.user.email,
        subject="Time to practice!",
        template="notifications/email/no_log_reminder",
        status=EmailStatus.FAILED,
        attempts=5,
    )

    def broker_down(task, **kwargs):
        raise ServiceUnavailable("Task queue unavailable")

    monkeypatch.setattr("notifications.tasks.dispatch", broker_down)
    response = staff_client.post(
        DELIVERIES, {"action": "retry_failed", "_selected_action": [str(failed.pk)]}, follow=True
    )
    assert response.status_code == 200
    assert (
        "The e-mails are queued again, but the task queue is unavailable: they go out with "
        "the next outbox sweep." in messages_of(response)
    )
    failed.refresh_from_db()
    assert (failed.status, failed.attempts) == (EmailStatus.PENDING, 0)
    assert mailoutbox == []


def test_deliveries_cannot_be_added_or_edited(staff_client, team, soprano_member):
    row = delivery(soprano_member, team, "k1")
    assert staff_client.get(f"{DELIVERIES}add/").status_code == 403
    staff_client.post(f"{DELIVERIES}{row.pk}/change/", {"status": "sent"})
    row.refresh_from_db()
    assert row.status == EmailStatus.FAILED


# --- schedules -------------------------------------------------------------------------------


def test_every_job_has_its_schedule_in_the_admin(staff_client):
    response = staff_client.get(TASKS, {"q": "notifications.scheduled_job"})
    tasks = list(response.context["cl"].result_list)
    names = {json.loads(task.kwargs)["job_name"] for task in tasks}
    assert names == JOB_NAMES
    page = staff_client.get(f"{TASKS}{tasks[0].pk}/change/")
    assert page.status_code == 200
    assert "notifications.scheduled_job" in page.content.decode()


def test_run_action_on_a_schedule_starts_a_manual_job_run(staff_client, staff_user):
    task = PeriodicTask.objects.get(name="no_log_reminder")
    response = staff_client.post(
        TASKS, {"action": "run_tasks", "_selected_action": [str(task.pk)]}, follow=True
    )
    run = JobRun.objects.get()
    assert (run.job_name, run.trigger, run.requested_by_id, run.status) == (
        "no_log_reminder",
        JobTrigger.MANUAL,
        staff_user.pk,
        JobStatus.SUCCESS,
    )
    assert f"no_log_reminder: run {run.pk} started (success)." in messages_of(response)


def test_run_action_on_another_task_uses_the_package_behaviour(staff_client):
    task = PeriodicTask.objects.get(name="email_outbox_retry")
    response = staff_client.post(
        TASKS, {"action": "run_tasks", "_selected_action": [str(task.pk)]}, follow=True
    )
    assert "1 task was successfully run" in messages_of(response)
    assert not JobRun.objects.exists()


def test_disabling_a_schedule_from_the_admin(staff_client):
    task = PeriodicTask.objects.get(name="weekly_member_digest")
    staff_client.post(TASKS, {"action": "disable_tasks", "_selected_action": [str(task.pk)]})
    task.refresh_from_db()
    assert task.enabled is False


# --- query counts ------------------------------------------------------------------------------


def _make_preferences(n):
    for _ in range(n):
        membership = MembershipFactory()
        NotificationPreference.objects.create(user=membership.user, team=membership.team)


def _make_runs(n):
    for _ in range(n):
        JobRun.objects.create(
            job_name="no_log_reminder", trigger=JobTrigger.MANUAL, requested_by=UserFactory()
        )


def _make_deliveries(n):
    start = EmailDelivery.objects.count()
    for i in range(start, start + n):
        user = UserFactory()
        EmailDelivery.objects.create(
            kind="no_log_reminder",
            user=user,
            team=TeamFactory(),
            job_run=JobRun.objects.create(job_name="no_log_reminder", trigger="schedule"),
            dedupe_key=f"key-{i}",
            to=user.email,
            subject="Time to practice!",
            template="notifications/email/no_log_reminder",
        )


@pytest.mark.parametrize(
    ("url", "make_rows"),
    [(PREFERENCES, _make_preferences), (RUNS, _make_runs), (DELIVERIES, _make_deliveries)],
    ids=["preferences", "job_runs", "deliveries"],
)
def test_changelist_query_count_is_constant(staff_client, url, make_rows):
    assert_constant_queries(staff_client, url, make_rows, rows_shown=url)
