"""The log events the runbook greps for: job_started / job_finished / job_failed, email_*."""

import dataclasses
import logging

import pytest

from notifications.jobs import JOBS

pytestmark = pytest.mark.django_db


def events(caplog, name):
    return [r.msg for r in caplog.records if isinstance(r.msg, dict) and r.msg.get("event") == name]


def test_manual_run_logs_with_the_request_id(staff, soprano_member, caplog):
    caplog.set_level(logging.INFO)
    response = staff.client.post("/admin/jobs/no_log_reminder/run", HTTP_X_REQUEST_ID="trigger-42")
    assert response.status_code == 202
    run_id = response.json()["run"]["id"]

    [started] = events(caplog, "job_started")
    assert (started["job_name"], started["run_id"], started["request_id"]) == (
        "no_log_reminder",
        run_id,
        "trigger-42",
    )
    [finished] = events(caplog, "job_finished")
    assert finished["request_id"] == "trigger-42"
    assert finished["stats"] == {"considered": 1, "queued": 1, "skipped": 0, "sent": 1, "failed": 0}
    assert isinstance(finished["duration_ms"], int)
    [sent] = events(caplog, "email_sent")
    assert sent["kind"] == "no_log_reminder" and sent["user_id"] == soprano_member.id


def test_failed_run_logs_job_failed(monkeypatch, run_job, caplog):
    caplog.set_level(logging.INFO)

    def boom(ctx):
        raise RuntimeError("no database")

    monkeypatch.setitem(
        JOBS, "deadline_reminder", dataclasses.replace(JOBS["deadline_reminder"], run=boom)
    )
    run_job("deadline_reminder")
    [failed] = events(caplog, "job_failed")
    assert failed["job_name"] == "deadline_reminder"
    assert failed["error"] == "RuntimeError: no database"
    assert events(caplog, "job_finished") == []


def test_console_backend_logs_simulated_sends(settings, soprano_member, run_job, caplog):
    caplog.set_level(logging.INFO)
    settings.EMAIL_BACKEND = "notifications.backends.ConsoleLogEmailBackend"
    run_job("no_log_reminder")
    [simulated] = events(caplog, "Simulating email send")
    assert simulated == {
        **simulated,
        "to": [soprano_member.user.email],
        "subject": "Time to practice!",
        "kind": "no_log_reminder",
    }
