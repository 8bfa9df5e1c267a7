"""Role matrix of the three dashboards."""

import uuid

import pytest

from conftest import assert_error

MEMBER = "dashboards/member"
LEADER = "dashboards/leader"
INSIGHTS = "dashboards/leader/compliance-insights"


def get(client, team_id, path):
    return client.get(f"/teams/{team_id}/{path}")


@pytest.mark.parametrize("path", [MEMBER, LEADER, INSIGHTS])
@pytest.mark.parametrize("who", ["admin", "soprano_leader", "alto_leader"])
def test_leaders_may_open_every_dashboard(request, team, path, who):
    persona = request.getfixturevalue(who)
    assert get(persona.client, team.id, path).status_code == 200


@pytest.mark.parametrize("who", ["soprano_member", "alto_member"])
def test_members_open_the_member_dashboard_only(request, team, who):
    persona = request.getfixturevalue(who)
    assert get(persona.client, team.id, MEMBER).status_code == 200
    for path in (LEADER, INSIGHTS):
        assert_error(
            get(persona.client, team.id, path),
            403,
            "FORBIDDEN",
            "Section leader or admin role required",
            field=None,
        )


@pytest.mark.parametrize("path", [MEMBER, LEADER, INSIGHTS])
def test_outsider_is_refused(team, outsider, path):
    assert_error(
        get(outsider.client, team.id, path),
        403,
        "FORBIDDEN",
        "Not a member of this team",
        field=None,
    )


@pytest.mark.parametrize("path", [MEMBER, LEADER, INSIGHTS])
def test_anonymous_is_refused(team, anon, path):
    assert_error(
        get(anon, team.id, path), 401, "UNAUTHORIZED", "Missing authorization header", field=None
    )


@pytest.mark.parametrize("path", [MEMBER, LEADER, INSIGHTS])
def test_unknown_and_malformed_team(admin, path):
    assert_error(
        get(admin.client, uuid.uuid4(), path), 404, "NOT_FOUND", "Team not found", field=None
    )
    assert_error(
        get(admin.client, "nope", path),
        422,
        "VALIDATION_ERROR",
        "Must be a valid UUID",
        field="team_id",
    )


def test_outsider_cycle_id_does_not_reveal_other_team(team, other_team, outsider, soprano_member):
    from teams.tests.factories import CycleFactory

    theirs = CycleFactory(team=other_team)
    response = soprano_member.client.get(f"/teams/{team.id}/{MEMBER}", {"cycle_id": str(theirs.id)})
    assert_error(response, 404, "NOT_FOUND", "Cycle not found", field=None)


@pytest.mark.parametrize("path", [MEMBER, LEADER, INSIGHTS])
def test_write_methods_are_not_allowed(admin, team, path):
    response = admin.client.post(f"/teams/{team.id}/{path}", {}, format="json")
    assert_error(response, 405, "METHOD_NOT_ALLOWED", field=None)
