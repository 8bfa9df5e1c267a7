import datetime

import pytest
import time_machine

from conftest import assert_error, authed_client
from practice.models import Assignment, PracticeLog
from teams.models import RehearsalCycle
from teams.selectors import cycle_active_for_team, cycles_active_for_teams
from teams.tests.conftest import LEADERS, MEMBERS, NON_ADMINS, NON_LEADERS
from teams.tests.factories import CycleFactory, TeamFactory
from teams.tests.test_members_api import walk
from tickets.models import Ticket

CYCLE_KEYS = {"id", "team_id", "name", "label", "date", "created_at"}
# 03:00 UTC on March 2 is still March 1 in Los Angeles.
NOW = datetime.datetime(2026, 3, 2, 3, 0, tzinfo=datetime.UTC)
D = datetime.date


def cycle_at(team, date, **kwargs):
    return CycleFactory(team=team, date=date, **kwargs)


# --- POST /teams/{id}/cycles ----------------------------------------------------------------


@pytest.mark.parametrize("name", LEADERS)
def test_leaders_create_cycles(everyone, team, name):
    response = everyone[name].client.post(
        f"/teams/{team.id}/cycles", {"date": "2026-03-02"}, format="json"
    )

    assert response.status_code == 201
    cycle = response.json()["cycle"]
    assert set(cycle) == CYCLE_KEYS
    stored = RehearsalCycle.objects.get(pk=cycle["id"])
    assert cycle == {
        "id": str(stored.id),
        "team_id": str(team.id),
        "name": "Rehearsal Mar 02, 2026",
        "label": "Rehearsal Mar 02, 2026",
        "date": "2026-03-02T00:00:00Z",
        "created_at": stored.created_at.isoformat().replace("+00:00", "Z"),
    }


@pytest.mark.parametrize("name", NON_LEADERS)
def test_members_cannot_create_cycles(everyone, team, name):
    response = everyone[name].client.post(
        f"/teams/{team.id}/cycles", {"date": "2026-03-02"}, format="json"
    )
    assert_error(response, 403, "FORBIDDEN", "Section leader or admin role required", field=None)
    assert not RehearsalCycle.objects.exists()


def test_outsider_and_anonymous_cannot_create_cycles(outsider, anon, team):
    body = {"date": "2026-03-02"}
    assert_error(
        outsider.client.post(f"/teams/{team.id}/cycles", body, format="json"),
        403,
        "FORBIDDEN",
        "Not a member of this team",
    )
    assert_error(anon.post(f"/teams/{team.id}/cycles", body, format="json"), 401, "UNAUTHORIZED")


@pytest.mark.parametrize(
    ("body", "name"),
    [
        ({"date": "2026-04-10", "label": "Spring concert"}, "Spring concert"),
        ({"date": "2026-04-10", "name": "From old clients"}, "From old clients"),
        ({"date": "2026-04-10", "label": "Label wins", "name": "ignored"}, "Label wins"),
        ({"date": "2026-04-10", "label": None}, "Rehearsal Apr 10, 2026"),
        ({"date": "2026-04-10T00:00:00Z"}, "Rehearsal Apr 10, 2026"),
        ({"date": "2026-04-10T23:30:00-08:00"}, "Rehearsal Apr 10, 2026"),
    ],
)
def test_create_label_name_alias_and_datetime_dates(admin, team, body, name):
    response = admin.client.post(f"/teams/{team.id}/cycles", body, format="json")
    assert response.status_code == 201
    cycle = response.json()["cycle"]
    assert (cycle["name"], cycle["label"], cycle["date"]) == (name, name, "2026-04-10T00:00:00Z")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "date"),
        ({"date": "next tuesday"}, "date"),
        ({"date": "2026-02-30"}, "date"),
        ({"date": 20260302}, "date"),
        ({"date": None}, "date"),
        ({"date": "2026-03-02", "label": ""}, "label"),
        ({"date": "2026-03-02", "label": "x" * 101}, "label"),
        ({"date": "2026-03-02", "label": 5}, "label"),
        ({"date": "2026-03-02", "name": "x" * 101}, "name"),
    ],
)
def test_create_validation(admin, team, body, field):
    response = admin.client.post(f"/teams/{team.id}/cycles", body, format="json")
    assert_error(response, 422, "VALIDATION_ERROR", field=field)


def test_a_date_is_taken_once_per_team(admin, outsider, team, other_team):
    assert (
        admin.client.post(
            f"/teams/{team.id}/cycles", {"date": "2026-03-02"}, format="json"
        ).status_code
        == 201
    )

    response = admin.client.post(
        f"/teams/{team.id}/cycles", {"date": "2026-03-02", "label": "Again"}, format="json"
    )

    assert_error(
        response, 409, "CONFLICT", "A rehearsal cycle already exists on this date", field="date"
    )
    # Another team may use the same date.
    assert (
        outsider.client.post(
            f"/teams/{other_team.id}/cycles", {"date": "2026-03-02"}, format="json"
        ).status_code
        == 201
    )


# --- GET /teams/{id}/cycles -----------------------------------------------------------------


@pytest.fixture
def dated_cycles(team):
    return {d: cycle_at(team, D(2026, 3, d)) for d in (1, 2, 9, 16)} | {
        "old": cycle_at(team, D(2026, 2, 1))
    }


@pytest.mark.parametrize("name", MEMBERS)
def test_members_list_upcoming_cycles_soonest_first(everyone, team, dated_cycles, name):
    with time_machine.travel(NOW, tick=False):
        body = authed_client(everyone[name].user).get(f"/teams/{team.id}/cycles").json()

    assert [c["date"][:10] for c in body["items"]] == ["2026-03-02", "2026-03-09", "2026-03-16"]
    assert body["next_cursor"] is None


def test_past_cycles_latest_first(admin, team, dated_cycles):
    with time_machine.travel(NOW, tick=False):
        body = (
            authed_client(admin.user).get(f"/teams/{team.id}/cycles", {"upcoming": "false"}).json()
        )
    assert [c["date"][:10] for c in body["items"]] == ["2026-03-01", "2026-02-01"]


def test_today_is_the_teams_today(admin, team, dated_cycles):
    team.timezone = "America/Los_Angeles"
    team.save()
    with time_machine.travel(NOW, tick=False):
        client = authed_client(admin.user)
        upcoming = client.get(f"/teams/{team.id}/cycles").json()["items"]
        active = client.get(f"/teams/{team.id}/cycles/active").json()["cycle"]
    assert upcoming[0]["date"] == "2026-03-01T00:00:00Z"
    assert active["id"] == str(dated_cycles[1].id)


def test_cycle_list_validation_and_access(admin, outsider, anon, team):
    assert_error(
        admin.client.get(f"/teams/{team.id}/cycles", {"upcoming": "soon"}),
        422,
        "VALIDATION_ERROR",
        field="upcoming",
    )
    assert_error(
        outsider.client.get(f"/teams/{team.id}/cycles"),
        403,
        "FORBIDDEN",
        "Not a member of this team",
    )
    assert_error(anon.get(f"/teams/{team.id}/cycles"), 401, "UNAUTHORIZED")


def test_cycle_pages_walk_every_cycle_once(admin, team):
    with time_machine.travel(NOW, tick=False):
        for offset in range(-6, 7):
            cycle_at(team, D(2026, 3, 2) + datetime.timedelta(days=offset))
        client = authed_client(admin.user)
        upcoming, _ = walk(client, f"/teams/{team.id}/cycles", limit=2)
        past, _ = walk(client, f"/teams/{team.id}/cycles", limit=4, upcoming="false")

    assert [c["date"][:10] for c in upcoming] == [f"2026-03-{d:02d}" for d in range(2, 9)]
    assert [c["date"][:10] for c in past] == ["2026-03-01"] + [
        f"2026-02-{d}" for d in range(28, 23, -1)
    ]


def test_cycle_list_query_count_does_not_grow(admin, team, django_assert_max_num_queries):
    for offset in range(2):
        cycle_at(team, D(2030, 1, 1) + datetime.timedelta(days=offset))
    with django_assert_max_num_queries(4) as small:
        assert len(admin.client.get(f"/teams/{team.id}/cycles").json()["items"]) == 2
    for offset in range(2, 40):
        cycle_at(team, D(2030, 1, 1) + datetime.timedelta(days=offset))
    with django_assert_max_num_queries(4) as large:
        assert len(admin.client.get(f"/teams/{team.id}/cycles").json()["items"]) == 40
    assert len(small.captured_queries) == len(large.captured_queries)


# --- the active cycle -----------------------------------------------------------------------


def test_active_cycle_is_the_nearest_upcoming_one(admin, team, dated_cycles):
    with time_machine.travel(NOW, tick=False):
        body = authed_client(admin.user).get(f"/teams/{team.id}/cycles/active").json()
    assert set(body) == {"cycle"}
    assert body["cycle"]["id"] == str(dated_cycles[2].id)  # dated today counts as upcoming
    assert set(body["cycle"]) == CYCLE_KEYS


def test_active_cycle_falls_back_to_the_latest_past_then_none(team, other_team):
    cycle_at(team, D(2026, 1, 5))
    latest = cycle_at(team, D(2026, 2, 20))
    with time_machine.travel(NOW, tick=False):
        assert cycle_active_for_team(team) == latest
        assert cycle_active_for_team(other_team) is None


@pytest.mark.parametrize("name", MEMBERS)
def test_every_member_sees_the_active_cycle(everyone, team, name):
    cycle = cycle_at(team, D(2031, 1, 1))
    assert everyone[name].client.get(f"/teams/{team.id}/cycles/active").json()["cycle"][
        "id"
    ] == str(cycle.id)


def test_active_cycle_null_and_access(admin, outsider, team):
    assert admin.client.get(f"/teams/{team.id}/cycles/active").json() == {"cycle": None}
    assert_error(
        outsider.client.get(f"/teams/{team.id}/cycles/active"),
        403,
        "FORBIDDEN",
        "Not a member of this team",
    )


def test_active_cycles_for_many_teams_match_the_single_definition(
    db, django_assert_max_num_queries
):
    teams = [
        TeamFactory(timezone="America/Los_Angeles"),  # March 1 there
        TeamFactory(timezone="UTC"),  # March 2
        TeamFactory(timezone="Pacific/Kiritimati"),  # March 2, 17:00
        TeamFactory(timezone="UTC"),  # only past cycles
        TeamFactory(timezone="Asia/Tokyo"),  # no cycles
    ]
    for team in teams[:3]:
        for date in (D(2026, 2, 28), D(2026, 3, 1), D(2026, 3, 2), D(2026, 3, 3)):
            cycle_at(team, date)
    cycle_at(teams[3], D(2026, 1, 1))
    cycle_at(teams[3], D(2026, 2, 1))

    with time_machine.travel(NOW, tick=False):
        with django_assert_max_num_queries(4):
            many = cycles_active_for_teams(teams)
        single = {team.pk: cycle_active_for_team(team) for team in teams}

    assert many == single
    assert [many[t.pk].date if many[t.pk] else None for t in teams] == [
        D(2026, 3, 1),
        D(2026, 3, 2),
        D(2026, 3, 2),
        D(2026, 2, 1),
        None,
    ]


# --- GET / PATCH / DELETE /cycles/{id} ------------------------------------------------------


@pytest.mark.parametrize("name", MEMBERS)
def test_members_read_a_cycle(everyone, cycle, name):
    body = everyone[name].client.get(f"/cycles/{cycle.id}").json()
    assert body["cycle"]["id"] == str(cycle.id)


def test_cycle_detail_outsider_unknown_malformed(outsider, admin, cycle):
    assert_error(
        outsider.client.get(f"/cycles/{cycle.id}"), 403, "FORBIDDEN", "Not a member of this team"
    )
    assert_error(
        admin.client.get("/cycles/7b0c5b55-5f4e-4a8e-9a0e-000000000000"),
        404,
        "NOT_FOUND",
        "Cycle not found",
        field=None,
    )
    assert_error(admin.client.get("/cycles/123"), 422, "VALIDATION_ERROR", field="cycle_id")


@pytest.mark.parametrize("name", LEADERS)
def test_leaders_edit_cycles(everyone, team, name):
    cycle = cycle_at(team, D(2026, 3, 2), name="Dress rehearsal")
    response = everyone[name].client.patch(
        f"/cycles/{cycle.id}", {"date": "2026-03-05", "label": "Final dress"}, format="json"
    )
    assert response.status_code == 200
    body = response.json()["cycle"]
    assert (body["date"], body["name"], body["label"]) == (
        "2026-03-05T00:00:00Z",
        "Final dress",
        "Final dress",
    )
    cycle.refresh_from_db()
    assert (cycle.date, cycle.name) == (D(2026, 3, 5), "Final dress")


def test_default_label_follows_a_new_date(admin, team):
    default = cycle_at(team, D(2026, 3, 2))
    custom = cycle_at(team, D(2026, 3, 3), name="Gala")

    moved = admin.client.patch(
        f"/cycles/{default.id}", {"date": "2026-03-12"}, format="json"
    ).json()["cycle"]
    kept = admin.client.patch(f"/cycles/{custom.id}", {"date": "2026-03-13"}, format="json").json()[
        "cycle"
    ]
    renamed = admin.client.patch(
        f"/cycles/{custom.id}", {"name": "Gala night"}, format="json"
    ).json()["cycle"]

    assert moved["name"] == "Rehearsal Mar 12, 2026"
    assert kept["name"] == "Gala"
    assert renamed["name"] == "Gala night"


def test_patch_to_a_taken_date_is_a_conflict(admin, team):
    first = cycle_at(team, D(2026, 3, 2))
    cycle_at(team, D(2026, 3, 9))
    response = admin.client.patch(f"/cycles/{first.id}", {"date": "2026-03-09"}, format="json")
    assert_error(
        response, 409, "CONFLICT", "A rehearsal cycle already exists on this date", field="date"
    )
    first.refresh_from_db()
    assert first.date == D(2026, 3, 2)


@pytest.mark.parametrize("name", NON_LEADERS)
def test_members_cannot_edit_cycles(everyone, cycle, name):
    response = everyone[name].client.patch(f"/cycles/{cycle.id}", {"label": "Mine"}, format="json")
    assert_error(response, 403, "FORBIDDEN", "Section leader or admin role required")


def test_patch_cycle_validation_and_outsider(admin, outsider, cycle):
    assert_error(
        admin.client.patch(f"/cycles/{cycle.id}", {"label": ""}, format="json"),
        422,
        "VALIDATION_ERROR",
        field="label",
    )
    assert_error(
        admin.client.patch(f"/cycles/{cycle.id}", {"date": "soon"}, format="json"),
        422,
        "VALIDATION_ERROR",
        field="date",
    )
    assert_error(
        outsider.client.patch(f"/cycles/{cycle.id}", {"label": "x"}, format="json"),
        403,
        "FORBIDDEN",
        "Not a member of this team",
    )


def test_admin_deletes_a_cycle_assignments_go_tickets_and_logs_stay(
    admin, soprano_member, team, cycle
):
    assignment = Assignment.objects.create(
        cycle=cycle, type="SONG_WORK", scope="TEAM", title="Learn bars 1-8"
    )
    log = PracticeLog.objects.create(
        user=soprano_member.user,
        team=team,
        cycle=cycle,
        duration_minutes=20,
        occurred_at=cycle.date_as_datetime,
    )
    ticket = Ticket.objects.create(
        team=team, cycle=cycle, category="PITCH", visibility="TEAM", title="Bars 32-40"
    )

    response = admin.client.delete(f"/cycles/{cycle.id}")

    assert response.status_code == 204
    assert response.content == b""
    assert not RehearsalCycle.objects.filter(pk=cycle.pk).exists()
    assert not Assignment.objects.filter(pk=assignment.pk).exists()
    log.refresh_from_db()
    ticket.refresh_from_db()
    assert log.cycle_id is None and ticket.cycle_id is None
    assert_error(admin.client.get(f"/cycles/{cycle.id}"), 404, "NOT_FOUND", "Cycle not found")


@pytest.mark.parametrize("name", NON_ADMINS)
def test_only_admins_delete_cycles(everyone, cycle, name):
    assert_error(
        everyone[name].client.delete(f"/cycles/{cycle.id}"), 403, "FORBIDDEN", "Admin role required"
    )
    assert RehearsalCycle.objects.filter(pk=cycle.pk).exists()


def test_delete_cycle_outsider_and_anonymous(outsider, anon, cycle):
    assert_error(
        outsider.client.delete(f"/cycles/{cycle.id}"), 403, "FORBIDDEN", "Not a member of this team"
    )
    assert_error(anon.delete(f"/cycles/{cycle.id}"), 401, "UNAUTHORIZED")
