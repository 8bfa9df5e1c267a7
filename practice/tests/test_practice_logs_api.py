from __future__ import annotations

import datetime
import re
import uuid

import pytest
import time_machine
from django.utils import timezone

from conftest import assert_error, make_persona
from practice.models import AssignmentScope, PracticeLog
from practice.tests.factories import AssignmentFactory, PracticeLogFactory
from teams.models import Role
from teams.tests.factories import CycleFactory

pytestmark = pytest.mark.django_db

NOT_A_MEMBER = "Not a member of this team"
LEADER_REQUIRED = "Section leader or admin role required"
OWN_SECTION_ONLY = "Section leaders can only view their own section"
NOT_OWNER = "Only the owner can change this practice log"


def logs_url(cycle) -> str:
    return f"/cycles/{cycle.id}/practice-logs"


def team_logs_url(team) -> str:
    return f"/teams/{team.id}/practice-logs"


def soon() -> datetime.datetime:
    """A frozen moment just ahead: tokens issued at the real "now" stay valid."""
    return (timezone.now() + datetime.timedelta(minutes=1)).replace(microsecond=0)


def iso(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# --- POST /cycles/{cycle_id}/practice-logs -----------------------------------------------------


def test_member_logs_practice_with_defaults(soprano_member, team, cycle):
    moment = soon()
    with time_machine.travel(moment, tick=False):
        response = soprano_member.client.post(logs_url(cycle), {"duration_min": 25}, format="json")
    assert response.status_code == 201, response.content
    log = PracticeLog.objects.get()
    assert response.json() == {
        "practice_log": {
            "id": str(log.id),
            "user_id": soprano_member.id,
            "team_id": str(team.id),
            "cycle_id": str(cycle.id),
            "duration_minutes": 25,
            "rating_1_5": None,
            "blocked_flag": False,
            "notes": None,
            "occurred_at": iso(moment),
            "created_at": iso(moment),
            "assignments": [],
            "tickets": [],
        },
        "suggested_ticket": None,
    }


def test_blocked_log_suggests_a_ticket_due_on_the_cycle_date(alto_member, cycle):
    response = alto_member.client.post(
        logs_url(cycle),
        {"duration_min": 10, "blocked_flag": True, "rating_1_5": 2, "notes": "Stuck at bar 12"},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["suggested_ticket"] == {
        "title_suggestion": "Practice blocker - needs attention",
        # A date "YYYY-MM-DD" (the first code answered a timestamp, midnight UTC).
        "due_date": cycle.date.isoformat(),
        "visibility_default": "PRIVATE",
        "priority_default": "MEDIUM",
        "category_default": "OTHER",
    }
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", body["suggested_ticket"]["due_date"])
    assert body["practice_log"]["blocked_flag"] is True
    assert body["practice_log"]["rating_1_5"] == 2
    assert body["practice_log"]["notes"] == "Stuck at bar 12"


def test_occurred_at_is_kept_in_utc(soprano_member, cycle):
    response = soprano_member.client.post(
        logs_url(cycle),
        {"duration_min": 5, "occurred_at": "2026-01-10T20:30:00+01:00"},
        format="json",
    )
    assert response.json()["practice_log"]["occurred_at"] == "2026-01-10T19:30:00Z"


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("admin", 201),
        ("soprano_leader", 201),
        ("alto_leader", 201),
        ("soprano_member", 201),
        ("alto_member", 201),
        ("outsider", 403),
    ],
)
def test_create_role_matrix(request, cycle, persona, expected):
    who = request.getfixturevalue(persona)
    response = who.client.post(logs_url(cycle), {"duration_min": 30}, format="json")
    assert response.status_code == expected, response.content
    assert PracticeLog.objects.count() == (1 if expected == 201 else 0)


def test_create_refusals(outsider, anon, soprano_member, cycle):
    assert_error(
        outsider.client.post(logs_url(cycle), {"duration_min": 30}, format="json"),
        403,
        "FORBIDDEN",
        NOT_A_MEMBER,
        field=None,
    )
    assert_error(
        anon.post(logs_url(cycle), {"duration_min": 30}, format="json"), 401, "UNAUTHORIZED"
    )
    assert_error(
        soprano_member.client.post(
            f"/cycles/{uuid.uuid4()}/practice-logs", {"duration_min": 30}, format="json"
        ),
        404,
        "NOT_FOUND",
        "Cycle not found",
        field=None,
    )
    assert_error(
        soprano_member.client.post(
            "/cycles/123/practice-logs", {"duration_min": 30}, format="json"
        ),
        422,
        "VALIDATION_ERROR",
        field="cycle_id",
    )


def test_occurred_at_more_than_a_day_ahead_is_refused(soprano_member, cycle):
    moment = soon()
    with time_machine.travel(moment, tick=False):
        too_far = moment + datetime.timedelta(days=1, seconds=1)
        response = soprano_member.client.post(
            logs_url(cycle), {"duration_min": 30, "occurred_at": too_far.isoformat()}, format="json"
        )
        assert_error(
            response,
            422,
            "VALIDATION_ERROR",
            "occurred_at cannot be more than 1 day in the future",
            field="occurred_at",
        )
        just_inside = moment + datetime.timedelta(hours=23)
        response = soprano_member.client.post(
            logs_url(cycle),
            {"duration_min": 30, "occurred_at": just_inside.isoformat()},
            format="json",
        )
        assert response.status_code == 201
    assert PracticeLog.objects.count() == 1


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({}, "duration_min"),
        ({"duration_min": 0}, "duration_min"),
        ({"duration_min": 601}, "duration_min"),
        ({"duration_min": "30"}, "duration_min"),
        ({"duration_min": 12.5}, "duration_min"),
        ({"duration_min": True}, "duration_min"),
        ({"duration_min": 30, "rating_1_5": 0}, "rating_1_5"),
        ({"duration_min": 30, "rating_1_5": 6}, "rating_1_5"),
        ({"duration_min": 30, "blocked_flag": "yes"}, "blocked_flag"),
        ({"duration_min": 30, "notes": 5}, "notes"),
        ({"duration_min": 30, "notes": "x" * 2001}, "notes"),
        ({"duration_min": 30, "notes": "a\x00b"}, "notes"),
        ({"duration_min": 30, "occurred_at": "yesterday"}, "occurred_at"),
        ({"duration_min": 30, "occurred_at": 1700000000}, "occurred_at"),
        ({"duration_min": 30, "assignment_ids": "abc"}, "assignment_ids"),
        ({"duration_min": 30, "assignment_ids": {"a": 1}}, "assignment_ids"),
        ({"duration_min": 30, "assignment_ids": ["nope"]}, "assignment_ids.0"),
        ({"duration_min": 30, "ticket_ids": [3]}, "ticket_ids.0"),
    ],
)
def test_create_validation(soprano_member, cycle, payload, field):
    response = soprano_member.client.post(logs_url(cycle), payload, format="json")
    assert_error(response, 422, "VALIDATION_ERROR", field=field)
    assert not PracticeLog.objects.exists()


def test_body_must_be_a_json_object(soprano_member, cycle):
    assert_error(
        soprano_member.client.post(logs_url(cycle), [{"duration_min": 30}], format="json"),
        422,
        "VALIDATION_ERROR",
    )


def test_links_visible_assignments_of_the_cycle(soprano_member, cycle):
    team_work = AssignmentFactory(cycle=cycle, title="Team work", type="LISTENING")
    section_work = AssignmentFactory(
        cycle=cycle, title="Soprano work", scope=AssignmentScope.SECTION, section="Soprano"
    )
    response = soprano_member.client.post(
        logs_url(cycle),
        {
            "duration_min": 30,
            "assignment_ids": [str(team_work.id), str(section_work.id), str(team_work.id)],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    linked = response.json()["practice_log"]["assignments"]
    assert sorted(linked, key=lambda a: a["title"]) == [
        {"id": str(section_work.id), "title": "Soprano work", "type": "SONG_WORK"},
        {"id": str(team_work.id), "title": "Team work", "type": "LISTENING"},
    ]
    assert set(PracticeLog.objects.get().assignments.values_list("id", flat=True)) == {
        team_work.id,
        section_work.id,
    }


def test_refuses_assignments_unknown_hidden_or_of_another_cycle(
    soprano_member, team, cycle, other_team
):
    hidden = AssignmentFactory(cycle=cycle, scope=AssignmentScope.SECTION, section="Alto")
    other_cycle = AssignmentFactory(cycle=CycleFactory(team=team))
    other_team_assignment = AssignmentFactory(cycle=CycleFactory(team=other_team))
    for bad in (uuid.uuid4(), hidden.id, other_cycle.id, other_team_assignment.id):
        response = soprano_member.client.post(
            logs_url(cycle), {"duration_min": 30, "assignment_ids": [str(bad)]}, format="json"
        )
        assert_error(
            response,
            422,
            "VALIDATION_ERROR",
            "Assignments must be visible assignments of the practice log's cycle",
            field="assignment_ids",
        )
    assert not PracticeLog.objects.exists()


def test_unresolvable_ticket_ids_are_refused(soprano_member, cycle):
    response = soprano_member.client.post(
        logs_url(cycle), {"duration_min": 30, "ticket_ids": [str(uuid.uuid4())]}, format="json"
    )
    assert_error(response, 422, "VALIDATION_ERROR", field="ticket_ids")
    assert not PracticeLog.objects.exists()


def test_empty_link_lists_are_fine(soprano_member, cycle):
    response = soprano_member.client.post(
        logs_url(cycle), {"duration_min": 30, "assignment_ids": [], "ticket_ids": []}, format="json"
    )
    assert response.status_code == 201


# --- GET /cycles/{cycle_id}/practice-logs ------------------------------------------------------


@pytest.fixture
def logs(cycle, admin, soprano_leader, soprano_member, alto_leader, alto_member):
    base = timezone.now() - datetime.timedelta(days=2)
    made = {}
    for offset, persona in enumerate(
        (admin, soprano_leader, soprano_member, alto_leader, alto_member)
    ):
        made[persona.user.display_name] = PracticeLogFactory(
            user=persona.user, cycle=cycle, occurred_at=base + datetime.timedelta(hours=offset)
        )
    return made


def authors(response) -> list[str]:
    assert response.status_code == 200, response.content
    names = {
        str(user_id): name
        for user_id, name in PracticeLog.objects.values_list(
            "user_id", "user__display_name"
        ).distinct()
    }
    return [names[item["user_id"]] for item in response.json()["items"]]


@pytest.mark.parametrize(
    ("persona", "params", "expected"),
    [
        ("soprano_member", {}, ["Sue Soprano"]),
        ("soprano_member", {"me": "true"}, ["Sue Soprano"]),
        ("admin", {}, ["Ada Admin"]),
        ("soprano_leader", {"me": "false"}, ["Sue Soprano", "Sam Soprano-Leader"]),
        (
            "soprano_leader",
            {"me": "false", "section": "Soprano"},
            ["Sue Soprano", "Sam Soprano-Leader"],
        ),
        ("alto_leader", {"me": "false"}, ["Alice Alto", "Al Alto-Leader"]),
        (
            "admin",
            {"me": "false"},
            ["Alice Alto", "Al Alto-Leader", "Sue Soprano", "Sam Soprano-Leader", "Ada Admin"],
        ),
        ("admin", {"me": "false", "section": "Alto"}, ["Alice Alto", "Al Alto-Leader"]),
        ("admin", {"me": "false", "section": "Tenor"}, []),
    ],
)
def test_list_by_role(request, cycle, logs, persona, params, expected):
    who = request.getfixturevalue(persona)
    assert authors(who.client.get(logs_url(cycle), params)) == expected


def test_list_refusals(soprano_member, soprano_leader, outsider, anon, team, cycle, logs):
    assert_error(
        soprano_member.client.get(logs_url(cycle), {"me": "false"}),
        403,
        "FORBIDDEN",
        LEADER_REQUIRED,
        field=None,
    )
    assert_error(
        soprano_leader.client.get(logs_url(cycle), {"me": "false", "section": "Alto"}),
        403,
        "FORBIDDEN",
        OWN_SECTION_ONLY,
        field=None,
    )
    assert_error(outsider.client.get(logs_url(cycle)), 403, "FORBIDDEN", NOT_A_MEMBER)
    assert_error(
        outsider.client.get(logs_url(cycle), {"me": "false"}), 403, "FORBIDDEN", NOT_A_MEMBER
    )
    assert_error(anon.get(logs_url(cycle)), 401, "UNAUTHORIZED")
    assert_error(
        soprano_member.client.get(logs_url(cycle), {"me": "maybe"}),
        422,
        "VALIDATION_ERROR",
        field="me",
    )
    sectionless = make_persona(team, role=Role.SECTION_LEADER, section=None)
    assert_error(
        sectionless.client.get(logs_url(cycle), {"me": "false"}), 403, "FORBIDDEN", OWN_SECTION_ONLY
    )


def test_list_is_limited_to_the_cycle(soprano_member, team, cycle):
    PracticeLogFactory(user=soprano_member.user, cycle=cycle)
    PracticeLogFactory(user=soprano_member.user, cycle=CycleFactory(team=team))
    assert len(soprano_member.client.get(logs_url(cycle)).json()["items"]) == 1


def test_order_and_pagination_are_stable(soprano_member, cycle):
    same = timezone.now() - datetime.timedelta(hours=5)
    older = same - datetime.timedelta(hours=1)
    tied = [
        PracticeLogFactory(user=soprano_member.user, cycle=cycle, occurred_at=same)
        for _ in range(5)
    ]
    old = [
        PracticeLogFactory(user=soprano_member.user, cycle=cycle, occurred_at=older)
        for _ in range(2)
    ]
    full = soprano_member.client.get(logs_url(cycle)).json()["items"]
    expected = sorted(tied, key=lambda log: str(log.id), reverse=True) + sorted(
        old, key=lambda log: str(log.id), reverse=True
    )
    assert [item["id"] for item in full] == [str(log.id) for log in expected]
    seen, cursor = [], None
    while True:
        page = soprano_member.client.get(
            logs_url(cycle), {"limit": 2, **({"cursor": cursor} if cursor else {})}
        )
        seen += [item["id"] for item in page.json()["items"]]
        cursor = page.json()["next_cursor"]
        if cursor is None:
            break
    assert seen == [item["id"] for item in full]


def test_linked_assignments_are_shown_only_to_readers_who_may_see_them(
    soprano_member, alto_leader, admin, cycle
):
    soprano_work = AssignmentFactory(cycle=cycle, scope=AssignmentScope.SECTION, section="Soprano")
    log = PracticeLogFactory(user=soprano_member.user, cycle=cycle)
    log.assignments.set([soprano_work])
    # The member moves to the Alto section: their logs now show in the Alto leader's view.
    soprano_member.membership.section = "Alto"
    soprano_member.membership.save()
    alto_view = alto_leader.client.get(logs_url(cycle), {"me": "false"}).json()["items"]
    assert [item["id"] for item in alto_view] == [str(log.id)]
    assert alto_view[0]["assignments"] == []
    admin_view = admin.client.get(logs_url(cycle), {"me": "false"}).json()["items"]
    assert [a["id"] for a in admin_view[0]["assignments"]] == [str(soprano_work.id)]


def test_list_query_count_is_constant(
    admin, team, cycle, count_queries, django_assert_max_num_queries
):
    assignments = AssignmentFactory.create_batch(3, cycle=cycle)

    def add_logs(n: int) -> None:
        for _ in range(n):
            member = make_persona(team, section="Soprano")
            log = PracticeLogFactory(user=member.user, cycle=cycle)
            log.assignments.set(assignments)

    add_logs(2)
    small, response = count_queries(lambda: admin.client.get(logs_url(cycle), {"me": "false"}))
    assert len(response.json()["items"]) == 2
    add_logs(25)
    with django_assert_max_num_queries(small):
        response = admin.client.get(logs_url(cycle), {"me": "false", "section": "Soprano"})
    items = response.json()["items"]
    assert len(items) == 27
    assert all(len(item["assignments"]) == 3 for item in items)


# --- GET /teams/{team_id}/practice-logs --------------------------------------------------------


def test_team_listing_spans_cycles_and_deleted_cycles(soprano_member, team, cycle):
    in_cycle = PracticeLogFactory(user=soprano_member.user, cycle=cycle)
    other = PracticeLogFactory(user=soprano_member.user, cycle=CycleFactory(team=team))
    orphan = PracticeLogFactory(user=soprano_member.user, cycle=CycleFactory(team=team))
    orphan.cycle.delete()
    items = soprano_member.client.get(team_logs_url(team)).json()["items"]
    assert {item["id"] for item in items} == {str(in_cycle.id), str(other.id), str(orphan.id)}
    assert {item["cycle_id"] for item in items if item["id"] == str(orphan.id)} == {None}


def test_team_listing_date_window_uses_the_team_timezone(soprano_member, team, cycle):
    team.timezone = "America/New_York"
    team.save()
    utc = datetime.UTC
    late_on_first = PracticeLogFactory(  # 23:30 on 1 March in New York
        user=soprano_member.user,
        cycle=cycle,
        occurred_at=datetime.datetime(2026, 3, 2, 4, 30, tzinfo=utc),
    )
    early_on_second = PracticeLogFactory(  # 00:30 on 2 March in New York
        user=soprano_member.user,
        cycle=cycle,
        occurred_at=datetime.datetime(2026, 3, 2, 5, 30, tzinfo=utc),
    )
    start_of_first = PracticeLogFactory(  # 00:00 on 1 March in New York
        user=soprano_member.user,
        cycle=cycle,
        occurred_at=datetime.datetime(2026, 3, 1, 5, 0, tzinfo=utc),
    )
    before = PracticeLogFactory(
        user=soprano_member.user,
        cycle=cycle,
        occurred_at=datetime.datetime(2026, 3, 1, 4, 59, tzinfo=utc),
    )

    def ids(params):
        response = soprano_member.client.get(team_logs_url(team), params)
        assert response.status_code == 200, response.content
        return [item["id"] for item in response.json()["items"]]

    assert ids({"from": "2026-03-01", "to": "2026-03-01"}) == [
        str(late_on_first.id),
        str(start_of_first.id),
    ]
    assert ids({"from": "2026-03-02"}) == [str(early_on_second.id)]
    assert ids({"to": "2026-02-28"}) == [str(before.id)]


def test_team_listing_by_role_and_refusals(
    admin, soprano_leader, soprano_member, outsider, team, cycle, logs
):
    assert len(admin.client.get(team_logs_url(team), {"me": "false"}).json()["items"]) == 5
    assert authors(soprano_leader.client.get(team_logs_url(team), {"me": "false"})) == [
        "Sue Soprano",
        "Sam Soprano-Leader",
    ]
    assert_error(
        soprano_leader.client.get(team_logs_url(team), {"me": "false", "section": "Alto"}),
        403,
        "FORBIDDEN",
        OWN_SECTION_ONLY,
    )
    assert_error(
        soprano_member.client.get(team_logs_url(team), {"me": "false"}),
        403,
        "FORBIDDEN",
        LEADER_REQUIRED,
    )
    assert_error(outsider.client.get(team_logs_url(team)), 403, "FORBIDDEN", NOT_A_MEMBER)
    assert_error(admin.client.get(f"/teams/{uuid.uuid4()}/practice-logs"), 404, "NOT_FOUND")
    assert_error(
        admin.client.get("/teams/zzz/practice-logs"), 422, "VALIDATION_ERROR", field="team_id"
    )
    assert_error(
        admin.client.get(team_logs_url(team), {"from": "2026-03-02", "to": "2026-03-01"}),
        422,
        "VALIDATION_ERROR",
        "from must not be after to",
        field="from",
    )
    assert_error(
        admin.client.get(team_logs_url(team), {"to": "03/01/2026"}),
        422,
        "VALIDATION_ERROR",
        field="to",
    )


def test_outsider_own_team_listing_shows_nothing_of_harmonia(outsider, other_team, logs):
    response = outsider.client.get(team_logs_url(other_team), {"me": "false"})
    assert response.json() == {"items": [], "next_cursor": None}


def test_team_listing_query_count_is_constant(
    admin, team, cycle, count_queries, django_assert_max_num_queries
):
    def add_logs(n: int) -> None:
        for _ in range(n):
            PracticeLogFactory(user=admin.user, cycle=CycleFactory(team=team), blocked_flag=True)

    add_logs(2)
    small, _ = count_queries(lambda: admin.client.get(team_logs_url(team)))
    add_logs(30)
    with django_assert_max_num_queries(small):
        response = admin.client.get(team_logs_url(team))
    assert len(response.json()["items"]) == 32


# --- PATCH and DELETE /practice-logs/{id} ------------------------------------------------------


def log_url(log) -> str:
    return f"/practice-logs/{log.id}"


@pytest.fixture
def own_log(soprano_member, cycle):
    return PracticeLogFactory(user=soprano_member.user, cycle=cycle, notes="first", rating_1_5=3)


def test_owner_edits_any_field(soprano_member, cycle, own_log):
    work = AssignmentFactory(cycle=cycle, title="Team work")
    response = soprano_member.client.patch(
        log_url(own_log),
        {
            "duration_min": 45,
            "notes": None,
            "rating_1_5": None,
            "blocked_flag": True,
            "occurred_at": "2026-01-05T10:00:00Z",
            "assignment_ids": [str(work.id)],
        },
        format="json",
    )
    assert response.status_code == 200, response.content
    data = response.json()["practice_log"]
    assert (data["duration_minutes"], data["notes"], data["rating_1_5"], data["blocked_flag"]) == (
        45,
        None,
        None,
        True,
    )
    assert data["occurred_at"] == "2026-01-05T10:00:00Z"
    assert data["assignments"] == [{"id": str(work.id), "title": "Team work", "type": "SONG_WORK"}]
    assert set(response.json()) == {"practice_log"}
    # Omitted links are left alone; an empty list clears them.
    response = soprano_member.client.patch(log_url(own_log), {"notes": "again"}, format="json")
    assert len(response.json()["practice_log"]["assignments"]) == 1
    response = soprano_member.client.patch(log_url(own_log), {"assignment_ids": []}, format="json")
    assert response.json()["practice_log"]["assignments"] == []


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("soprano_member", 200),
        ("soprano_leader", 403),
        ("admin", 403),
        ("alto_member", 403),
        ("outsider", 403),
    ],
)
def test_edit_role_matrix(request, own_log, persona, expected):
    who = request.getfixturevalue(persona)
    response = who.client.patch(log_url(own_log), {"duration_min": 99}, format="json")
    assert response.status_code == expected, response.content
    own_log.refresh_from_db()
    assert (own_log.duration_minutes == 99) == (expected == 200)


def test_edit_error_bodies(soprano_member, admin, outsider, own_log, team):
    url = log_url(own_log)
    assert_error(
        admin.client.patch(url, {"duration_min": 5}, format="json"),
        403,
        "FORBIDDEN",
        NOT_OWNER,
        field=None,
    )
    assert_error(
        outsider.client.patch(url, {"duration_min": 5}, format="json"),
        403,
        "FORBIDDEN",
        NOT_A_MEMBER,
    )
    assert_error(
        soprano_member.client.patch(
            f"/practice-logs/{uuid.uuid4()}", {"duration_min": 5}, format="json"
        ),
        404,
        "NOT_FOUND",
        "Practice log not found",
        field=None,
    )
    assert_error(
        soprano_member.client.patch("/practice-logs/x", {}, format="json"),
        422,
        "VALIDATION_ERROR",
        field="log_id",
    )
    far = (timezone.now() + datetime.timedelta(days=2)).isoformat()
    assert_error(
        soprano_member.client.patch(url, {"occurred_at": far}, format="json"),
        422,
        "VALIDATION_ERROR",
        "occurred_at cannot be more than 1 day in the future",
        field="occurred_at",
    )
    assert_error(
        soprano_member.client.patch(url, {"occurred_at": None}, format="json"),
        422,
        "VALIDATION_ERROR",
        field="occurred_at",
    )
    for payload, field in (
        ({"duration_min": None}, "duration_min"),
        ({"duration_min": 700}, "duration_min"),
        ({"blocked_flag": None}, "blocked_flag"),
        ({"ticket_ids": [str(uuid.uuid4())]}, "ticket_ids"),
    ):
        assert_error(
            soprano_member.client.patch(url, payload, format="json"),
            422,
            "VALIDATION_ERROR",
            field=field,
        )
    own_log.refresh_from_db()
    assert (own_log.duration_minutes, own_log.notes) == (30, "first")


def test_edit_refuses_assignments_when_the_cycle_is_gone(soprano_member, cycle, own_log):
    work = AssignmentFactory(cycle=cycle)
    work_id = work.id
    cycle.delete()
    response = soprano_member.client.patch(
        log_url(own_log), {"assignment_ids": [str(work_id)]}, format="json"
    )
    assert_error(response, 422, "VALIDATION_ERROR", field="assignment_ids")


def test_a_member_who_left_cannot_edit(soprano_member, own_log):
    soprano_member.membership.delete()
    response = soprano_member.client.patch(log_url(own_log), {"duration_min": 5}, format="json")
    assert_error(response, 403, "FORBIDDEN", NOT_A_MEMBER)


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("soprano_member", 204), ("soprano_leader", 403), ("admin", 403), ("outsider", 403)],
)
def test_delete_role_matrix(request, own_log, persona, expected):
    who = request.getfixturevalue(persona)
    response = who.client.delete(log_url(own_log))
    assert response.status_code == expected, response.content
    assert PracticeLog.objects.filter(pk=own_log.pk).exists() == (expected != 204)


def test_delete_then_gone(soprano_member, own_log):
    assert soprano_member.client.delete(log_url(own_log)).content == b""
    assert_error(
        soprano_member.client.delete(log_url(own_log)), 404, "NOT_FOUND", "Practice log not found"
    )
    assert_error(
        make_persona(own_log.team).client.delete(f"/practice-logs/{uuid.uuid4()}"),
        404,
        "NOT_FOUND",
    )
