import pytest

from conftest import assert_error
from teams.models import Membership, Role, Team
from teams.tests.conftest import MEMBERS, NON_ADMINS

TEAM_KEYS = {"id", "name", "timezone", "weekly_goal_days", "created_at"}


# --- POST /teams ------------------------------------------------------------------------------


def test_create_team_makes_the_caller_its_admin_without_section(outsider):
    response = outsider.client.post("/teams", {"name": "New Choir"}, format="json")

    assert response.status_code == 201
    team = response.json()["team"]
    assert set(team) == TEAM_KEYS
    assert team["name"] == "New Choir"
    assert team["timezone"] == "UTC"
    assert team["weekly_goal_days"] == 3
    assert team["created_at"].endswith("Z")
    membership = Membership.objects.get(team_id=team["id"], user=outsider.user)
    assert (membership.role, membership.section) == (Role.ADMIN, None)


def test_create_team_with_timezone_and_goal(soprano_member):
    response = soprano_member.client.post(
        "/teams",
        {"name": "Night Owls", "timezone": "America/Los_Angeles", "weekly_goal_days": 5},
        format="json",
    )

    assert response.status_code == 201
    team = Team.objects.get(pk=response.json()["team"]["id"])
    assert (team.timezone, team.weekly_goal_days) == ("America/Los_Angeles", 5)
    assert soprano_member.client.get("/me/teams").json()["items"][-1]["team_name"] == "Night Owls"


def test_create_team_needs_a_signed_in_user(anon):
    response = anon.post("/teams", {"name": "X"}, format="json")
    assert_error(response, 401, "UNAUTHORIZED", "Missing authorization header", field=None)


def test_unknown_timezone_is_refused(admin):
    response = admin.client.post("/teams", {"name": "X", "timezone": "Mars/Olympus"}, format="json")
    assert_error(
        response,
        422,
        "VALIDATION_ERROR",
        "Unknown timezone (expected an IANA name such as Europe/Berlin)",
        field="timezone",
    )
    assert not Team.objects.filter(name="X").exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "name"),
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"name": "x" * 101}, "name"),
        ({"name": 12}, "name"),
        ({"name": "Ok", "weekly_goal_days": 0}, "weekly_goal_days"),
        ({"name": "Ok", "weekly_goal_days": 8}, "weekly_goal_days"),
        ({"name": "Ok", "weekly_goal_days": "3"}, "weekly_goal_days"),
        ({"name": "Ok", "weekly_goal_days": True}, "weekly_goal_days"),
        ({"name": "Ok", "timezone": 5}, "timezone"),
        ({"name": "Ok", "timezone": "localtime"}, "timezone"),
        ({"name": "bad\x00name"}, "name"),
    ],
)
def test_create_team_validation(admin, body, field):
    response = admin.client.post("/teams", body, format="json")
    assert_error(response, 422, "VALIDATION_ERROR", field=field)


def test_create_team_body_must_be_an_object(admin):
    response = admin.client.post("/teams", ["name"], format="json")
    assert_error(response, 422, "VALIDATION_ERROR")


# --- GET /teams/{id} --------------------------------------------------------------------------


@pytest.mark.parametrize("name", MEMBERS)
def test_every_member_sees_the_team_and_their_membership(everyone, team, name):
    persona = everyone[name]
    response = persona.client.get(f"/teams/{team.id}")

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"team", "membership"}
    assert set(body["team"]) == TEAM_KEYS
    assert body["team"]["id"] == str(team.id)
    assert body["membership"] == {
        "role": persona.membership.role,
        "section": persona.membership.section,
    }


def test_outsider_gets_403_for_a_team_they_are_not_in(outsider, team):
    response = outsider.client.get(f"/teams/{team.id}")
    assert_error(response, 403, "FORBIDDEN", "Not a member of this team", field=None)


def test_team_detail_anonymous_unknown_and_malformed(anon, admin):
    assert_error(anon.get(f"/teams/{admin.membership.team_id}"), 401, "UNAUTHORIZED")
    response = admin.client.get("/teams/00000000-0000-0000-0000-000000000000")
    assert_error(response, 404, "NOT_FOUND", "Team not found", field=None)
    response = admin.client.get("/teams/not-a-uuid")
    assert_error(response, 422, "VALIDATION_ERROR", "Must be a valid UUID", field="team_id")


def test_trailing_slash_is_not_a_route(admin, team):
    assert_error(admin.client.get(f"/teams/{team.id}/"), 404, "NOT_FOUND")


# --- PATCH /teams/{id} --------------------------------------------------------------------------


def test_admin_updates_the_team(admin, team):
    response = admin.client.patch(
        f"/teams/{team.id}",
        {"name": "Harmonia Choir", "timezone": "Europe/Berlin", "weekly_goal_days": 4, "x": 1},
        format="json",
    )

    assert response.status_code == 200
    body = response.json()
    assert body["team"]["name"] == "Harmonia Choir"
    assert body["team"]["timezone"] == "Europe/Berlin"
    assert body["team"]["weekly_goal_days"] == 4
    team.refresh_from_db()
    assert (team.name, team.timezone, team.weekly_goal_days) == (
        "Harmonia Choir",
        "Europe/Berlin",
        4,
    )


def test_partial_update_keeps_other_fields(admin, team):
    response = admin.client.patch(f"/teams/{team.id}", {"weekly_goal_days": 7}, format="json")
    assert response.status_code == 200
    team.refresh_from_db()
    assert (team.name, team.timezone, team.weekly_goal_days) == ("Harmonia", "UTC", 7)


@pytest.mark.parametrize("name", NON_ADMINS)
def test_only_the_admin_updates_the_team(everyone, team, name):
    response = everyone[name].client.patch(f"/teams/{team.id}", {"name": "Hijacked"}, format="json")
    assert_error(response, 403, "FORBIDDEN", "Admin role required", field=None)
    team.refresh_from_db()
    assert team.name == "Harmonia"


def test_outsider_cannot_update_the_team(outsider, team):
    response = outsider.client.patch(f"/teams/{team.id}", {"name": "Hijacked"}, format="json")
    assert_error(response, 403, "FORBIDDEN", "Not a member of this team", field=None)


def test_update_refuses_unknown_timezone(admin, team):
    response = admin.client.patch(
        f"/teams/{team.id}", {"timezone": "Europe/Atlantis"}, format="json"
    )
    assert_error(response, 422, "VALIDATION_ERROR", field="timezone")
    team.refresh_from_db()
    assert team.timezone == "UTC"


def test_get_me_teams_lists_memberships_oldest_first(admin, team):
    response = admin.client.post("/teams", {"name": "Second"}, format="json")
    assert response.status_code == 201
    items = admin.client.get("/me/teams").json()["items"]
    assert [item["team_name"] for item in items] == ["Harmonia", "Second"]
    assert items[0] == {
        "team_id": str(team.id),
        "team_name": "Harmonia",
        "role": "ADMIN",
        "section": None,
        "joined_at": items[0]["joined_at"],
    }
