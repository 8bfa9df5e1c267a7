"""Assignments and practice logs."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from practice.models import Assignment, AssignmentScope, PracticeLog
from practice.tests.factories import AssignmentFactory, PracticeLogFactory
from practiceops.admin_tests.conftest import ADMIN, assert_constant_queries

ASSIGNMENTS = f"{ADMIN}practice/assignment/"
LOGS = f"{ADMIN}practice/practicelog/"


def test_assignment_pages(staff_client, cycle):
    assignment = AssignmentFactory(cycle=cycle, title="Learn the bridge")
    listing = staff_client.get(ASSIGNMENTS, {"q": "bridge"})
    assert [a.pk for a in listing.context["cl"].result_list] == [assignment.pk]
    assert staff_client.get(f"{ASSIGNMENTS}{assignment.pk}/change/").status_code == 200
    assert staff_client.get(f"{ASSIGNMENTS}add/").status_code == 200


def test_assignment_add_records_the_staff_user_and_checks_the_scope_rule(
    staff_client, staff_user, cycle
):
    data = {
        "cycle": str(cycle.pk),
        "title": "Breathing",
        "type": "TECHNIQUE",
        "scope": AssignmentScope.SECTION,
        "section": "",
        "priority": "LOW",
    }
    refused = staff_client.post(f"{ASSIGNMENTS}add/", data)
    # The database's "a SECTION assignment names its section" rule, shown as a form error.
    assert refused.status_code == 200
    assert not Assignment.objects.exists()
    data["section"] = "Alto"
    assert staff_client.post(f"{ASSIGNMENTS}add/", data).status_code == 302
    assignment = Assignment.objects.get()
    assert (assignment.section, assignment.created_by_id) == ("Alto", staff_user.pk)


def test_practice_log_pages_and_date_hierarchy(staff_client, soprano_member, cycle):
    log = PracticeLogFactory(
        user=soprano_member.user,
        cycle=cycle,
        duration_minutes=45,
        occurred_at=datetime.datetime(2026, 3, 4, 18, 0, tzinfo=datetime.UTC),
    )
    PracticeLogFactory(
        cycle=cycle, occurred_at=datetime.datetime(2026, 4, 1, 18, 0, tzinfo=datetime.UTC)
    )
    listing = staff_client.get(LOGS, {"occurred_at__year": "2026", "occurred_at__month": "3"})
    assert [entry.pk for entry in listing.context["cl"].result_list] == [log.pk]
    assert listing.context["cl"].date_hierarchy == "occurred_at"
    by_member = staff_client.get(LOGS, {"q": soprano_member.user.email})
    assert [entry.pk for entry in by_member.context["cl"].result_list] == [log.pk]
    assert staff_client.get(f"{LOGS}{log.pk}/change/").status_code == 200
    # Logs are written by members through the API.
    assert staff_client.get(f"{LOGS}add/").status_code == 403


def test_practice_log_correction_keeps_author_and_team(staff_client, soprano_member, cycle):
    log = PracticeLogFactory(user=soprano_member.user, cycle=cycle, duration_minutes=45)
    response = staff_client.post(
        f"{LOGS}{log.pk}/change/",
        {
            "occurred_at_0": log.occurred_at.date().isoformat(),
            "occurred_at_1": "10:00:00",
            "duration_minutes": "50",
            "rating_1_5": "",
            "notes": "",
            "assignments": "",
            "user": "someone-else",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    log.refresh_from_db()
    assert (log.duration_minutes, log.user_id, log.team_id) == (
        50,
        soprano_member.user.pk,
        cycle.team_id,
    )


def test_practice_log_duration_limit_is_a_form_error(staff_client, cycle):
    log = PracticeLogFactory(cycle=cycle)
    response = staff_client.post(
        f"{LOGS}{log.pk}/change/",
        {
            "occurred_at_0": timezone.now().date().isoformat(),
            "occurred_at_1": "10:00:00",
            "duration_minutes": "601",
            "assignments": "",
        },
    )
    assert response.status_code == 200
    log.refresh_from_db()
    assert log.duration_minutes == 30


@pytest.mark.parametrize(
    ("url", "make_row"),
    [
        (ASSIGNMENTS, lambda staff: AssignmentFactory(created_by=staff)),
        (LOGS, lambda staff: PracticeLogFactory()),
    ],
    ids=["assignments", "practice_logs"],
)
def test_changelist_query_count_is_constant(staff_client, staff_user, url, make_row):
    def make_rows(n):
        for _ in range(n):
            make_row(staff_user)

    assert_constant_queries(staff_client, url, make_rows, rows_shown=url)


def test_practice_log_query_count_constant_with_linked_assignments(staff_client, cycle):
    def make_rows(n):
        for _ in range(n):
            log = PracticeLogFactory(cycle=cycle)
            log.assignments.add(AssignmentFactory(cycle=cycle))

    assert_constant_queries(staff_client, LOGS, make_rows, rows_shown="logs with assignments")
    assert PracticeLog.objects.count() == 50
