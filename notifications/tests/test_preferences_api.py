"""GET/PATCH/PUT /teams/{team_id}/notification-preferences: the member's own, in range."""

import threading
import uuid

import pytest
from django.db import connection

from conftest import assert_error
from notifications.models import NotificationPreference
from notifications.tests.factories import NotificationPreferenceFactory

pytestmark = pytest.mark.django_db

DEFAULTS = {
    "email_enabled": True,
    "deadline_reminder_hours": 24,
    "no_log_days": 3,
    "weekly_digest_enabled": True,
}


def url(team_id) -> str:
    return f"/teams/{team_id}/notification-preferences"


def test_defaults_without_a_row(team, soprano_member):
    response = soprano_member.client.get(url(team.id))
    assert response.status_code == 200
    assert response.json() == DEFAULTS
    assert not NotificationPreference.objects.exists()


@pytest.mark.parametrize("method", ["patch", "put"])
def test_partial_update(team, soprano_member, alto_member, method):
    response = getattr(soprano_member.client, method)(
        url(team.id), {"no_log_days": 5, "email_enabled": False, "unknown": 1}, format="json"
    )
    assert response.status_code == 200
    assert response.json() == {**DEFAULTS, "no_log_days": 5, "email_enabled": False}
    assert soprano_member.client.get(url(team.id)).json() == {
        **DEFAULTS,
        "no_log_days": 5,
        "email_enabled": False,
    }

    # The other fields keep what was saved.
    response = getattr(soprano_member.client, method)(
        url(team.id), {"weekly_digest_enabled": False}, format="json"
    )
    assert response.json() == {
        "email_enabled": False,
        "deadline_reminder_hours": 24,
        "no_log_days": 5,
        "weekly_digest_enabled": False,
    }
    # Only the caller's own preferences changed.
    assert alto_member.client.get(url(team.id)).json() == DEFAULTS
    assert NotificationPreference.objects.count() == 1


def test_preferences_are_per_team(team, other_team, soprano_member):
    from teams.tests.factories import MembershipFactory

    MembershipFactory(team=other_team, user=soprano_member.user)
    soprano_member.client.patch(url(team.id), {"email_enabled": False}, format="json")
    assert soprano_member.client.get(url(other_team.id)).json() == DEFAULTS


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"deadline_reminder_hours": 0}, "deadline_reminder_hours"),
        ({"deadline_reminder_hours": 169}, "deadline_reminder_hours"),
        ({"no_log_days": 0}, "no_log_days"),
        ({"no_log_days": 31}, "no_log_days"),
        ({"no_log_days": "5"}, "no_log_days"),
        ({"no_log_days": 2.5}, "no_log_days"),
        ({"no_log_days": True}, "no_log_days"),
        ({"email_enabled": "yes"}, "email_enabled"),
        ({"email_enabled": 1}, "email_enabled"),
        ({"weekly_digest_enabled": None}, "weekly_digest_enabled"),
    ],
)
def test_invalid_values(team, soprano_member, body, field):
    response = soprano_member.client.patch(url(team.id), body, format="json")
    assert_error(response, 422, "VALIDATION_ERROR", field=field)
    assert not NotificationPreference.objects.exists()


def test_range_edges_are_accepted(team, soprano_member):
    response = soprano_member.client.patch(
        url(team.id), {"deadline_reminder_hours": 168, "no_log_days": 30}, format="json"
    )
    assert response.json()["deadline_reminder_hours"] == 168
    response = soprano_member.client.put(
        url(team.id), {"deadline_reminder_hours": 1, "no_log_days": 1}, format="json"
    )
    assert response.json() == {**DEFAULTS, "deadline_reminder_hours": 1, "no_log_days": 1}


def test_body_must_be_an_object(team, soprano_member):
    response = soprano_member.client.patch(url(team.id), [1, 2], format="json")
    assert_error(response, 422, "VALIDATION_ERROR")


@pytest.mark.parametrize(
    "persona", ["admin", "soprano_leader", "alto_leader", "soprano_member", "alto_member"]
)
def test_every_member_manages_their_own(request, team, persona):
    who = request.getfixturevalue(persona)
    assert who.client.get(url(team.id)).status_code == 200
    assert who.client.patch(url(team.id), {"no_log_days": 7}, format="json").status_code == 200
    assert NotificationPreference.objects.get(user=who.user, team=team).no_log_days == 7


def test_refusals(team, outsider, anon, soprano_member):
    assert_error(outsider.client.get(url(team.id)), 403, "FORBIDDEN", "Not a member of this team")
    assert_error(
        outsider.client.patch(url(team.id), {"no_log_days": 2}, format="json"), 403, "FORBIDDEN"
    )
    assert_error(anon.get(url(team.id)), 401, "UNAUTHORIZED")
    assert_error(soprano_member.client.get(url(uuid.uuid4())), 404, "NOT_FOUND")
    assert_error(
        soprano_member.client.get(url("not-a-uuid")), 422, "VALIDATION_ERROR", field="team_id"
    )
    assert not NotificationPreference.objects.exists()


def test_saved_row_is_returned(team, soprano_member):
    NotificationPreferenceFactory(
        user=soprano_member.user, team=team, no_log_days=9, weekly_digest_enabled=False
    )
    assert soprano_member.client.get(url(team.id)).json() == {
        **DEFAULTS,
        "no_log_days": 9,
        "weekly_digest_enabled": False,
    }


@pytest.mark.django_db(transaction=True)
def test_concurrent_first_saves_make_one_row(require_postgres, team, soprano_member):
    errors, statuses = [], []

    def save(value):
        try:
            from rest_framework.test import APIClient

            client = APIClient()
            client.credentials(**soprano_member.client._credentials)
            statuses.append(
                client.patch(url(team.id), {"no_log_days": value}, format="json").status_code
            )
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=save, args=(n,)) for n in range(2, 8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and statuses == [200] * 6
    assert NotificationPreference.objects.filter(user=soprano_member.user, team=team).count() == 1
