import datetime

import pytest
import time_machine
from rest_framework.test import APIClient

from conftest import assert_error, authed_client, make_persona
from teams.models import Membership, Role
from teams.tests.conftest import LEADERS, NON_ADMINS, NON_LEADERS, run_concurrently
from teams.tests.factories import MembershipFactory

ITEM_KEYS = {"id", "user_id", "email", "display_name", "role", "section", "created_at"}
MEMBERSHIP_KEYS = {"id", "team_id", "user_id", "role", "section", "created_at", "updated_at"}


def walk(client, url, limit, **extra):
    """Every item of a paginated list, following next_cursor to the end."""
    items, cursor, pages = [], None, 0
    while True:
        params = {"limit": limit, **extra, **({"cursor": cursor} if cursor else {})}
        response = client.get(url, params)
        assert response.status_code == 200, response.content
        body = response.json()
        assert set(body) == {"items", "next_cursor"}
        items += body["items"]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            return items, pages


# --- GET /teams/{id}/members ----------------------------------------------------------------


@pytest.mark.parametrize("name", LEADERS)
def test_leaders_list_the_whole_team(everyone, team, name):
    response = everyone[name].client.get(f"/teams/{team.id}/members")

    assert response.status_code == 200
    body = response.json()
    assert body["next_cursor"] is None
    assert len(body["items"]) == 5  # a SECTION_LEADER sees every section too
    assert all(set(item) == ITEM_KEYS for item in body["items"])


@pytest.mark.parametrize("name", NON_LEADERS)
def test_members_cannot_list_members(everyone, team, name):
    response = everyone[name].client.get(f"/teams/{team.id}/members")
    assert_error(response, 403, "FORBIDDEN", "Section leader or admin role required", field=None)


def test_outsider_and_anonymous_cannot_list_members(outsider, anon, team):
    assert_error(
        outsider.client.get(f"/teams/{team.id}/members"),
        403,
        "FORBIDDEN",
        "Not a member of this team",
    )
    assert_error(anon.get(f"/teams/{team.id}/members"), 401, "UNAUTHORIZED")


def test_member_item_shape_and_order(admin, soprano_member, team):
    items = admin.client.get(f"/teams/{team.id}/members").json()["items"]

    assert items[0] == {
        "id": str(admin.membership.id),
        "user_id": admin.id,
        "email": admin.user.email,
        "display_name": "Ada Admin",
        "role": "ADMIN",
        "section": None,
        "created_at": admin.membership.created_at.isoformat().replace("+00:00", "Z"),
    }
    assert items[1]["user_id"] == soprano_member.id


def test_filters_by_section_and_role(everyone, team):
    base = f"/teams/{team.id}/members"
    client = everyone["admin"].client

    sopranos = client.get(base, {"section": "Soprano"}).json()["items"]
    assert {i["display_name"] for i in sopranos} == {"Sam Soprano-Leader", "Sue Soprano"}
    leaders = client.get(base, {"role": "SECTION_LEADER"}).json()["items"]
    assert {i["section"] for i in leaders} == {"Soprano", "Alto"}
    both = client.get(base, {"role": "MEMBER", "section": "Alto"}).json()["items"]
    assert [i["display_name"] for i in both] == ["Alice Alto"]


def test_role_filter_is_validated(admin, team):
    response = admin.client.get(f"/teams/{team.id}/members", {"role": "OWNER"})
    assert_error(
        response,
        422,
        "VALIDATION_ERROR",
        "role must be one of: MEMBER, SECTION_LEADER, ADMIN",
        field="role",
    )


@pytest.mark.parametrize(
    "params", [{"limit": 0}, {"limit": 101}, {"limit": "x"}, {"cursor": "@@@"}]
)
def test_pagination_parameters_are_validated(admin, team, params):
    response = admin.client.get(f"/teams/{team.id}/members", params)
    assert_error(response, 422, "VALIDATION_ERROR", field=next(iter(params)))


def test_pages_walk_every_member_once_with_equal_timestamps(admin, team):
    moment = datetime.datetime(2026, 3, 1, 12, 0, tzinfo=datetime.UTC)
    with time_machine.travel(moment, tick=False):
        MembershipFactory.create_batch(11, team=team)

    items, pages = walk(admin.client, f"/teams/{team.id}/members", limit=3)

    ids = [item["id"] for item in items]
    assert len(ids) == 12 and len(set(ids)) == 12
    assert pages == 4
    assert set(ids) == {
        str(pk) for pk in Membership.objects.filter(team=team).values_list("id", flat=True)
    }
    keys = [(item["created_at"], item["id"]) for item in items]
    assert keys == sorted(keys)


def test_member_list_query_count_does_not_grow(admin, team, django_assert_max_num_queries):
    MembershipFactory.create_batch(3, team=team)
    with django_assert_max_num_queries(4) as small:
        assert len(admin.client.get(f"/teams/{team.id}/members").json()["items"]) == 4
    MembershipFactory.create_batch(40, team=team)
    with django_assert_max_num_queries(4) as large:
        assert len(admin.client.get(f"/teams/{team.id}/members").json()["items"]) == 44
    assert len(small.captured_queries) == len(large.captured_queries)


# --- PATCH /teams/{id}/members/{user_id} ----------------------------------------------------


def test_admin_changes_role_and_section(admin, soprano_member, team):
    response = admin.client.patch(
        f"/teams/{team.id}/members/{soprano_member.id}",
        {"role": "SECTION_LEADER", "section": "Tenor"},
        format="json",
    )

    assert response.status_code == 200
    membership = response.json()["membership"]
    assert set(membership) == MEMBERSHIP_KEYS
    assert membership["team_id"] == str(team.id)
    assert membership["user_id"] == soprano_member.id
    assert (membership["role"], membership["section"]) == ("SECTION_LEADER", "Tenor")
    soprano_member.membership.refresh_from_db()
    assert soprano_member.membership.role == Role.SECTION_LEADER


def test_section_is_kept_when_absent_and_cleared_when_null_or_blank(admin, soprano_member, team):
    url = f"/teams/{team.id}/members/{soprano_member.id}"

    assert (
        admin.client.patch(url, {"role": "SECTION_LEADER"}, format="json").json()["membership"][
            "section"
        ]
        == "Soprano"
    )
    assert (
        admin.client.patch(url, {"section": "  "}, format="json").json()["membership"]["section"]
        is None
    )
    assert (
        admin.client.patch(url, {"section": "Bass"}, format="json").json()["membership"]["section"]
        == "Bass"
    )
    assert (
        admin.client.patch(url, {"section": None}, format="json").json()["membership"]["section"]
        is None
    )


@pytest.mark.parametrize("name", NON_ADMINS)
def test_only_admins_change_members(everyone, team, name):
    target = everyone["alto_member"]
    response = everyone[name].client.patch(
        f"/teams/{team.id}/members/{target.id}", {"role": "ADMIN"}, format="json"
    )
    assert_error(response, 403, "FORBIDDEN", "Admin role required", field=None)
    target.membership.refresh_from_db()
    assert target.membership.role == Role.MEMBER


def test_outsider_admin_cannot_change_members(outsider, soprano_member, team):
    response = outsider.client.patch(
        f"/teams/{team.id}/members/{soprano_member.id}", {"role": "ADMIN"}, format="json"
    )
    assert_error(response, 403, "FORBIDDEN", "Not a member of this team", field=None)


def test_patch_unknown_member_and_bad_values(admin, outsider, team):
    response = admin.client.patch(
        f"/teams/{team.id}/members/{outsider.id}", {"role": "ADMIN"}, format="json"
    )
    assert_error(response, 404, "NOT_FOUND", "Member not found", field=None)
    response = admin.client.patch(
        f"/teams/{team.id}/members/nope", {"role": "ADMIN"}, format="json"
    )
    assert_error(response, 422, "VALIDATION_ERROR", field="user_id")
    response = admin.client.patch(
        f"/teams/{team.id}/members/{admin.id}", {"role": "OWNER"}, format="json"
    )
    assert_error(response, 422, "VALIDATION_ERROR", field="role")
    response = admin.client.patch(
        f"/teams/{team.id}/members/{admin.id}", {"section": "x" * 51}, format="json"
    )
    assert_error(response, 422, "VALIDATION_ERROR", field="section")
    response = admin.client.patch(
        f"/teams/{team.id}/members/{admin.id}", {"section": 3}, format="json"
    )
    assert_error(response, 422, "VALIDATION_ERROR", field="section")


def test_demoting_the_last_admin_is_refused(admin, team):
    response = admin.client.patch(
        f"/teams/{team.id}/members/{admin.id}", {"role": "MEMBER"}, format="json"
    )

    assert_error(
        response, 409, "CONFLICT", "Cannot demote the last admin of the team", field="role"
    )
    admin.membership.refresh_from_db()
    assert admin.membership.role == Role.ADMIN


def test_an_admin_may_step_down_when_another_remains(admin, soprano_leader, team):
    promote = admin.client.patch(
        f"/teams/{team.id}/members/{soprano_leader.id}", {"role": "ADMIN"}, format="json"
    )
    assert promote.status_code == 200

    response = admin.client.patch(
        f"/teams/{team.id}/members/{admin.id}", {"role": "MEMBER"}, format="json"
    )

    assert response.status_code == 200
    assert (
        Membership.objects.filter(team=team, role=Role.ADMIN).get().user_id
        == soprano_leader.user.id
    )


# --- DELETE /teams/{id}/members/{user_id} ---------------------------------------------------


def test_admin_removes_a_member(admin, alto_member, team):
    response = admin.client.delete(f"/teams/{team.id}/members/{alto_member.id}")

    assert response.status_code == 200
    assert response.json() == {"message": "Member removed successfully"}
    assert not Membership.objects.filter(team=team, user=alto_member.user).exists()
    assert_error(
        alto_member.client.get(f"/teams/{team.id}"), 403, "FORBIDDEN", "Not a member of this team"
    )


@pytest.mark.parametrize("name", NON_ADMINS)
def test_a_member_may_leave(everyone, team, name):
    persona = everyone[name]
    response = persona.client.delete(f"/teams/{team.id}/members/{persona.id}")
    assert response.status_code == 200
    assert not Membership.objects.filter(team=team, user=persona.user).exists()


@pytest.mark.parametrize("name", NON_ADMINS)
def test_non_admins_cannot_remove_others(everyone, team, name):
    target = everyone["alto_member"] if name != "alto_member" else everyone["soprano_member"]
    response = everyone[name].client.delete(f"/teams/{team.id}/members/{target.id}")
    assert_error(response, 403, "FORBIDDEN", "Admin role required", field=None)
    assert Membership.objects.filter(team=team, user=target.user).exists()


def test_outsider_cannot_remove_members(outsider, alto_member, team):
    response = outsider.client.delete(f"/teams/{team.id}/members/{alto_member.id}")
    assert_error(response, 403, "FORBIDDEN", "Not a member of this team", field=None)


def test_removing_the_last_admin_is_refused(admin, team):
    response = admin.client.delete(f"/teams/{team.id}/members/{admin.id}")

    assert_error(
        response, 409, "CONFLICT", "Cannot remove the last admin from the team", field=None
    )
    assert Membership.objects.filter(team=team, user=admin.user, role=Role.ADMIN).exists()


def test_remove_unknown_member(admin, outsider, team):
    response = admin.client.delete(f"/teams/{team.id}/members/{outsider.id}")
    assert_error(response, 404, "NOT_FOUND", "Member not found", field=None)


def test_remove_anonymous(anon, admin, team):
    assert_error(anon.delete(f"/teams/{team.id}/members/{admin.id}"), 401, "UNAUTHORIZED")


# --- the last-admin rule under concurrency --------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_admins_leaving_at_once_leave_one_admin(require_postgres, team):
    first = make_persona(team, role=Role.ADMIN)
    second = make_persona(team, role=Role.ADMIN)
    clients = [authed_client(first.user), authed_client(second.user)]

    def leave(client: APIClient, user_id: str):
        return lambda: client.delete(f"/teams/{team.id}/members/{user_id}").status_code

    statuses = run_concurrently([leave(clients[0], first.id), leave(clients[1], second.id)])

    assert sorted(statuses) == [200, 409]
    assert Membership.objects.filter(team=team, role=Role.ADMIN).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_admins_demoting_each_other_at_once_leave_one_admin(require_postgres, team):
    first = make_persona(team, role=Role.ADMIN)
    second = make_persona(team, role=Role.ADMIN)

    def demote(actor, target):
        client = authed_client(actor.user)
        return lambda: (
            client.patch(
                f"/teams/{team.id}/members/{target.id}", {"role": "MEMBER"}, format="json"
            ).status_code
        )

    statuses = run_concurrently([demote(first, second), demote(second, first)])

    assert sorted(statuses) in ([200, 403], [200, 409])
    assert Membership.objects.filter(team=team, role=Role.ADMIN).count() == 1
