"""The rules hold for every caller of the services, not only the HTTP API."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from practice import services
from practice.models import PracticeLog
from practice.tests.factories import AssignmentFactory, PracticeLogFactory
from practiceops.core.errors import Forbidden, ValidationFailed

pytestmark = pytest.mark.django_db


def test_member_cannot_create_assignment(soprano_member, cycle):
    with pytest.raises(Forbidden):
        services.assignment_create(
            membership=soprano_member.membership,
            cycle=cycle,
            title="x",
            type="SONG_WORK",
            scope="TEAM",
        )


def test_assignment_due_at_is_the_cycle_date(admin, cycle):
    assignment = services.assignment_create(
        membership=admin.membership, cycle=cycle, title="x", type="SONG_WORK", scope="TEAM"
    )
    assert assignment.due_at == cycle.date_as_datetime
    assert assignment.created_by_id == admin.user.id


def test_scope_cannot_change(admin, cycle):
    assignment = AssignmentFactory(cycle=cycle)
    with pytest.raises(ValidationFailed) as excinfo:
        services.assignment_update(
            membership=admin.membership, assignment=assignment, changes={"scope": "SECTION"}
        )
    assert excinfo.value.field == "scope"


def test_only_the_owner_changes_a_log(admin, soprano_member, cycle):
    log = PracticeLogFactory(user=soprano_member.user, cycle=cycle)
    with pytest.raises(Forbidden):
        services.practice_log_update(
            membership=admin.membership, log=log, changes={"duration_minutes": 5}
        )
    with pytest.raises(Forbidden):
        services.practice_log_delete(membership=admin.membership, log=log)
    assert PracticeLog.objects.filter(pk=log.pk).exists()


def test_refused_links_write_nothing(soprano_member, cycle):
    hidden = AssignmentFactory(cycle=cycle, scope="SECTION", section="Alto")
    with pytest.raises(ValidationFailed):
        services.practice_log_create(
            membership=soprano_member.membership,
            cycle=cycle,
            duration_minutes=5,
            assignment_ids=[hidden.id],
        )
    assert not PracticeLog.objects.exists()


@pytest.mark.parametrize(
    "fields",
    [{"duration_minutes": 0}, {"duration_minutes": 601}, {"rating_1_5": 0}, {"rating_1_5": 6}],
)
def test_database_refuses_out_of_range_values(soprano_member, cycle, fields):
    with pytest.raises(IntegrityError), transaction.atomic():
        PracticeLogFactory(user=soprano_member.user, cycle=cycle, **fields)
