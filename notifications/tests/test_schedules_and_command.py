"""Default beat schedules after migrate, run_job, and the scheduled-run task."""

import dataclasses
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django_celery_beat.models import CrontabSchedule, PeriodicTask

from notifications.jobs import JOBS
from notifications.models import JobRun, JobStatus, JobTrigger
from notifications.schedules import OUTBOX_RETRY_NAME, schedules_install
from notifications.tasks import scheduled_job_task

pytestmark = pytest.mark.django_db

DEFAULTS = {
    "no_log_reminder": ("0", "9", "*"),
    "blocking_due_48h": ("0", "*/6", "*"),
    "blocked_over_48h": ("0", "*/6", "*"),
    "weekly_leader_digest": ("0", "8", "0"),
    "weekly_member_digest": ("0", "8", "0"),
    "deadline_reminder": ("0", "*", "*"),
    "stale_claim_release": ("0", "10", "*"),
}


def test_migrate_installed_the_default_schedules():
    # The test database was built by migrate: its post_migrate receiver ran.
    tasks = {t.name: t for t in PeriodicTask.objects.select_related("crontab")}
    assert set(tasks) == set(JOBS) | {OUTBOX_RETRY_NAME}
    assert set(DEFAULTS) == set(JOBS)
    for name, (minute, hour, weekday) in DEFAULTS.items():
        task = tasks[name]
        assert task.task == "notifications.scheduled_job"
        assert json.loads(task.kwargs) == {"job_name": name}
        assert task.enabled
        c = task.crontab
        assert (c.minute, c.hour, c.day_of_week, c.day_of_month, c.month_of_year) == (
            minute,
            hour,
            weekday,
            "*",
            "*",
        )
        assert str(c.timezone) == "UTC"
    assert tasks[OUTBOX_RETRY_NAME].task == "notifications.email_outbox_retry"


def test_installing_again_changes_nothing_and_keeps_staff_edits():
    task = PeriodicTask.objects.get(name="no_log_reminder")
    task.enabled = False
    task.crontab = CrontabSchedule.objects.create(minute="30", hour="7", timezone="UTC")
    task.save()
    counts = (PeriodicTask.objects.count(), CrontabSchedule.objects.count())

    assert schedules_install() == []
    call_command("migrate", verbosity=0)

    assert (PeriodicTask.objects.count(), CrontabSchedule.objects.count()) == counts
    task.refresh_from_db()
    assert (task.enabled, task.crontab.hour) == (False, "7")


def test_a_deleted_schedule_comes_back():
    PeriodicTask.objects.filter(name="deadline_reminder").delete()
    assert schedules_install() == ["deadline_reminder"]
    assert PeriodicTask.objects.filter(name="deadline_reminder", crontab__hour="*").exists()


def test_run_job_sync_prints_the_stats(soprano_member, mailoutbox):
    out = io.StringIO()
    call_command("run_job", "no_log_reminder", "--sync", stdout=out)
    printed = json.loads(out.getvalue())
    assert printed["status"] == "success"
    assert printed["stats"] == {"considered": 1, "queued": 1, "skipped": 0, "sent": 1, "failed": 0}
    assert len(mailoutbox) == 1
    run = JobRun.objects.get()
    assert (run.trigger, str(run.id)) == (JobTrigger.MANUAL, printed["run_id"])


def test_run_job_without_sync_queues_the_run(soprano_member, mailoutbox):
    out = io.StringIO()
    call_command("run_job", "no_log_reminder", stdout=out)
    printed = json.loads(out.getvalue())
    # No broker in tests: the "worker" is this process.
    assert printed["status"] == "success"
    assert len(mailoutbox) == 1


def test_run_job_unknown_name():
    with pytest.raises(CommandError, match="Unknown job: nope"):
        call_command("run_job", "nope", "--sync")
    assert not JobRun.objects.exists()


def test_the_task_beat_fires_records_a_scheduled_run(soprano_member, mailoutbox):
    scheduled_job_task.apply(kwargs={"job_name": "no_log_reminder"})
    run = JobRun.objects.get()
    assert (run.trigger, run.status, run.requested_by_id) == (
        JobTrigger.SCHEDULE,
        JobStatus.SUCCESS,
        None,
    )
    assert len(mailoutbox) == 1


def test_a_failing_job_is_recorded(monkeypatch, run_job):
    def boom(ctx):
        raise RuntimeError("database on fire")

    monkeypatch.setitem(
        JOBS, "no_log_reminder", dataclasses.replace(JOBS["no_log_reminder"], run=boom)
    )
    run = run_job("no_log_reminder")
    assert run.status == JobStatus.FAILURE
    assert run.error == "RuntimeError: database on fire"
    assert run.finished_at is not None and run.duration_ms is not None


def test_a_run_is_executed_once(run_job):
    from notifications.runner import job_run_create, job_run_execute

    run = job_run_create(job_name="no_log_reminder", trigger=JobTrigger.MANUAL)
    first = job_run_execute(run.id)
    again = job_run_execute(run.id)  # a redelivered task
    assert first.status == again.status == JobStatus.SUCCESS
    assert again.finished_at == first.finished_at
