"""django-celery-beat's own admin: schedules staff change without a deploy (jobs.md)."""

from __future__ import annotations

import json

import pytest
from django_celery_beat.models import (
    CrontabSchedule,
    IntervalSchedule,
    PeriodicTask,
    PeriodicTasks,
)

from practiceops.admin_tests.conftest import ADMIN, assert_constant_queries, messages_of

BEAT = f"{ADMIN}django_celery_beat/"
TASKS = f"{BEAT}periodictask/"


@pytest.mark.parametrize(
    "model",
    ["periodictask", "crontabschedule", "intervalschedule", "clockedschedule", "solarschedule"],
)
def test_beat_pages_open(staff_client, model):
    assert staff_client.get(f"{BEAT}{model}/").status_code == 200
    assert staff_client.get(f"{BEAT}{model}/add/").status_code == 200


def test_the_index_lists_the_schedules(staff_client):
    html = staff_client.get(ADMIN).content.decode()
    for name in ("Periodic tasks", "Crontabs", "Intervals"):
        assert name in html


def test_add_a_schedule_and_a_periodic_task(staff_client):
    before = PeriodicTasks.last_change()
    response = staff_client.post(
        f"{BEAT}intervalschedule/add/",
        {
            "every": "6",
            "period": IntervalSchedule.HOURS,
            "periodictask_set-TOTAL_FORMS": "0",
            "periodictask_set-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    interval = IntervalSchedule.objects.get(every=6, period=IntervalSchedule.HOURS)
    response = staff_client.post(
        f"{TASKS}add/",
        {
            "name": "Clean up",
            "regtask": "",
            "task": "practiceops.example_task",
            "enabled": "on",
            "interval": str(interval.pk),
            "args": "[]",
            "kwargs": "{}",
            "headers": "{}",
            "priority": "",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    task = PeriodicTask.objects.get(name="Clean up")
    assert (task.interval_id, task.enabled) == (interval.pk, True)
    # Saving through the model tells a running beat to reload its schedule.
    assert PeriodicTasks.last_change() != before


def test_enable_and_disable_actions(staff_client):
    crontab = CrontabSchedule.objects.create(minute="0", hour="9", timezone="UTC")
    task = PeriodicTask.objects.create(
        name="daily", task="x.y", crontab=crontab, kwargs=json.dumps({})
    )
    before = PeriodicTasks.last_change()
    response = staff_client.post(
        TASKS, {"action": "disable_tasks", "_selected_action": [str(task.pk)]}, follow=True
    )
    assert "1 task was successfully disabled" in messages_of(response)
    task.refresh_from_db()
    assert task.enabled is False
    assert PeriodicTasks.last_change() != before
    staff_client.post(TASKS, {"action": "enable_tasks", "_selected_action": [str(task.pk)]})
    task.refresh_from_db()
    assert task.enabled is True


def test_periodic_task_changelist_query_count_is_constant(staff_client):
    def make_rows(n):
        start = PeriodicTask.objects.count()
        for i in range(start, start + n):
            schedule = CrontabSchedule.objects.create(minute=str(i % 60), hour="*/2")
            PeriodicTask.objects.create(name=f"task {i}", task="x.y", crontab=schedule)

    assert_constant_queries(staff_client, TASKS, make_rows, rows_shown="periodic tasks")
