"""Mass assignment (OWASP API3:2023): fields an endpoint does not document change nothing.

Every write endpoint gets a valid body plus hostile extras: ownership, authorship, role,
staff flags, status, another team's ids, a chosen primary key and back-dated timestamps.
Extras that the endpoint documents in its OpenAPI request body are left out (those are the
endpoint's business, tested by its app); the rest must be ignored.
"""

from __future__ import annotations

import json

import pytest

from accounts.models import User
from conftest import assert_error
from notifications.models import NotificationPreference
from practice.models import Assignment, PracticeLog
from teams.models import Invite, Membership, RehearsalCycle, Team
from tests.reliability.world import build_team
from tests.reliability.world import client_for as _client
from tickets.models import Ticket, TicketActivity, TicketStatus

pytestmark = pytest.mark.django_db

HOSTILE_ID = "00000000-0000-4000-8000-000000000666"
LONG_AGO = "2000-01-01T00:00:00Z"


@pytest.fixture
def worlds():
    return build_team("Harmonia"), build_team("Rival Choir")


@pytest.fixture
def schema(anon):
    return anon.get("/openapi.json").json()


def hostile(other) -> dict:
    """Fields a client might try to smuggle in, pointing at rows it does not own."""
    return {
        "id": HOSTILE_ID,
        "role": "ADMIN",
        "is_staff": True,
        "is_superuser": True,
        "owner_id": str(other.admin.id),
        "status": "VERIFIED",
        "team_id": str(other.team.id),
        "cycle_id": other.ids["cycle_id"],
        "user_id": str(other.admin.id),
        "created_by": str(other.admin.id),
        "created_by_id": str(other.admin.id),
        "verified_by": str(other.admin.id),
        "claimed_by": str(other.admin.id),
        "ticket_id": other.ids["ticket_id"],
        "scope": "SECTION",
        "type": "VERIFIED",
        "used_at": LONG_AGO,
        "verified_at": LONG_AGO,
        "resolved_at": LONG_AGO,
        "created_at": LONG_AGO,
        "updated_at": LONG_AGO,
    }


def documented_fields(schema: dict, method: str, path: str) -> set[str]:
    """The properties of the operation's JSON request body, resolved through $refs."""
    operation = schema["paths"][path][method.lower()]
    body = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
    ref = body.get("schema", {})
    while "$ref" in ref:
        ref = schema["components"]["schemas"][ref["$ref"].rsplit("/", 1)[1]]
    return set(ref.get("properties", {}))


def send(client, schema, method, path, template, body, other, *, refused=()):
    """``refused``: undocumented fields the endpoint answers 422 to (tested separately)."""
    extras = {
        key: value
        for key, value in hostile(other).items()
        if key not in documented_fields(schema, method, template) and key not in refused
    }
    assert extras, "nothing hostile left to send"
    payload = {**extras, **body}
    return client.generic(method, path, json.dumps(payload), content_type="application/json")


def _not_hostile(obj, other) -> None:
    """No field of ``obj`` took a hostile value."""
    assert str(obj.pk) != HOSTILE_ID
    for field in (
        "team_id",
        "cycle_id",
        "user_id",
        "owner_id",
        "created_by_id",
        "verified_by_id",
        "claimed_by_id",
        "ticket_id",
    ):
        if hasattr(obj, field):
            value = getattr(obj, field)
            assert value is None or str(value) not in {
                str(other.team.id),
                other.ids["cycle_id"],
                other.ids["ticket_id"],
                str(other.admin.id),
            }, field
    for field in ("created_at", "updated_at", "used_at", "verified_at", "resolved_at"):
        value = getattr(obj, field, None)
        assert value is None or value.year != 2000, field


def test_register(worlds, schema, anon):
    own, other = worlds
    response = send(
        anon,
        schema,
        "POST",
        "/auth/register",
        "/auth/register",
        {"email": "new@example.com", "name": "New", "password": "a-long-enough-pass-1"},
        other,
    )
    assert response.status_code == 201, response.content
    user = User.objects.get(email="new@example.com")
    assert not user.is_staff and not user.is_superuser
    _not_hostile(user, other)
    assert not Membership.objects.filter(user=user).exists()


def test_team_create_and_update(worlds, schema):
    own, other = worlds
    client = _client(own.member)
    response = send(client, schema, "POST", "/teams", "/teams", {"name": "Mine"}, other)
    assert response.status_code == 201, response.content
    team = Team.objects.get(pk=response.json()["team"]["id"])
    _not_hostile(team, other)
    assert list(team.memberships.values_list("user_id", "role", "section")) == [
        (own.member.id, "ADMIN", None)
    ]
    assert not Membership.objects.filter(team=other.team, user=own.member).exists()

    path = f"/teams/{own.team.id}"
    response = send(
        _client(own.admin), schema, "PATCH", path, "/teams/{team_id}", {"name": "Renamed"}, other
    )
    assert response.status_code == 200, response.content
    own.team.refresh_from_db()
    assert own.team.name == "Renamed"
    _not_hostile(own.team, other)


def test_member_update_changes_only_role_and_section(worlds, schema):
    own, other = worlds
    path = f"/teams/{own.team.id}/members/{own.member.id}"
    response = send(
        _client(own.admin),
        schema,
        "PATCH",
        path,
        "/teams/{team_id}/members/{user_id}",
        {"section": "Alto"},
        other,
    )
    assert response.status_code == 200, response.content
    membership = Membership.objects.get(team=own.team, user=own.member)
    assert (membership.role, membership.section) == ("MEMBER", "Alto")
    _not_hostile(membership, other)
    own.member.refresh_from_db()
    assert not own.member.is_staff


def test_invite_create_and_accept(worlds, schema, anon):
    own, other = worlds
    path = f"/teams/{own.team.id}/invites"
    response = send(_client(own.admin), schema, "POST", path, "/teams/{team_id}/invites", {}, other)
    assert response.status_code == 201, response.content
    invite = Invite.objects.get(pk=response.json()["invite"]["id"])
    assert invite.team_id == own.team.id and invite.used_at is None and invite.role == "MEMBER"
    _not_hostile(invite, other)

    token = response.json()["invite_link"].rsplit("/", 1)[1]
    response = send(
        anon,
        schema,
        "POST",
        f"/invites/{token}/accept",
        "/invites/{token}/accept",
        {"name": "Joiner", "email": "joiner@example.com", "password": "a-long-enough-pass-1"},
        other,
    )
    assert response.status_code == 201, response.content
    user = User.objects.get(email="joiner@example.com")
    assert not user.is_staff and not user.is_superuser
    assert list(Membership.objects.filter(user=user).values_list("team_id", "role")) == [
        (own.team.id, "MEMBER")
    ]


def test_cycle_create_and_update(worlds, schema):
    own, other = worlds
    client = _client(own.admin)
    path = f"/teams/{own.team.id}/cycles"
    response = send(
        client, schema, "POST", path, "/teams/{team_id}/cycles", {"date": "2031-05-05"}, other
    )
    assert response.status_code == 201, response.content
    cycle = RehearsalCycle.objects.get(pk=response.json()["cycle"]["id"])
    assert cycle.team_id == own.team.id
    _not_hostile(cycle, other)

    response = send(
        client, schema, "PATCH", f"/cycles/{cycle.id}", "/cycles/{cycle_id}", {"label": "L"}, other
    )
    assert response.status_code == 200, response.content
    cycle.refresh_from_db()
    assert cycle.team_id == own.team.id and cycle.name == "L"


def test_assignment_create_and_update(worlds, schema):
    own, other = worlds
    client = _client(own.admin)
    cycle_id = own.ids["cycle_id"]
    body = {"title": "Bars 5-9", "type": "SONG_WORK", "scope": "TEAM", "priority": "LOW"}
    response = send(
        client,
        schema,
        "POST",
        f"/cycles/{cycle_id}/assignments",
        "/cycles/{cycle_id}/assignments",
        body,
        other,
    )
    assert response.status_code == 201, response.content
    assignment = Assignment.objects.get(pk=response.json()["assignment"]["id"])
    assert (assignment.created_by_id, str(assignment.cycle_id)) == (own.admin.id, cycle_id)
    _not_hostile(assignment, other)

    response = send(
        client,
        schema,
        "PATCH",
        f"/assignments/{assignment.id}",
        "/assignments/{assignment_id}",
        {"title": "Bars 5-10"},
        other,
        refused=("scope",),
    )
    assert response.status_code == 200, response.content
    assignment.refresh_from_db()
    assert (assignment.title, assignment.scope) == ("Bars 5-10", "TEAM")
    assert assignment.created_by_id == own.admin.id
    _not_hostile(assignment, other)
    # The spec lets PATCH change anything but `scope`: the app refuses it outright.
    response = client.patch(f"/assignments/{assignment.id}", {"scope": "SECTION"}, format="json")
    assert_error(response, 422, "VALIDATION_ERROR", field="scope")
    assignment.refresh_from_db()
    assert assignment.scope == "TEAM"


def test_practice_log_create_and_update(worlds, schema):
    own, other = worlds
    client = _client(own.member)
    cycle_id = own.ids["cycle_id"]
    response = send(
        client,
        schema,
        "POST",
        f"/cycles/{cycle_id}/practice-logs",
        "/cycles/{cycle_id}/practice-logs",
        {"duration_min": 15},
        other,
    )
    assert response.status_code == 201, response.content
    log = PracticeLog.objects.get(pk=response.json()["practice_log"]["id"])
    assert (log.user_id, log.team_id, str(log.cycle_id)) == (own.member.id, own.team.id, cycle_id)
    _not_hostile(log, other)

    response = send(
        client,
        schema,
        "PATCH",
        f"/practice-logs/{log.id}",
        "/practice-logs/{log_id}",
        {"notes": "n"},
        other,
    )
    assert response.status_code == 200, response.content
    log.refresh_from_db()
    assert (log.user_id, log.team_id, log.notes) == (own.member.id, own.team.id, "n")
    _not_hostile(log, other)


def test_ticket_create(worlds, schema):
    own, other = worlds
    cycle_id = own.ids["cycle_id"]
    body = {"title": "Bars 1-4", "category": "PITCH", "priority": "LOW", "visibility": "TEAM"}
    response = send(
        _client(own.member),
        schema,
        "POST",
        f"/cycles/{cycle_id}/tickets",
        "/cycles/{cycle_id}/tickets",
        body,
        other,
    )
    assert response.status_code == 201, response.content
    ticket = Ticket.objects.get(pk=response.json()["ticket"]["id"])
    assert ticket.status == TicketStatus.OPEN
    assert (ticket.created_by_id, ticket.owner_id) == (own.member.id, own.member.id)
    assert ticket.verified_by_id is None and ticket.claimed_by_id is None
    assert ticket.team_id == own.team.id
    _not_hostile(ticket, other)


def test_ticket_patch_ignores_ownership_and_refuses_status(worlds, schema):
    own, other = worlds
    ticket_id = own.ids["ticket_id"]
    client = _client(own.member)
    extras = {k: v for k, v in hostile(other).items() if k != "status"}
    response = client.patch(f"/tickets/{ticket_id}", {**extras, "title": "Edited"}, format="json")
    assert response.status_code == 200, response.content
    ticket = Ticket.objects.get(pk=ticket_id)
    assert ticket.title == "Edited" and ticket.status == TicketStatus.OPEN
    assert (ticket.created_by_id, ticket.owner_id) == (own.member.id, own.member.id)
    _not_hostile(ticket, other)
    # The contract refuses `status` on PATCH outright rather than ignoring it.
    response = client.patch(f"/tickets/{ticket_id}", {"status": "VERIFIED"}, format="json")
    assert_error(response, 422, "VALIDATION_ERROR", field="status")
    assert Ticket.objects.get(pk=ticket_id).status == TicketStatus.OPEN


def test_ticket_workflow_actions_record_the_caller(worlds, schema):
    own, other = worlds
    claimable = own.ids["claimable_ticket_id"]
    response = send(
        _client(own.member),
        schema,
        "POST",
        f"/tickets/{claimable}/claim",
        "/tickets/{ticket_id}/claim",
        {},
        other,
    )
    assert response.status_code == 200, response.content
    ticket = Ticket.objects.get(pk=claimable)
    assert (ticket.owner_id, ticket.claimed_by_id) == (own.member.id, own.member.id)
    _not_hostile(ticket, other)

    ticket_id = own.ids["ticket_id"]
    response = send(
        _client(own.member),
        schema,
        "POST",
        f"/tickets/{ticket_id}/transition",
        "/tickets/{ticket_id}/transition",
        {"to_status": "IN_PROGRESS"},
        other,
    )
    assert response.status_code == 200, response.content
    ticket = Ticket.objects.get(pk=ticket_id)
    assert ticket.status == TicketStatus.IN_PROGRESS and ticket.verified_by_id is None
    _not_hostile(ticket, other)

    resolved = own.ids["resolved_ticket_id"]
    response = send(
        _client(own.leader),
        schema,
        "POST",
        f"/tickets/{resolved}/verify",
        "/tickets/{ticket_id}/verify",
        {},
        other,
    )
    assert response.status_code == 200, response.content
    ticket = Ticket.objects.get(pk=resolved)
    assert ticket.status == TicketStatus.VERIFIED and ticket.verified_by_id == own.leader.id
    _not_hostile(ticket, other)

    response = send(
        _client(own.admin),
        schema,
        "POST",
        f"/tickets/{ticket_id}/assign",
        "/tickets/{ticket_id}/assign",
        {"owner_id": str(own.leader.id)},
        other,
    )
    assert response.status_code == 200, response.content
    ticket = Ticket.objects.get(pk=ticket_id)
    assert ticket.owner_id == own.leader.id and ticket.created_by_id == own.member.id
    assert ticket.status == TicketStatus.IN_PROGRESS
    _not_hostile(ticket, other)


def test_comment_is_the_callers_own(worlds, schema):
    own, other = worlds
    ticket_id = own.ids["ticket_id"]
    response = send(
        _client(own.member),
        schema,
        "POST",
        f"/tickets/{ticket_id}/comments",
        "/tickets/{ticket_id}/comments",
        {"content": "Done bars 1-4"},
        other,
    )
    assert response.status_code == 201, response.content
    activity = TicketActivity.objects.get(pk=response.json()["activity"]["id"])
    assert (activity.user_id, str(activity.ticket_id), activity.type) == (
        own.member.id,
        ticket_id,
        "COMMENT",
    )
    _not_hostile(activity, other)
    assert not TicketActivity.objects.filter(ticket_id=other.ids["ticket_id"]).exists()


@pytest.mark.parametrize("method", ["PATCH", "PUT"])
def test_notification_preferences_are_the_callers_own(worlds, schema, method):
    own, other = worlds
    path = f"/teams/{own.team.id}/notification-preferences"
    response = send(
        _client(own.leader),
        schema,
        method,
        path,
        "/teams/{team_id}/notification-preferences",
        {"email_enabled": False},
        other,
    )
    assert response.status_code == 200, response.content
    prefs = NotificationPreference.objects.get(user=own.leader, team=own.team)
    assert prefs.email_enabled is False
    _not_hostile(prefs, other)
    # Nobody else's preferences moved: the member's stay as they were, the other team has none.
    assert NotificationPreference.objects.get(user=own.member, team=own.team).email_enabled
    assert not NotificationPreference.objects.filter(team=other.team, email_enabled=False).exists()
    assert not NotificationPreference.objects.filter(user=other.admin).exists()
