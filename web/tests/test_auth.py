"""Session sign-in: the API's login path and buckets, `next`, rotation, cookies; the API
never accepts the session."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings
from rest_framework_simplejwt.token_blacklist.models import OutstandingToken

from accounts.services import token_pair_for_user
from accounts.tests.factories import DEFAULT_PASSWORD
from web.tests.conftest import session_client
from web.tests.helpers import alerts, h1


def sign_in(client: Client, email: str, password: str = DEFAULT_PASSWORD, next_url: str = ""):  # type: ignore[no-untyped-def]
    client.get("/app/login")
    return client.post("/app/login", {"email": email, "password": password, "next": next_url})


def test_sign_in_rotates_the_session_and_lands_on_this_week(soprano_member, team):
    client = Client()
    page = client.get("/app/login")
    assert page.status_code == 200
    assert h1(page) == "Sign in"
    session = client.session
    session["probe"] = 1
    session.save()
    client.cookies["sessionid"] = before = session.session_key
    response = sign_in(client, soprano_member.user.email.upper())
    assert response.status_code == 302
    assert response["Location"] == "/app/"
    after = client.cookies["sessionid"]
    assert after.value != before
    assert after["httponly"] is True
    assert after["samesite"] == "Lax"
    assert client.get("/app/", follow=True).redirect_chain[-1][0] == f"/app/t/{team.pk}/"


def test_session_cookie_is_secure_when_debug_is_off(soprano_member, settings):
    # The test settings run with DEBUG off, as production does.
    assert settings.DEBUG is False
    response = sign_in(Client(), soprano_member.user.email)
    assert response.cookies["sessionid"]["secure"] is True


@pytest.mark.parametrize(
    "next_url,expected",
    [
        ("/app/me", "/app/me"),
        ("https://evil.example/app/", "/app/"),
        ("//evil.example/app/", "/app/"),
        ("javascript:alert(1)", "/app/"),
    ],
)
def test_next_only_to_a_path_of_this_site(soprano_member, next_url, expected):
    response = sign_in(Client(), soprano_member.user.email, next_url=next_url)
    assert response["Location"] == expected


@pytest.mark.parametrize("email,password", [("nobody@example.com", "x" * 10), (None, "wrong-pass")])
def test_one_message_for_every_failure(soprano_member, email, password):
    response = sign_in(Client(), email or soprano_member.user.email, password)
    assert response.status_code == 401
    assert alerts(response) == ["Invalid email or password"]
    assert "_auth_user_id" not in Client().session


def test_failed_htmx_sign_in_answers_200_with_the_message(soprano_member):
    response = Client().post(
        "/app/login",
        {"email": soprano_member.user.email, "password": "nope-nope"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert alerts(response) == ["Invalid email or password"]


@override_settings(AUTH_RATE_LIMIT="3/m")
def test_the_api_and_the_web_share_the_per_email_bucket(soprano_member, api_client):
    email = soprano_member.user.email
    for _ in range(2):
        api_client.post("/auth/login", {"email": email, "password": "bad"}, format="json")
    # The third attempt (from the web, another IP) still counts in the same e-mail bucket.
    response = Client(REMOTE_ADDR="10.9.9.9").post(
        "/app/login", {"email": email, "password": "bad"}
    )
    assert response.status_code == 401
    response = Client(REMOTE_ADDR="10.9.9.8").post(
        "/app/login", {"email": email, "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 429
    assert alerts(response) == ["Too many requests, please try again later"]


def test_logout_is_post_only_and_clears_the_session(soprano_member, team):
    client = session_client(soprano_member)
    assert client.get("/app/logout").status_code == 405
    response = client.post("/app/logout")
    assert response["Location"] == "/app/login"
    assert client.get(f"/app/t/{team.pk}/").status_code == 302


def test_the_api_ignores_the_session_cookie(soprano_member, team):
    client = session_client(soprano_member)
    response = client.get("/me")
    assert response.status_code == 401
    assert response.json()["error"]["message"] == "Missing authorization header"
    response = client.get(f"/teams/{team.pk}/dashboards/member")
    assert response.status_code == 401


def test_pages_carry_the_csp(soprano_member, team):
    response = session_client(soprano_member).get(f"/app/t/{team.pk}/")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    body = response.content.decode()
    assert "/static/django_htmx/htmx-2.min.js" in body
    assert '"includeIndicatorStyles": false' in body
    assert "<script>" not in body and "style=" not in body


def test_password_change_keeps_this_session_ends_others_and_revokes_tokens(soprano_member, team):
    user = soprano_member.user
    token_pair_for_user(user)
    here = Client()
    sign_in(here, user.email)
    elsewhere = Client()
    sign_in(elsewhere, user.email)
    refused = here.post(
        "/app/me/password", {"current_password": "wrong", "new_password": "a-new-pass-42"}
    )
    assert refused.status_code == 422
    assert alerts(refused) == ["Current password is incorrect"]
    response = here.post(
        "/app/me/password",
        {"current_password": DEFAULT_PASSWORD, "new_password": "a-new-pass-42"},
    )
    assert response.status_code == 302
    assert here.get(f"/app/t/{team.pk}/").status_code == 200
    assert elsewhere.get(f"/app/t/{team.pk}/").status_code == 302
    live = OutstandingToken.objects.filter(user=user, blacklistedtoken__isnull=True)
    assert live.count() == 0
    user.refresh_from_db()
    assert user.check_password("a-new-pass-42")
