"""GET /teams/{id}/notifications and the one-click /unsubscribe/{signed_token}."""

import datetime
import re

import pytest
from django.utils import timezone

from conftest import assert_error
from notifications import links
from notifications.models import EmailDelivery, EmailStatus, NotificationPreference
from notifications.outbox import email_enqueue
from teams.tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def delivery(user, team, n, **kwargs):
    return EmailDelivery.objects.create(
        kind=kwargs.pop("kind", "no_log_reminder"),
        user=user,
        team=team,
        dedupe_key=f"test:{user.pk}:{team.pk}:{n}",
        to=user.email,
        subject=f"Mail {n}",
        template="notifications/email/no_log_reminder",
        created_at=timezone.now() - datetime.timedelta(minutes=100 - n),
        **kwargs,
    )


# --- history ------------------------------------------------------------------------------


def test_history_is_own_and_newest_first(
    team, other_team, soprano_member, alto_member, django_assert_max_num_queries
):
    MembershipFactory(team=other_team, user=soprano_member.user)
    sent_at = timezone.now()
    mine = [
        delivery(soprano_member.user, team, n, status=EmailStatus.SENT, sent_at=sent_at)
        for n in range(3)
    ]
    delivery(soprano_member.user, other_team, 10)
    delivery(alto_member.user, team, 11)

    with django_assert_max_num_queries(4):
        response = soprano_member.client.get(f"/teams/{team.id}/notifications")
    assert response.status_code == 200
    body = response.json()
    assert [item["id"] for item in body["items"]] == [str(d.id) for d in reversed(mine)]
    assert body["next_cursor"] is None
    first = body["items"][0]
    assert set(first) == {"id", "kind", "subject", "status", "sent_at", "created_at"}
    assert (
        first["kind"] == "no_log_reminder"
        and first["status"] == "sent"
        and first["subject"] == "Mail 2"
    )
    assert first["sent_at"].endswith("Z") and first["created_at"].endswith("Z")


def test_history_pages(team, soprano_member, django_assert_max_num_queries):
    rows = [delivery(soprano_member.user, team, n) for n in range(5)]
    seen, cursor = [], None
    while True:
        query = "?limit=2" + (f"&cursor={cursor}" if cursor else "")
        with django_assert_max_num_queries(4):
            body = soprano_member.client.get(f"/teams/{team.id}/notifications{query}").json()
        seen += [item["id"] for item in body["items"]]
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert seen == [str(d.id) for d in reversed(rows)]
    assert_error(
        soprano_member.client.get(f"/teams/{team.id}/notifications?cursor=%%%"),
        422,
        "VALIDATION_ERROR",
        field="cursor",
    )
    assert_error(
        soprano_member.client.get(f"/teams/{team.id}/notifications?limit=0"),
        422,
        "VALIDATION_ERROR",
        field="limit",
    )


def test_history_refusals(team, outsider, anon):
    assert_error(
        outsider.client.get(f"/teams/{team.id}/notifications"),
        403,
        "FORBIDDEN",
        "Not a member of this team",
    )
    assert_error(anon.get(f"/teams/{team.id}/notifications"), 401, "UNAUTHORIZED")


# --- unsubscribe --------------------------------------------------------------------------


def token_for(user, team, kind="no_log_reminder"):
    return links.unsubscribe_token(kind=kind, team_id=team.id, user_id=user.id, email=user.email)


def test_get_shows_and_post_applies(team, soprano_member, anon):
    token = token_for(soprano_member.user, team)
    response = anon.get(f"/unsubscribe/{token}")
    assert response.status_code == 200
    assert response.json() == {
        "email": soprano_member.user.email,
        "team_id": str(team.id),
        "team_name": "Harmonia",
        "kind": "no_log_reminder",
        "setting": "email_enabled",
        "enabled": True,
        "unsubscribed": False,
        "message": f"Confirm (POST) to stop e-mail from Harmonia to {soprano_member.user.email}.",
    }
    # GET changes nothing (mail scanners follow links).
    assert not NotificationPreference.objects.exists()

    response = anon.post(f"/unsubscribe/{token}")
    assert response.status_code == 200
    assert response.json()["enabled"] is False and response.json()["unsubscribed"] is True
    assert (
        response.json()["message"]
        == f"{soprano_member.user.email} will no longer receive e-mail from Harmonia."
    )
    pref = NotificationPreference.objects.get(user=soprano_member.user, team=team)
    assert (pref.email_enabled, pref.weekly_digest_enabled) == (False, True)

    # Applying twice is harmless; GET now says it is done.
    assert anon.post(f"/unsubscribe/{token}").status_code == 200
    assert anon.get(f"/unsubscribe/{token}").json()["unsubscribed"] is True


def test_digest_unsubscribe_turns_off_the_digest_only(team, soprano_member, anon):
    token = token_for(soprano_member.user, team, kind="weekly_member_digest")
    assert anon.get(f"/unsubscribe/{token}").json()["setting"] == "weekly_digest_enabled"
    anon.post(f"/unsubscribe/{token}")
    pref = NotificationPreference.objects.get(user=soprano_member.user, team=team)
    assert (pref.email_enabled, pref.weekly_digest_enabled) == (True, False)


def test_one_click_from_the_email_header(
    team, soprano_member, anon, mailoutbox, django_capture_on_commit_callbacks
):
    # A mail provider POSTs "List-Unsubscribe=One-Click" form-encoded to the header's URL.
    with django_capture_on_commit_callbacks(execute=True):
        email_enqueue(
            kind="no_log_reminder",
            user=soprano_member.user,
            team=team,
            to=soprano_member.user.email,
            subject="Time to practice!",
            context={"days": 3},
            dedupe_key="one-click",
        )
    [message] = mailoutbox
    url = re.fullmatch(
        r"<https://api\.example\.test(/unsubscribe/[^>]+)>",
        message.extra_headers["List-Unsubscribe"],
    ).group(1)
    response = anon.post(
        url, data="List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200
    assert (
        NotificationPreference.objects.get(user=soprano_member.user, team=team).email_enabled
        is False
    )
    # The body's link goes to the web app's page for the same token.
    assert f"https://app.example.test{url}" in message.body


@pytest.mark.parametrize("token", ["garbage", "eyJrIjoibm9fbG9nIn0:1abc:forged"])
def test_invalid_links(anon, token):
    assert_error(anon.get(f"/unsubscribe/{token}"), 404, "NOT_FOUND", "Unsubscribe link is invalid")
    assert_error(
        anon.post(f"/unsubscribe/{token}"), 404, "NOT_FOUND", "Unsubscribe link is invalid"
    )


def test_tampered_token_is_refused(team, soprano_member, alto_member, anon):
    token = token_for(soprano_member.user, team)
    tampered = token.replace(token.split(":")[0], token_for(alto_member.user, team).split(":")[0])
    assert_error(anon.post(f"/unsubscribe/{tampered}"), 404, "NOT_FOUND")
    assert not NotificationPreference.objects.exists()


def test_invitation_to_an_address_without_account(team, anon):
    token = links.unsubscribe_token(
        kind="invite", team_id=team.id, user_id=None, email="new@example.com"
    )
    body = anon.post(f"/unsubscribe/{token}").json()
    assert body["unsubscribed"] is False and body["setting"] is None
    assert "has no PracticeOps account" in body["message"]
