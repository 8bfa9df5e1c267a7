from __future__ import annotations

import datetime
import uuid

import pytest
import time_machine
from django.utils import timezone

from conftest import assert_error
from practice.models import Assignment, AssignmentScope, Priority
from practice.tests.factories import AssignmentFactory
from teams.tests.factories import CycleFactory

pytestmark = pytest.mark.django_db

LEADER_REQUIRED = "Section leader or admin role required"
NOT_A_MEMBER = "Not a member of this team"
OWN_SECTION_ONLY = "Section leaders can only create SECTION assignments for their own section"


def create_url(cycle) -> str:
    return f"/cycles/{cycle.id}/assignments"


def body(**overrides):
    data = {"title": "Bars 32-40", "type": "SONG_WORK", "scope": "TEAM", "priority": "MEDIUM"}
    data.update(overrides)
    return data


# --- POST /cycles/{cycle_id}/assignments -------------------------------------------------------


def test_admin_creates_team_assignment_with_exact_shape(admin, cycle):
    # Forward, not back: the personas' access tokens were issued at the real "now".
    moment = (timezone.now() + datetime.timedelta(minutes=1)).replace(microsecond=0)
    with time_machine.travel(moment, tick=False):
        response = admin.client.post(
            create_url(cycle), body(song_ref="Hallelujah", notes="Slowly first"), format="json"
        )
    assert response.status_code == 201, response.content
    assignment = response.json()["assignment"]
    stored = Assignment.objects.get()
    assert assignment == {
        "id": str(stored.id),
        "cycle_id": str(cycle.id),
        "created_by": admin.id,
        "type": "SONG_WORK",
        "scope": "TEAM",
        "priority": "MEDIUM",
        "section": None,
        "title": "Bars 32-40",
        "song_ref": "Hallelujah",
        "notes": "Slowly first",
        "due_at": f"{cycle.date.isoformat()}T00:00:00Z",
        "created_at": moment.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "updated_at": moment.strftime("%Y-%m-%dT%H:%M:%SZ"),
    }


def test_priority_defaults_to_low(admin, cycle):
    data = body()
    del data["priority"]
    response = admin.client.post(create_url(cycle), data, format="json")
    assert response.status_code == 201
    assert response.json()["assignment"]["priority"] == "LOW"


@pytest.mark.parametrize(
    ("persona", "payload", "expected"),
    [
        ("admin", {"scope": "TEAM"}, 201),
        ("admin", {"scope": "SECTION", "section": "Alto"}, 201),
        ("soprano_leader", {"scope": "SECTION", "section": "Soprano"}, 201),
        ("soprano_leader", {"scope": "SECTION", "section": "Alto"}, 403),
        ("soprano_leader", {"scope": "TEAM"}, 403),
        ("soprano_member", {"scope": "SECTION", "section": "Soprano"}, 403),
        ("outsider", {"scope": "TEAM"}, 403),
    ],
)
def test_create_role_matrix(request, cycle, persona, payload, expected):
    who = request.getfixturevalue(persona)
    response = who.client.post(create_url(cycle), body(**payload), format="json")
    assert response.status_code == expected, response.content
    assert Assignment.objects.count() == (1 if expected == 201 else 0)


def test_create_error_bodies(soprano_leader, soprano_member, outsider, anon, cycle):
    assert_error(
        soprano_leader.client.post(create_url(cycle), body(scope="TEAM"), format="json"),
        403,
        "FORBIDDEN",
        OWN_SECTION_ONLY,
        field=None,
    )
    assert_error(
        soprano_member.client.post(create_url(cycle), body(), format="json"),
        403,
        "FORBIDDEN",
        LEADER_REQUIRED,
        field=None,
    )
    assert_error(
        outsider.client.post(create_url(cycle), body(), format="json"),
        403,
        "FORBIDDEN",
        NOT_A_MEMBER,
        field=None,
    )
    assert_error(anon.post(create_url(cycle), body(), format="json"), 401, "UNAUTHORIZED")


def test_leader_without_section_cannot_create(team, cycle):
    from conftest import make_persona

    leader = make_persona(team, role="SECTION_LEADER", section=None)
    response = leader.client.post(
        create_url(cycle), body(scope="SECTION", section="Soprano"), format="json"
    )
    assert_error(response, 403, "FORBIDDEN", OWN_SECTION_ONLY)


def test_create_unknown_and_malformed_cycle(admin):
    assert_error(
        admin.client.post(f"/cycles/{uuid.uuid4()}/assignments", body(), format="json"),
        404,
        "NOT_FOUND",
        "Cycle not found",
        field=None,
    )
    assert_error(
        admin.client.post("/cycles/not-a-uuid/assignments", body(), format="json"),
        422,
        "VALIDATION_ERROR",
        field="cycle_id",
    )


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"scope": "SECTION"}, "section"),
        ({"scope": "SECTION", "section": ""}, "section"),
        ({"scope": "TEAM", "section": "Alto"}, "section"),
        ({"title": ""}, "title"),
        ({"title": 5}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"type": "SINGING"}, "type"),
        ({"scope": "EVERYONE"}, "scope"),
        ({"priority": "URGENT"}, "priority"),
        ({"priority": 1}, "priority"),
        ({"song_ref": "x" * 101}, "song_ref"),
        ({"notes": "x" * 2001}, "notes"),
        ({"section": 7, "scope": "SECTION"}, "section"),
    ],
)
def test_create_validation(admin, cycle, payload, field):
    response = admin.client.post(create_url(cycle), body(**payload), format="json")
    assert_error(response, 422, "VALIDATION_ERROR", field=field)
    assert not Assignment.objects.exists()


def test_section_rule_message(admin, cycle):
    response = admin.client.post(create_url(cycle), body(scope="SECTION"), format="json")
    assert_error(
        response, 422, "VALIDATION_ERROR", "A SECTION assignment needs a section", field="section"
    )


def test_body_must_be_an_object(admin, cycle):
    response = admin.client.post(create_url(cycle), [body()], format="json")
    assert_error(response, 422, "VALIDATION_ERROR")


# --- GET /cycles/{cycle_id}/assignments --------------------------------------------------------


@pytest.fixture
def assignment_set(cycle, admin):
    return {
        "team": AssignmentFactory(cycle=cycle, created_by=admin.user, title="Team"),
        "soprano": AssignmentFactory(
            cycle=cycle,
            created_by=admin.user,
            scope=AssignmentScope.SECTION,
            section="Soprano",
            title="Soprano",
        ),
        "alto": AssignmentFactory(
            cycle=cycle,
            created_by=admin.user,
            scope=AssignmentScope.SECTION,
            section="Alto",
            title="Alto",
        ),
    }


def titles(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {item["title"] for item in response.json()["items"]}


@pytest.mark.parametrize(
    ("persona", "visible"),
    [
        ("admin", {"Team", "Soprano", "Alto"}),
        ("soprano_leader", {"Team", "Soprano"}),
        ("soprano_member", {"Team", "Soprano"}),
        ("alto_leader", {"Team", "Alto"}),
        ("alto_member", {"Team", "Alto"}),
    ],
)
def test_list_visibility_matrix(request, cycle, assignment_set, persona, visible):
    who = request.getfixturevalue(persona)
    assert titles(who.client.get(create_url(cycle))) == visible


def test_list_outsider_and_anon_refused(outsider, anon, cycle, assignment_set):
    assert_error(outsider.client.get(create_url(cycle)), 403, "FORBIDDEN", NOT_A_MEMBER)
    assert_error(anon.get(create_url(cycle)), 401, "UNAUTHORIZED")


def test_list_excludes_other_cycles(admin, team, cycle, assignment_set):
    AssignmentFactory(cycle=CycleFactory(team=team), title="Elsewhere")
    assert "Elsewhere" not in titles(admin.client.get(create_url(cycle)))


def test_list_order(admin, cycle):
    old = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    new = old + datetime.timedelta(minutes=1)
    low_old = AssignmentFactory(cycle=cycle, title="low-old", priority=Priority.LOW, created_at=old)
    low_new = AssignmentFactory(cycle=cycle, title="low-new", priority=Priority.LOW, created_at=new)
    low_no_due = AssignmentFactory(
        cycle=cycle, title="low-no-due", priority=Priority.LOW, due_at=None, created_at=new
    )
    blocking = AssignmentFactory(
        cycle=cycle, title="blocking", priority=Priority.BLOCKING, created_at=old
    )
    medium = AssignmentFactory(
        cycle=cycle, title="medium", priority=Priority.MEDIUM, created_at=old
    )
    early = AssignmentFactory(
        cycle=cycle,
        title="low-early-due",
        priority=Priority.LOW,
        due_at=cycle.date_as_datetime - datetime.timedelta(days=1),
        created_at=old,
    )
    items = admin.client.get(create_url(cycle)).json()["items"]
    assert [item["title"] for item in items] == [
        blocking.title,
        medium.title,
        early.title,
        low_new.title,
        low_old.title,
        low_no_due.title,
    ]


def test_list_filters(admin, cycle, assignment_set):
    AssignmentFactory(
        cycle=cycle, title="Blocker", priority=Priority.BLOCKING, type="LISTENING", song_ref="Ave"
    )
    client = admin.client
    assert titles(client.get(create_url(cycle), {"scope": "SECTION"})) == {"Soprano", "Alto"}
    assert titles(client.get(create_url(cycle), {"section": "Alto"})) == {"Alto"}
    assert titles(client.get(create_url(cycle), {"priority": "BLOCKING"})) == {"Blocker"}
    assert titles(client.get(create_url(cycle), {"type": "LISTENING"})) == {"Blocker"}
    assert titles(client.get(create_url(cycle), {"song_ref": "Ave"})) == {"Blocker"}
    assert_error(
        client.get(create_url(cycle), {"scope": "ALL"}), 422, "VALIDATION_ERROR", field="scope"
    )
    assert_error(
        client.get(create_url(cycle), {"priority": "x"}), 422, "VALIDATION_ERROR", field="priority"
    )


def test_member_filtering_for_other_section_sees_nothing(soprano_member, cycle, assignment_set):
    assert titles(soprano_member.client.get(create_url(cycle), {"section": "Alto"})) == set()


def test_pagination_walks_every_row_once(admin, cycle):
    # Equal sort keys everywhere but the id: the cursor must still be stable.
    now = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    created = [AssignmentFactory(cycle=cycle, created_at=now) for _ in range(7)]
    created += [
        AssignmentFactory(cycle=cycle, priority=Priority.BLOCKING, created_at=now) for _ in range(3)
    ]
    created += [AssignmentFactory(cycle=cycle, due_at=None, created_at=now) for _ in range(3)]
    seen, cursor = [], None
    while True:
        params = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        page = admin.client.get(create_url(cycle), params).json()
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == 13
    assert set(seen) == {str(a.id) for a in created}
    full = admin.client.get(create_url(cycle), {"limit": 100}).json()["items"]
    assert seen == [item["id"] for item in full]
    assert_error(
        admin.client.get(create_url(cycle), {"cursor": "###"}),
        422,
        "VALIDATION_ERROR",
        field="cursor",
    )


def test_list_query_count_is_constant(
    soprano_member, cycle, count_queries, django_assert_max_num_queries
):
    AssignmentFactory.create_batch(2, cycle=cycle)
    small, response = count_queries(lambda: soprano_member.client.get(create_url(cycle)))
    assert len(response.json()["items"]) == 2
    AssignmentFactory.create_batch(40, cycle=cycle)
    AssignmentFactory.create_batch(10, cycle=cycle, scope="SECTION", section="Soprano")
    with django_assert_max_num_queries(small):
        response = soprano_member.client.get(create_url(cycle))
    assert len(response.json()["items"]) == 50


# --- PATCH /assignments/{id} -------------------------------------------------------------------


def detail_url(assignment) -> str:
    return f"/assignments/{assignment.id}"


@pytest.fixture
def soprano_assignment(cycle, soprano_leader):
    return AssignmentFactory(
        cycle=cycle,
        created_by=soprano_leader.user,
        scope=AssignmentScope.SECTION,
        section="Soprano",
    )


def test_creator_edits(soprano_leader, soprano_assignment):
    response = soprano_leader.client.patch(
        detail_url(soprano_assignment),
        {
            "title": "New title",
            "priority": "BLOCKING",
            "notes": "",
            "song_ref": "Ave",
            "unknown": 1,
        },
        format="json",
    )
    assert response.status_code == 200, response.content
    data = response.json()["assignment"]
    assert (data["title"], data["priority"], data["notes"], data["song_ref"]) == (
        "New title",
        "BLOCKING",
        None,
        "Ave",
    )
    soprano_assignment.refresh_from_db()
    assert soprano_assignment.title == "New title"
    assert soprano_assignment.scope == "SECTION"


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("admin", 200),
        ("soprano_leader", 200),  # the creator
        ("soprano_member", 403),
        ("alto_leader", 404),  # cannot see another section's assignment
        ("outsider", 403),
    ],
)
def test_edit_role_matrix(request, soprano_assignment, persona, expected):
    who = request.getfixturevalue(persona)
    response = who.client.patch(detail_url(soprano_assignment), {"title": "Changed"}, format="json")
    assert response.status_code == expected, response.content
    soprano_assignment.refresh_from_db()
    assert (soprano_assignment.title == "Changed") == (expected == 200)


def test_edit_error_bodies(soprano_member, alto_leader, outsider, admin, soprano_assignment):
    url = detail_url(soprano_assignment)
    assert_error(
        soprano_member.client.patch(url, {"title": "x"}, format="json"),
        403,
        "FORBIDDEN",
        "Only the creator or an admin can edit this assignment",
        field=None,
    )
    assert_error(
        alto_leader.client.patch(url, {"title": "x"}, format="json"),
        404,
        "NOT_FOUND",
        "Assignment not found",
        field=None,
    )
    assert_error(
        outsider.client.patch(url, {"title": "x"}, format="json"), 403, "FORBIDDEN", NOT_A_MEMBER
    )
    assert_error(
        admin.client.patch(url, {"scope": "TEAM"}, format="json"),
        422,
        "VALIDATION_ERROR",
        "The scope of an assignment cannot be changed",
        field="scope",
    )
    assert_error(
        admin.client.patch(f"/assignments/{uuid.uuid4()}", {"title": "x"}, format="json"),
        404,
        "NOT_FOUND",
        "Assignment not found",
    )
    assert_error(
        admin.client.patch("/assignments/nope", {"title": "x"}, format="json"),
        422,
        "VALIDATION_ERROR",
        field="assignment_id",
    )


def test_other_leader_cannot_edit_team_assignment_of_admin(alto_leader, cycle, admin):
    assignment = AssignmentFactory(cycle=cycle, created_by=admin.user)
    response = alto_leader.client.patch(detail_url(assignment), {"title": "x"}, format="json")
    assert_error(
        response, 403, "FORBIDDEN", "Only the creator or an admin can edit this assignment"
    )


def test_edit_section_rules(soprano_leader, admin, cycle, soprano_assignment):
    url = detail_url(soprano_assignment)
    # A section leader cannot hand the assignment to another section.
    assert_error(
        soprano_leader.client.patch(url, {"section": "Alto"}, format="json"),
        403,
        "FORBIDDEN",
        OWN_SECTION_ONLY,
    )
    assert_error(
        admin.client.patch(url, {"section": None}, format="json"),
        422,
        "VALIDATION_ERROR",
        field="section",
    )
    response = admin.client.patch(url, {"section": "Alto"}, format="json")
    assert response.json()["assignment"]["section"] == "Alto"
    team_assignment = AssignmentFactory(cycle=cycle, created_by=admin.user)
    assert_error(
        admin.client.patch(detail_url(team_assignment), {"section": "Alto"}, format="json"),
        422,
        "VALIDATION_ERROR",
        "A TEAM assignment cannot have a section",
        field="section",
    )


def test_edit_validation(admin, soprano_assignment):
    url = detail_url(soprano_assignment)
    assert_error(
        admin.client.patch(url, {"title": ""}, format="json"),
        422,
        "VALIDATION_ERROR",
        field="title",
    )
    assert_error(
        admin.client.patch(url, {"type": 3}, format="json"), 422, "VALIDATION_ERROR", field="type"
    )
    assert_error(
        admin.client.patch(url, {"title": None}, format="json"),
        422,
        "VALIDATION_ERROR",
        field="title",
    )


# --- DELETE /assignments/{id} ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("admin", 204), ("soprano_leader", 403), ("soprano_member", 403), ("outsider", 403)],
)
def test_delete_role_matrix(request, soprano_assignment, persona, expected):
    who = request.getfixturevalue(persona)
    response = who.client.delete(detail_url(soprano_assignment))
    assert response.status_code == expected, response.content
    assert Assignment.objects.filter(pk=soprano_assignment.pk).exists() == (expected != 204)


def test_delete_error_body(soprano_leader, admin, soprano_assignment):
    assert_error(
        soprano_leader.client.delete(detail_url(soprano_assignment)),
        403,
        "FORBIDDEN",
        "Admin role required",
        field=None,
    )
    assert admin.client.delete(detail_url(soprano_assignment)).content == b""
    assert_error(
        admin.client.delete(detail_url(soprano_assignment)),
        404,
        "NOT_FOUND",
        "Assignment not found",
    )
