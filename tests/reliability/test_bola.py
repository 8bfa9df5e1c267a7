"""Broken object-level authorization (OWASP API1:2023): another team's ids get nothing.

Every endpoint that takes an id in its path is called with the ids of another team's rows, by
that other team's most and least privileged users. The answer must be 403 or 404 in the error
envelope, must not carry any of the victim team's data, and must change none of its rows.
The table is checked against the OpenAPI schema, so an endpoint added later without a row here
fails the suite.
"""

from __future__ import annotations

import json
import re

import pytest
from rest_framework.test import APIClient

from conftest import assert_error
from notifications.models import EmailDelivery, JobRun, NotificationPreference
from practice.models import Assignment, PracticeLog
from teams.models import Invite, Membership, RehearsalCycle, Team
from teams.services import calendar_token_rotate
from tests.reliability.world import TeamWorld, build_team
from tests.reliability.world import client_for as _client
from tickets.models import Ticket, TicketActivity

pytestmark = pytest.mark.django_db

TICKET = {"title": "x", "category": "PITCH", "priority": "LOW", "visibility": "TEAM"}
ASSIGNMENT = {"title": "x", "type": "SONG_WORK", "scope": "TEAM", "priority": "LOW"}

# (method, path, body). Placeholders name the victim's rows (see TeamWorld.ids); {attacker_*}
# names the attacker's own.
CALLS = [
    ("GET", "/teams/{team_id}", None),
    ("PATCH", "/teams/{team_id}", {"name": "taken over"}),
    ("GET", "/teams/{team_id}/members", None),
    ("PATCH", "/teams/{team_id}/members/{user_id}", {"role": "ADMIN"}),
    ("DELETE", "/teams/{team_id}/members/{user_id}", None),
    ("GET", "/teams/{team_id}/invites", None),
    ("POST", "/teams/{team_id}/invites", {"role": "ADMIN"}),
    ("DELETE", "/invites/{invite_id}", None),
    ("GET", "/teams/{team_id}/cycles", None),
    ("POST", "/teams/{team_id}/cycles", {"date": "2031-01-01"}),
    ("GET", "/teams/{team_id}/cycles/active", None),
    ("GET", "/cycles/{cycle_id}", None),
    ("PATCH", "/cycles/{cycle_id}", {"label": "taken over"}),
    ("DELETE", "/cycles/{cycle_id}", None),
    ("POST", "/teams/{team_id}/calendar-token", None),
    ("GET", "/teams/{team_id}/calendar.ics?token={attacker_calendar_token}", None),
    ("GET", "/cycles/{cycle_id}/assignments", None),
    ("POST", "/cycles/{cycle_id}/assignments", ASSIGNMENT),
    ("PATCH", "/assignments/{assignment_id}", {"title": "taken over"}),
    ("DELETE", "/assignments/{assignment_id}", None),
    ("GET", "/cycles/{cycle_id}/practice-logs", None),
    ("POST", "/cycles/{cycle_id}/practice-logs", {"duration_min": 10}),
    ("GET", "/teams/{team_id}/practice-logs", None),
    ("GET", "/teams/{team_id}/practice-logs.csv", None),
    ("PATCH", "/practice-logs/{practice_log_id}", {"notes": "taken over"}),
    ("DELETE", "/practice-logs/{practice_log_id}", None),
    ("GET", "/cycles/{cycle_id}/tickets", None),
    ("POST", "/cycles/{cycle_id}/tickets", TICKET),
    ("GET", "/teams/{team_id}/tickets", None),
    ("GET", "/tickets/{ticket_id}", None),
    ("GET", "/tickets/{private_ticket_id}", None),
    ("PATCH", "/tickets/{ticket_id}", {"title": "taken over"}),
    ("POST", "/tickets/{claimable_ticket_id}/claim", None),
    ("POST", "/tickets/{ticket_id}/unclaim", None),
    ("POST", "/tickets/{ticket_id}/assign", {"owner_id": "{attacker_user_id}"}),
    ("POST", "/tickets/{ticket_id}/transition", {"to_status": "IN_PROGRESS"}),
    ("POST", "/tickets/{resolved_ticket_id}/verify", {}),
    ("POST", "/tickets/{resolved_ticket_id}/reopen", {"reason": "taken over"}),
    ("POST", "/tickets/{ticket_id}/comments", {"content": "taken over"}),
    ("GET", "/tickets/{ticket_id}/activity", None),
    ("GET", "/teams/{team_id}/dashboards/member", None),
    ("GET", "/teams/{team_id}/dashboards/leader", None),
    ("GET", "/teams/{team_id}/dashboards/leader/compliance-insights", None),
    ("GET", "/teams/{team_id}/dashboards/leader/outcomes", None),
    ("GET", "/teams/{team_id}/catch-up", None),
    ("GET", "/teams/{team_id}/notification-preferences", None),
    ("PATCH", "/teams/{team_id}/notification-preferences", {"email_enabled": False}),
    ("PUT", "/teams/{team_id}/notification-preferences", {"email_enabled": False}),
    ("GET", "/teams/{team_id}/notifications", None),
    # Staff-only, not team rows: a team's ADMIN is not staff.
    ("GET", "/admin/jobs/runs/{run_id}", None),
    ("POST", "/admin/jobs/{job_name}/run", None),
    # The attacker's own team in the path, the victim's rows in the query or body.
    ("GET", "/teams/{attacker_team_id}/dashboards/member?cycle_id={cycle_id}", None),
    ("GET", "/teams/{attacker_team_id}/dashboards/leader?cycle_id={cycle_id}", None),
    ("GET", "/teams/{attacker_team_id}/tickets?cycle_id={cycle_id}", None),
    ("PATCH", "/teams/{attacker_team_id}/members/{user_id}", {"role": "MEMBER"}),
    ("DELETE", "/teams/{attacker_team_id}/members/{user_id}", None),
    (
        "POST",
        "/cycles/{attacker_cycle_id}/practice-logs",
        {"duration_min": 10, "assignment_ids": ["{assignment_id}"]},
    ),
    (
        "POST",
        "/cycles/{attacker_cycle_id}/practice-logs",
        {"duration_min": 10, "ticket_ids": ["{ticket_id}"]},
    ),
    ("POST", "/cycles/{attacker_cycle_id}/tickets", {**TICKET, "owner_id": "{user_id}"}),
    ("POST", "/tickets/{attacker_ticket_id}/assign", {"owner_id": "{user_id}"}),
]
# Endpoints whose path id is a secret bearer credential rather than a row of a team.
TOKEN_ENDPOINTS = {
    "GET /invites/{token}",
    "POST /invites/{token}/accept",
    "GET /unsubscribe/{signed_token}",
    "POST /unsubscribe/{signed_token}",
}


def _format_json(text: str, values: dict[str, str]) -> str:
    for key, value in values.items():
        text = text.replace("{" + key + "}", value)
    return text


def fingerprint(team: Team) -> dict[str, list]:
    """Every row that belongs to ``team``, as plain values."""
    querysets = {
        "team": Team.objects.filter(pk=team.pk),
        "memberships": Membership.objects.filter(team=team),
        "invites": Invite.objects.filter(team=team),
        "cycles": RehearsalCycle.objects.filter(team=team),
        "assignments": Assignment.objects.filter(cycle__team=team),
        "practice_logs": PracticeLog.objects.filter(team=team),
        "tickets": Ticket.objects.filter(team=team),
        "activity": TicketActivity.objects.filter(ticket__team=team),
        "preferences": NotificationPreference.objects.filter(team=team),
        "deliveries": EmailDelivery.objects.filter(team=team),
        "job_runs": JobRun.objects.all(),
    }
    rows = {name: list(qs.order_by("pk").values()) for name, qs in querysets.items()}
    rows["ticket_logs"] = list(
        Ticket.practice_logs.through.objects.filter(ticket__team=team).order_by("pk").values()
    )
    rows["log_assignments"] = list(
        PracticeLog.assignments.through.objects.filter(practicelog__team=team)
        .order_by("pk")
        .values()
    )
    return rows


def _secrets(world: TeamWorld) -> list[str]:
    """Strings only the victim team's members may see."""
    titles = list(Ticket.objects.filter(team=world.team).values_list("title", flat=True))
    return [
        world.team.name,
        world.member.email,
        world.member.display_name,
        world.leader.email,
        *titles,
        *Assignment.objects.filter(cycle__team=world.team).values_list("title", flat=True),
        *PracticeLog.objects.filter(team=world.team).values_list("notes", flat=True),
        *EmailDelivery.objects.filter(team=world.team).values_list("subject", flat=True),
    ]


@pytest.fixture
def worlds():
    victim = build_team("Harmonia")
    attacker = build_team("Rival Choir")
    return victim, attacker


def _call(client: APIClient, method: str, path: str, body):
    if body is None:
        return client.generic(method, path)
    return client.generic(method, path, json.dumps(body), content_type="application/json")


@pytest.mark.parametrize("attacker_role", ["admin", "member"])
def test_other_teams_ids_get_nothing(worlds, attacker_role):
    victim, attacker = worlds
    attacker_user = getattr(attacker, attacker_role)
    client = _client(attacker_user)
    calendar = calendar_token_rotate(
        membership=Membership.objects.get(team=attacker.team, user=attacker_user)
    )
    values = victim.ids | {"job_name": "no_log_reminder"}
    values |= _prefixed(attacker.ids | {"calendar_token": calendar})
    secrets = _secrets(victim)
    failures = []
    before = fingerprint(victim.team)
    for method, template, body in CALLS:
        path = _format_json(template, values)
        payload = None if body is None else json.loads(_format_json(json.dumps(body), values))
        response = _call(client, method, path, payload)
        try:
            _assert_nothing_given(response, method, template, body, secrets)
        except AssertionError as exc:
            failures.append(f"{method} {template}: {exc}")
    assert failures == []
    after = fingerprint(victim.team)
    assert {name for name in before if before[name] != after[name]} == set()


def _assert_nothing_given(response, method, template, body, secrets) -> None:
    if template.startswith("/teams/{attacker_team_id}/tickets"):
        # A filter naming another team's cycle is a filter that matches nothing.
        assert response.status_code in (200, 403, 404, 422), response.content[:300]
        if response.status_code == 200:
            assert response.json()["items"] == []
    elif "{attacker_" in template and method == "POST" and body and "{" in json.dumps(body):
        # A body that names another team's rows is refused before anything is written.
        assert response.status_code in (403, 404, 422), response.content[:300]
    else:
        assert response.status_code in (403, 404), (response.status_code, response.content[:300])
    if response.status_code >= 400:
        assert_error(response, response.status_code, response.json()["error"]["code"])
    text = response.content.decode()
    for secret in secrets:
        assert secret not in text, (secret, text[:300])


def _prefixed(values: dict[str, str]) -> dict[str, str]:
    return {f"attacker_{key}": value for key, value in values.items()}


def test_every_endpoint_with_a_path_id_is_in_the_table(anon):
    schema = anon.get("/openapi.json").json()
    covered = {f"{method} {path.split('?')[0]}" for method, path, _ in CALLS}
    covered = {_normalise(entry) for entry in covered}
    missing = []
    for path, item in schema["paths"].items():
        for method in item:
            if method.upper() not in {"GET", "POST", "PUT", "PATCH", "DELETE"}:
                continue
            entry = f"{method.upper()} {path}"
            if "{" not in path or entry in TOKEN_ENDPOINTS:
                continue
            if _normalise(entry) not in covered:
                missing.append(entry)
    assert missing == []


def _normalise(entry: str) -> str:
    """Path parameter names differ between the table and the schema; compare shapes."""
    return re.sub(r"\{[^}]+\}", "{}", entry)
