"""The admin jobs API: is_staff only; list, run, run history."""

import datetime
import time
import uuid

import pytest
from celery import current_app
from django_celery_beat.models import PeriodicTask

from conftest import assert_error
from notifications.jobs import JOBS
from notifications.models import JobRun, JobStatus
from notifications.tests.conftest import free_port

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 3, 4, 7, 30, tzinfo=datetime.UTC)  # a Wednesday


@pytest.fixture
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/admin/jobs"),
        ("post", "/admin/jobs/no_log_reminder/run"),
        ("get", "/admin/jobs/runs"),
        ("get", f"/admin/jobs/runs/{uuid.uuid4()}"),
    ],
)
def test_only_staff(method, path, admin, soprano_leader, soprano_member, outsider, anon):
    # A team ADMIN is not staff (the first PracticeOps let any team's ADMIN run jobs).
    for persona in (admin, soprano_leader, soprano_member, outsider):
        assert_error(
            getattr(persona.client, method)(path), 403, "FORBIDDEN", "Staff access required"
        )
    assert_error(getattr(anon, method)(path), 401, "UNAUTHORIZED")
    assert not JobRun.objects.exists()


def test_job_list(frozen, staff, django_assert_max_num_queries):
    with django_assert_max_num_queries(5):
        response = staff.client.get("/admin/jobs")
    assert response.status_code == 200
    jobs = {job["name"]: job for job in response.json()["jobs"]}
    assert set(jobs) == set(JOBS)
    no_log = jobs["no_log_reminder"]
    assert set(no_log) == {"name", "description", "schedule", "enabled", "next_run_at", "last_run"}
    assert no_log["schedule"] == "0 9 * * *"
    assert no_log["enabled"] is True
    assert no_log["next_run_at"] == "2026-03-04T09:00:00Z"
    assert no_log["last_run"] is None
    assert jobs["blocking_due_48h"]["schedule"] == "0 */6 * * *"
    assert jobs["blocking_due_48h"]["next_run_at"] == "2026-03-04T12:00:00Z"
    assert jobs["deadline_reminder"]["next_run_at"] == "2026-03-04T08:00:00Z"
    assert jobs["stale_claim_release"]["schedule"] == "0 10 * * *"


def test_job_list_shows_disabled_schedule_and_last_run(frozen, staff, run_job):
    task = PeriodicTask.objects.get(name="no_log_reminder")
    task.enabled = False
    task.save()
    run = run_job("no_log_reminder")
    jobs = {job["name"]: job for job in staff.client.get("/admin/jobs").json()["jobs"]}
    assert jobs["no_log_reminder"]["enabled"] is False
    assert jobs["no_log_reminder"]["next_run_at"] is None
    last = jobs["no_log_reminder"]["last_run"]
    assert last["id"] == str(run.id)
    assert last["status"] == "success" and last["trigger"] == "manual"
    assert last["stats"] == {"considered": 0, "queued": 0, "skipped": 0, "sent": 0, "failed": 0}
    assert set(last) == {
        "id",
        "status",
        "trigger",
        "started_at",
        "finished_at",
        "duration_ms",
        "error",
        "stats",
    }


def test_run_a_job(staff, soprano_member, mailoutbox):
    response = staff.client.post("/admin/jobs/no_log_reminder/run")
    assert response.status_code == 202
    run = response.json()["run"]
    assert run["job_name"] == "no_log_reminder"
    assert run["status"] == "queued"
    assert run["trigger"] == "manual"
    assert run["requested_by"] == staff.id
    # Without a broker the run happened inline: it is finished by now.
    detail = staff.client.get(f"/admin/jobs/runs/{run['id']}").json()["run"]
    assert detail["status"] == "success"
    assert detail["stats"]["sent"] == 1
    assert detail["duration_ms"] is not None and detail["finished_at"].endswith("Z")
    assert [m.to for m in mailoutbox] == [[soprano_member.user.email]]
    assert JobRun.objects.get(pk=run["id"]).request_id == response["X-Request-ID"]


def test_unknown_job(staff):
    assert_error(staff.client.post("/admin/jobs/nope/run"), 404, "NOT_FOUND", "Unknown job: nope")
    assert not JobRun.objects.exists()


@pytest.fixture(params=["refusing", "silent"])
def dead_broker(request):
    """Point the Celery app at a broker that is down: refusing connections, or accepting
    them and never answering (a hung Redis)."""
    import socket

    silent = None
    if request.param == "silent":
        silent = socket.socket()
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        port = silent.getsockname()[1]
    else:
        port = free_port()
    conf = current_app.conf
    saved = (conf.task_always_eager, conf.broker_url)
    conf.task_always_eager = False
    conf.broker_url = f"redis://127.0.0.1:{port}/6"
    yield
    conf.task_always_eager, conf.broker_url = saved
    if silent is not None:
        silent.close()


def test_broker_down_is_503_fast(staff, dead_broker):
    started = time.monotonic()
    response = staff.client.post("/admin/jobs/no_log_reminder/run")
    elapsed = time.monotonic() - started
    assert_error(response, 503, "SERVICE_UNAVAILABLE", "Task queue unavailable")
    assert elapsed < 2.0
    run = JobRun.objects.get()
    assert run.status == JobStatus.FAILURE
    assert "could not be queued" in run.error


def test_run_history(staff, run_job, django_assert_max_num_queries):
    runs = [run_job(name) for name in ("no_log_reminder", "deadline_reminder", "no_log_reminder")]
    JobRun.objects.filter(pk=runs[1].pk).update(status=JobStatus.FAILURE, error="boom")

    with django_assert_max_num_queries(4):
        body = staff.client.get("/admin/jobs/runs").json()
    assert [item["id"] for item in body["items"]] == [str(r.id) for r in reversed(runs)]
    body = staff.client.get("/admin/jobs/runs?job_name=no_log_reminder").json()
    assert [item["id"] for item in body["items"]] == [str(runs[2].id), str(runs[0].id)]
    body = staff.client.get("/admin/jobs/runs?status=failure").json()
    assert [(item["id"], item["error"]) for item in body["items"]] == [(str(runs[1].id), "boom")]
    page = staff.client.get("/admin/jobs/runs?limit=2").json()
    assert len(page["items"]) == 2 and page["next_cursor"]
    rest = staff.client.get(f"/admin/jobs/runs?limit=2&cursor={page['next_cursor']}").json()
    assert [item["id"] for item in rest["items"]] == [str(runs[0].id)]

    assert_error(
        staff.client.get("/admin/jobs/runs?status=done"), 422, "VALIDATION_ERROR", field="status"
    )
    assert_error(
        staff.client.get("/admin/jobs/runs?job_name=nope"),
        422,
        "VALIDATION_ERROR",
        field="job_name",
    )


def test_run_detail_errors(staff):
    assert_error(
        staff.client.get("/admin/jobs/runs/not-a-uuid"), 422, "VALIDATION_ERROR", field="run_id"
    )
    assert_error(
        staff.client.get(f"/admin/jobs/runs/{uuid.uuid4()}"), 404, "NOT_FOUND", "Job run not found"
    )


def test_the_django_admin_console_still_answers(staff):
    # /admin/jobs… is this API; the rest of /admin/ is still Django's console.
    response = staff.client.get("/admin/")
    assert response.status_code in (200, 302)
