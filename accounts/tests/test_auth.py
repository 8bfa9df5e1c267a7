"""The auth endpoints of spec/api.md: every success and every documented error."""

import datetime
import time

import jwt
import pytest
import time_machine
from django.conf import settings
from rest_framework.test import APIClient
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

from accounts.models import User
from accounts.tests.factories import DEFAULT_PASSWORD, UserFactory
from conftest import assert_error, authed_client
from teams.tests.factories import MembershipFactory, TeamFactory

pytestmark = pytest.mark.django_db

REGISTER = {
    "email": "New.Singer@Example.com",
    "name": "New Singer",
    "password": "a-Strong-passw0rd",
}


def register(client, **overrides):
    return client.post("/auth/register", {**REGISTER, **overrides}, format="json")


def login(client, email, password=DEFAULT_PASSWORD):
    return client.post("/auth/login", {"email": email, "password": password}, format="json")


def decode(token):
    return jwt.decode(token, settings.JWT_SECRET_KEY, algorithms=["HS256"])


# --- register -------------------------------------------------------------------------------


def test_register_creates_user_and_returns_tokens(anon):
    response = register(anon)
    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"access_token", "refresh_token", "user"}
    user = User.objects.get()
    assert body["user"] == {
        "id": str(user.id),
        "email": "new.singer@example.com",
        "name": "New Singer",
    }
    assert user.email == "new.singer@example.com"
    assert user.check_password(REGISTER["password"])
    access, refresh = decode(body["access_token"]), decode(body["refresh_token"])
    assert access["type"] == "access" and refresh["type"] == "refresh"
    assert access["sub"] == str(user.id) == refresh["sub"]
    assert {"exp", "iat", "jti"} <= set(access)
    assert access["exp"] - access["iat"] == 15 * 60
    assert refresh["exp"] - refresh["iat"] == 30 * 24 * 3600


def test_register_duplicate_email_is_case_insensitive(anon):
    assert register(anon).status_code == 201
    response = register(anon, email="NEW.singer@example.COM")
    assert_error(response, 409, "CONFLICT", "Email already registered", field="email")
    assert User.objects.count() == 1


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"password": "short"}, "password"),
        ({"password": "password123"}, "password"),  # a common password
        ({"password": "x" * 129}, "password"),
        ({"password": "12345678901"}, "password"),  # entirely numeric
        ({"name": ""}, "name"),
        ({"name": "n" * 101}, "name"),
        ({"name": 12}, "name"),
        ({"email": "not-an-email"}, "email"),
        ({"email": 5}, "email"),
        ({"password": 12345678}, "password"),
        ({"name": "nul\x00byte"}, "name"),
    ],
)
def test_register_validation_errors(anon, overrides, field):
    assert_error(register(anon, **overrides), 422, "VALIDATION_ERROR", field=field)
    assert not User.objects.exists()


@pytest.mark.parametrize("missing", ["email", "name", "password"])
def test_register_missing_field(anon, missing):
    body = {k: v for k, v in REGISTER.items() if k != missing}
    assert_error(
        anon.post("/auth/register", body, format="json"), 422, "VALIDATION_ERROR", field=missing
    )


def test_register_ignores_unknown_fields_and_mass_assignment(anon):
    response = register(
        anon,
        is_staff=True,
        is_superuser=True,
        role="ADMIN",
        id="00000000-0000-0000-0000-000000000001",
    )
    assert response.status_code == 201
    user = User.objects.get()
    assert not user.is_staff and not user.is_superuser
    assert str(user.id) != "00000000-0000-0000-0000-000000000001"


# --- login ----------------------------------------------------------------------------------


def test_login_returns_tokens_and_user():
    user = UserFactory(email="singer@example.com", display_name="Singer")
    from rest_framework.test import APIClient

    response = login(APIClient(), "  SINGER@example.com ")
    assert response.status_code == 200
    body = response.json()
    assert body["user"] == {"id": str(user.id), "email": "singer@example.com", "name": "Singer"}
    assert decode(body["access_token"])["sub"] == str(user.id)


def test_login_wrong_password_and_unknown_email_answer_alike(anon):
    UserFactory(email="singer@example.com")
    wrong = login(anon, "singer@example.com", "not-the-password")
    unknown = login(anon, "nobody@example.com", "not-the-password")
    assert_error(wrong, 401, "UNAUTHORIZED", "Invalid email or password", field=None)
    assert_error(unknown, 401, "UNAUTHORIZED", "Invalid email or password", field=None)


def test_login_inactive_user_refused(anon):
    UserFactory(email="gone@example.com", is_active=False)
    assert_error(login(anon, "gone@example.com"), 401, "UNAUTHORIZED", "Invalid email or password")


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"email": "a@b.c"},
        {"password": "x"},
        {"email": 1, "password": "x"},
        {"email": "a@b.c", "password": ["x"]},
    ],
)
def test_login_bad_bodies(anon, body):
    assert_error(anon.post("/auth/login", body, format="json"), 422, "VALIDATION_ERROR")


# --- bearer tokens --------------------------------------------------------------------------


def test_bearer_errors(anon):
    user = UserFactory()
    assert_error(anon.get("/me"), 401, "UNAUTHORIZED", "Missing authorization header")
    for header in ["Token abc", "Bearer", "Bearer a b", "bearer"]:
        response = anon.get("/me", HTTP_AUTHORIZATION=header)
        assert_error(response, 401, "UNAUTHORIZED", "Invalid authorization header format")
    assert_error(
        anon.get("/me", HTTP_AUTHORIZATION="Bearer not.a.jwt"),
        401,
        "UNAUTHORIZED",
        "Invalid or expired token",
    )
    pair = login(anon, user.email).json()
    # A refresh token is not a bearer token.
    response = anon.get("/me", HTTP_AUTHORIZATION=f"Bearer {pair['refresh_token']}")
    assert_error(response, 401, "UNAUTHORIZED", "Invalid or expired token")
    assert anon.get("/me", HTTP_AUTHORIZATION=f"Bearer {pair['access_token']}").status_code == 200


def _forge(claims, key=None, algorithm="HS256"):
    return jwt.encode(claims, key or settings.JWT_SECRET_KEY, algorithm=algorithm)


def test_forged_and_tampered_tokens_refused(anon):
    user = UserFactory()
    now = int(time.time())
    good = {"sub": str(user.id), "type": "access", "iat": now, "exp": now + 600, "jti": "x" * 32}
    cases = {
        "wrong key": _forge(good, key="another-secret-key-of-sufficient-length-123"),
        "expired": _forge({**good, "iat": now - 1200, "exp": now - 600}),
        "future iat": _forge({**good, "iat": now + 3600, "exp": now + 7200}),
        "wrong type": _forge({**good, "type": "refresh"}),
        "no type": _forge({k: v for k, v in good.items() if k != "type"}),
        "sub not a uuid": _forge({**good, "sub": "1 OR 1=1"}),
        "alg none": jwt.encode(good, key="", algorithm="none"),
    }
    header, payload, signature = _forge(good).split(".")
    other = _forge({**good, "sub": "00000000-0000-0000-0000-000000000000"}).split(".")[1]
    cases["tampered payload"] = f"{header}.{other}.{signature}"
    assert anon.get("/me", HTTP_AUTHORIZATION=f"Bearer {_forge(good)}").status_code == 200
    for name, token in cases.items():
        response = anon.get("/me", HTTP_AUTHORIZATION=f"Bearer {token}")
        assert_error(response, 401, "UNAUTHORIZED", "Invalid or expired token"), name


def test_deleted_and_inactive_users_refused_with_valid_token(anon):
    user = UserFactory()
    client = authed_client(user)
    assert client.get("/me").status_code == 200
    user.is_active = False
    user.save()
    assert_error(client.get("/me"), 401, "UNAUTHORIZED", "User not found")
    user.delete()
    assert_error(client.get("/me"), 401, "UNAUTHORIZED", "User not found")


# --- refresh --------------------------------------------------------------------------------


def test_refresh_keeps_the_refresh_token_by_default(anon):
    # Existing web clients store only the new access token and refresh with their first
    # refresh token again: it must keep working (spec: no rotation by default).
    user = UserFactory()
    pair = login(anon, user.email).json()
    access_tokens = []
    for _ in range(3):
        response = anon.post(
            "/auth/refresh", {"refresh_token": pair["refresh_token"]}, format="json"
        )
        assert response.status_code == 200, response.content
        body = response.json()
        assert set(body) == {"access_token", "refresh_token"}
        assert body["refresh_token"] == pair["refresh_token"]
        claims = decode(body["access_token"])
        assert (claims["sub"], claims["type"]) == (str(user.id), "access")
        access_tokens.append(body["access_token"])
    assert len(set(access_tokens)) == 3
    me = APIClient()
    me.credentials(HTTP_AUTHORIZATION=f"Bearer {access_tokens[-1]}")
    assert me.get("/me").json()["user"]["id"] == str(user.id)
    # Refreshing recorded no new refresh tokens and retired none.
    assert OutstandingToken.objects.filter(user=user).count() == 1
    assert not BlacklistedToken.objects.filter(token__user=user).exists()


def test_refresh_token_without_rotation_ends_at_expiry(anon, settings):
    user = UserFactory()
    pair = login(anon, user.email).json()
    later = datetime.datetime.now(datetime.UTC) + datetime.timedelta(
        days=settings.REFRESH_TOKEN_DAYS, seconds=1
    )
    with time_machine.travel(later, tick=False):
        response = anon.post(
            "/auth/refresh", {"refresh_token": pair["refresh_token"]}, format="json"
        )
    assert_error(response, 401, "UNAUTHORIZED", "Invalid or expired refresh token")


def test_refresh_with_rotation_retires_the_old_token(anon, settings):
    settings.REFRESH_TOKEN_ROTATION = True
    user = UserFactory()
    pair = login(anon, user.email).json()
    response = anon.post("/auth/refresh", {"refresh_token": pair["refresh_token"]}, format="json")
    assert response.status_code == 200
    new = response.json()
    assert set(new) == {"access_token", "refresh_token"}
    assert new["refresh_token"] != pair["refresh_token"]
    assert decode(new["access_token"])["sub"] == str(user.id)
    reused = anon.post("/auth/refresh", {"refresh_token": pair["refresh_token"]}, format="json")
    assert_error(reused, 401, "UNAUTHORIZED", "Invalid or expired refresh token", field=None)
    again = anon.post("/auth/refresh", {"refresh_token": new["refresh_token"]}, format="json")
    assert again.status_code == 200


def test_refresh_refuses_access_tokens_garbage_and_expired(anon):
    user = UserFactory()
    pair = login(anon, user.email).json()
    now = int(time.time())
    expired = _forge(
        {"sub": str(user.id), "type": "refresh", "iat": now - 100, "exp": now - 10, "jti": "e" * 32}
    )
    for token in [pair["access_token"], "garbage", expired]:
        response = anon.post("/auth/refresh", {"refresh_token": token}, format="json")
        assert_error(response, 401, "UNAUTHORIZED", "Invalid or expired refresh token")
    assert_error(
        anon.post("/auth/refresh", {}, format="json"),
        422,
        "VALIDATION_ERROR",
        field="refresh_token",
    )
    assert_error(
        anon.post("/auth/refresh", {"refresh_token": 5}, format="json"),
        422,
        "VALIDATION_ERROR",
        field="refresh_token",
    )


def test_refresh_refused_for_deactivated_user(anon):
    user = UserFactory()
    pair = login(anon, user.email).json()
    User.objects.filter(pk=user.pk).update(is_active=False)
    response = anon.post("/auth/refresh", {"refresh_token": pair["refresh_token"]}, format="json")
    assert_error(response, 401, "UNAUTHORIZED", "Invalid or expired refresh token")


# --- logout and password --------------------------------------------------------------------


def test_logout_revokes_the_refresh_token(anon):
    user = UserFactory()
    pair = login(anon, user.email).json()
    client = authed_client(user)
    response = client.post("/auth/logout", {"refresh_token": pair["refresh_token"]}, format="json")
    assert response.status_code == 204
    assert response.content == b""
    refused = anon.post("/auth/refresh", {"refresh_token": pair["refresh_token"]}, format="json")
    assert_error(refused, 401, "UNAUTHORIZED", "Invalid or expired refresh token")
    # Logging out twice is harmless.
    assert (
        client.post(
            "/auth/logout", {"refresh_token": pair["refresh_token"]}, format="json"
        ).status_code
        == 204
    )


def test_logout_errors(anon):
    user, other = UserFactory(), UserFactory()
    client = authed_client(user)
    assert_error(
        anon.post("/auth/logout", {"refresh_token": "x"}, format="json"),
        401,
        "UNAUTHORIZED",
        "Missing authorization header",
    )
    assert_error(
        client.post("/auth/logout", {"refresh_token": "garbage"}, format="json"),
        401,
        "UNAUTHORIZED",
        "Invalid or expired refresh token",
    )
    others = login(anon, other.email).json()["refresh_token"]
    assert_error(
        client.post("/auth/logout", {"refresh_token": others}, format="json"), 401, "UNAUTHORIZED"
    )
    # Someone else's token was not revoked by the refused call.
    assert anon.post("/auth/refresh", {"refresh_token": others}, format="json").status_code == 200
    assert_error(
        client.post("/auth/logout", {}, format="json"),
        422,
        "VALIDATION_ERROR",
        field="refresh_token",
    )


def test_password_change_revokes_every_refresh_token(anon):
    user = UserFactory()
    first = login(anon, user.email).json()
    second = login(anon, user.email).json()
    client = authed_client(user)
    response = client.post(
        "/auth/password",
        {"current_password": DEFAULT_PASSWORD, "new_password": "brand-new-Secret-9"},
        format="json",
    )
    assert response.status_code == 204
    for pair in (first, second):
        refused = anon.post(
            "/auth/refresh", {"refresh_token": pair["refresh_token"]}, format="json"
        )
        assert_error(refused, 401, "UNAUTHORIZED", "Invalid or expired refresh token")
    assert_error(login(anon, user.email), 401, "UNAUTHORIZED")
    assert login(anon, user.email, "brand-new-Secret-9").status_code == 200
    assert OutstandingToken.objects.filter(user=user, blacklistedtoken__isnull=True).count() == 1


def test_password_change_errors(anon):
    user = UserFactory()
    client = authed_client(user)
    wrong = client.post(
        "/auth/password",
        {"current_password": "nope-nope", "new_password": "brand-new-Secret-9"},
        format="json",
    )
    assert_error(
        wrong, 422, "VALIDATION_ERROR", "Current password is incorrect", field="current_password"
    )
    weak = client.post(
        "/auth/password",
        {"current_password": DEFAULT_PASSWORD, "new_password": "password"},
        format="json",
    )
    assert_error(weak, 422, "VALIDATION_ERROR", field="new_password")
    assert_error(anon.post("/auth/password", {}, format="json"), 401, "UNAUTHORIZED")
    user.refresh_from_db()
    assert user.check_password(DEFAULT_PASSWORD)


# --- /me ------------------------------------------------------------------------------------


def test_me_without_teams(anon):
    user = UserFactory(display_name="Solo")
    body = authed_client(user).get("/me").json()
    assert body == {
        "user": {"id": str(user.id), "email": user.email, "name": "Solo"},
        "primary_team": None,
    }
    assert authed_client(user).get("/me/teams").json() == {"items": []}


def test_me_primary_team_is_oldest_membership():
    user = UserFactory()
    now = datetime.datetime.now(datetime.UTC)
    newer, older = TeamFactory(name="Newer"), TeamFactory(name="Older")
    MembershipFactory(team=newer, user=user, role="MEMBER", section="Alto", created_at=now)
    MembershipFactory(
        team=older,
        user=user,
        role="SECTION_LEADER",
        section="Bass",
        created_at=now - datetime.timedelta(days=3),
    )
    client = authed_client(user)
    me = client.get("/me").json()
    assert me["primary_team"] == {
        "team_id": str(older.id),
        "role": "SECTION_LEADER",
        "section": "Bass",
    }
    items = client.get("/me/teams").json()["items"]
    assert [item["team_name"] for item in items] == ["Older", "Newer"]
    assert items[0] == {
        "team_id": str(older.id),
        "team_name": "Older",
        "role": "SECTION_LEADER",
        "section": "Bass",
        "joined_at": items[0]["joined_at"],
    }
    assert items[0]["joined_at"].endswith("Z")


def test_an_access_token_used_before_is_still_refused_once_it_expires(anon):
    # The process remembers tokens it has verified; expiry is checked again on every use.
    user = UserFactory()
    access = login(anon, user.email).json()["access_token"]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    assert client.get("/me").status_code == 200
    expires = jwt.decode(access, options={"verify_signature": False})["exp"]
    later = datetime.datetime.fromtimestamp(expires + 1, tz=datetime.UTC)
    with time_machine.travel(later, tick=False):
        assert_error(client.get("/me"), 401, "UNAUTHORIZED", "Invalid or expired token")
    # And a deactivated user's remembered token is refused at once.
    other = UserFactory()
    client.credentials(
        HTTP_AUTHORIZATION=f"Bearer {login(anon, other.email).json()['access_token']}"
    )
    assert client.get("/me").status_code == 200
    User.objects.filter(pk=other.pk).update(is_active=False)
    assert_error(client.get("/me"), 401, "UNAUTHORIZED", "User not found")
