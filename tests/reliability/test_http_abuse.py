"""Hostile clients at the HTTP layer (OWASP API Top 10, 2023): API2 broken authentication,
API4 unrestricted resource consumption, API8 security misconfiguration.

Login must not tell a wrong password from an unknown e-mail (message or time), forged tokens
are refused, oversized bodies and page sizes are refused before any work, CORS answers only
the configured origins, and every response carries the headers a browser needs.
"""

from __future__ import annotations

import base64
import json
import os
import re
import statistics
import subprocess
import sys
import time

import jwt
import pytest
from django.conf import settings
from django.test import override_settings

from accounts import services as account_services
from conftest import assert_error
from practiceops.testing import BASE_DIR
from tests.reliability.world import PASSWORD, build_team, client_for

pytestmark = pytest.mark.django_db


# --- API2: broken authentication -------------------------------------------------------------


@override_settings(PASSWORD_HASHERS=["accounts.hashers.TunedArgon2PasswordHasher"])
def test_login_unknown_email_and_wrong_password_alike_in_message_and_time(
    anon, settings, monkeypatch
):
    """Measured with the production hasher: a fast test hasher would hide any difference."""
    settings.AUTH_RATE_LIMIT = "100000/m"
    # The dummy hash is computed once per process with the hasher in force then.
    monkeypatch.setattr(account_services, "_DUMMY_HASH", None)
    from accounts.tests.factories import UserFactory

    user = UserFactory(email="known@example.com")
    user.set_password(PASSWORD)
    user.save()
    assert user.password.startswith("argon2$")

    def attempt(email: str) -> tuple[float, dict]:
        started = time.perf_counter()
        response = anon.post(
            "/auth/login", {"email": email, "password": "not-the-password"}, format="json"
        )
        elapsed = time.perf_counter() - started
        error = assert_error(response, 401, "UNAUTHORIZED", "Invalid email or password")
        return elapsed, {k: v for k, v in error.items() if k != "request_id"}

    attempt("known@example.com")
    attempt("warm-up@example.com")
    known, unknown = [], []
    for index in range(15):
        # Interleaved, so that a burst of load on the machine hits both series alike.
        t1, body1 = attempt("known@example.com")
        t2, body2 = attempt(f"nobody{index}@example.com")
        assert body1 == body2
        known.append(t1)
        unknown.append(t2)
    ratio = statistics.median(unknown) / statistics.median(known)
    print(
        f"\nlogin medians: wrong password {statistics.median(known) * 1000:.1f} ms, "
        f"unknown e-mail {statistics.median(unknown) * 1000:.1f} ms, ratio {ratio:.2f}"
    )
    assert 0.5 <= ratio <= 2.0


def _claims(user_id: str, **overrides) -> dict:
    now = int(time.time())
    claims = {"sub": user_id, "type": "access", "iat": now, "exp": now + 600, "jti": "r" * 32}
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not None}


@pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")
def test_token_forgeries_beyond_the_account_tests(anon):
    """accounts/tests covers alg none, wrong key, tampering, expiry, future iat and type."""
    world = build_team("Harmonia")
    user_id = str(world.member.id)
    key = settings.JWT_SECRET_KEY
    good = jwt.encode(_claims(user_id), key, algorithm="HS256")
    assert anon.get("/me", HTTP_AUTHORIZATION=f"Bearer {good}").status_code == 200
    header, payload, _signature = good.split(".")
    cases = {
        # The right key under another HMAC algorithm: only HS256 is accepted.
        "HS512 with the right key": jwt.encode(_claims(user_id), key, algorithm="HS512"),
        "signed with DJANGO_SECRET_KEY": jwt.encode(
            _claims(user_id), settings.SECRET_KEY, algorithm="HS256"
        ),
        "no exp": jwt.encode(_claims(user_id, exp=None), key, algorithm="HS256"),
        "no sub": jwt.encode(_claims(user_id, sub=None), key, algorithm="HS256"),
        "sub of a user that never existed": jwt.encode(
            _claims("6f1c0e9e-8d3f-4a55-9a43-6f1b1b0f0a11"), key, algorithm="HS256"
        ),
        "alg None spelled differently": ".".join(
            [
                _b64(json.dumps({"alg": "None", "typ": "JWT"})),
                payload,
                "",
            ]
        ),
        "signature stripped": f"{header}.{payload}.",
        "empty token": "",
        "huge token": "a" * 8000,
    }
    for name, token in cases.items():
        response = anon.get("/me", HTTP_AUTHORIZATION=f"Bearer {token}")
        assert response.status_code == 401, (name, response.content)
        assert_error(response, 401, "UNAUTHORIZED")


def _b64(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).rstrip(b"=").decode()


# --- API4: unrestricted resource consumption --------------------------------------------------


def test_bodies_over_the_size_limit_are_413_everywhere(anon):
    world = build_team("Harmonia")
    client = client_for(world.admin)
    big = json.dumps({"title": "x" * (settings.MAX_BODY_BYTES + 1), "content": "y"})
    ids = world.ids
    targets = [
        (anon, "POST", "/auth/login"),
        (anon, "POST", "/auth/register"),
        (anon, "POST", f"/invites/{world.invite_token}/accept"),
        (client, "POST", "/teams"),
        (client, "PATCH", f"/teams/{ids['team_id']}"),
        (client, "POST", f"/cycles/{ids['cycle_id']}/tickets"),
        (client, "PATCH", f"/tickets/{ids['ticket_id']}"),
        (client, "POST", f"/tickets/{ids['ticket_id']}/comments"),
        (client, "POST", f"/cycles/{ids['cycle_id']}/practice-logs"),
        (client, "POST", f"/cycles/{ids['cycle_id']}/assignments"),
    ]
    before = _row_counts()
    for caller, method, path in targets:
        response = caller.generic(method, path, big, content_type="application/json")
        error = assert_error(response, 413, "PAYLOAD_TOO_LARGE")
        assert str(settings.MAX_BODY_BYTES) in error["message"], path
        assert response["X-Content-Type-Options"] == "nosniff", path
    assert _row_counts() == before


def _row_counts() -> dict[str, int]:
    from accounts.models import User
    from practice.models import Assignment, PracticeLog
    from teams.models import Team
    from tickets.models import Ticket, TicketActivity

    models = (User, Team, Ticket, TicketActivity, PracticeLog, Assignment)
    return {model.__name__: model.objects.count() for model in models}


def _paginated_operations(schema: dict) -> list[str]:
    found = []
    for path, item in schema["paths"].items():
        operation = item.get("get")
        if operation and any(p["name"] == "limit" for p in operation.get("parameters", [])):
            found.append(path)
    return found


def test_every_paginated_list_refuses_page_sizes_over_100(anon):
    world = build_team("Harmonia", staff_admin=True)
    client = client_for(world.admin)
    paths = _paginated_operations(anon.get("/openapi.json").json())
    assert len(paths) >= 9, paths
    values = world.ids | {"log_id": world.ids["practice_log_id"]}
    for template in paths:
        path = re.sub(r"\{(\w+)\}", lambda m: values[m.group(1)], template)
        assert client.get(path, {"limit": 100}).status_code == 200, path
        for limit in ("101", "1000000", "0", "-1", "ten", "1e2", ""):
            response = client.get(path, {"limit": limit})
            if limit == "":
                # An empty value is the same as no value: the default page size.
                assert response.status_code in (200, 422), path
                continue
            assert response.status_code == 422, (path, limit, response.content[:200])
            assert_error(response, 422, "VALIDATION_ERROR", field="limit")
        response = client.get(path, {"cursor": "not-a-cursor!"})
        assert_error(response, 422, "VALIDATION_ERROR", field="cursor")


# --- API8: security misconfiguration ----------------------------------------------------------

ALLOWED_ORIGIN = "http://localhost:5173"
EVIL_ORIGIN = "https://evil.example.com"


def test_cors_answers_only_the_configured_origins(anon):
    assert ALLOWED_ORIGIN in settings.CORS_ALLOWED_ORIGINS
    assert EVIL_ORIGIN not in settings.CORS_ALLOWED_ORIGINS
    world = build_team("Harmonia")
    for path, method in (("/auth/login", "POST"), (f"/tickets/{world.ids['ticket_id']}", "PATCH")):
        allowed = anon.options(
            path,
            HTTP_ORIGIN=ALLOWED_ORIGIN,
            HTTP_ACCESS_CONTROL_REQUEST_METHOD=method,
            HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization,content-type",
        )
        assert allowed.status_code == 200
        assert allowed["Access-Control-Allow-Origin"] == ALLOWED_ORIGIN
        assert "authorization" in allowed["Access-Control-Allow-Headers"].lower()
        assert method in allowed["Access-Control-Allow-Methods"]
        refused = anon.options(
            path,
            HTTP_ORIGIN=EVIL_ORIGIN,
            HTTP_ACCESS_CONTROL_REQUEST_METHOD=method,
            HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization,content-type",
        )
        assert "Access-Control-Allow-Origin" not in refused
        assert "Access-Control-Allow-Credentials" not in refused
    # A simple (non-preflight) request from a page on another origin: no CORS grant either.
    response = client_for(world.member).get("/me", HTTP_ORIGIN=EVIL_ORIGIN)
    assert response.status_code == 200
    assert "Access-Control-Allow-Origin" not in response
    # A refused oversized body still lets the allowed front end read the envelope.
    response = anon.generic(
        "POST",
        "/auth/login",
        "x" * (settings.MAX_BODY_BYTES + 1),
        content_type="application/json",
        HTTP_ORIGIN=ALLOWED_ORIGIN,
    )
    assert response.status_code == 413
    assert response["Access-Control-Allow-Origin"] == ALLOWED_ORIGIN
    # Near misses of an allowed origin are other origins.
    for near in (
        "http://localhost:5174",
        "https://localhost:5173",
        "http://localhost:5173.evil.io",
    ):
        response = anon.options(
            "/auth/login", HTTP_ORIGIN=near, HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST"
        )
        assert "Access-Control-Allow-Origin" not in response, near


def test_every_kind_of_response_carries_the_security_headers(anon, settings):
    world = build_team("Harmonia")
    member = client_for(world.member)
    admin = client_for(world.admin)
    ids = world.ids
    responses = {
        "json 200": member.get("/me"),
        "json 201": member.post("/teams", {"name": "New"}, format="json"),
        "401": anon.get("/me"),
        "403": member.get(f"/teams/{ids['team_id']}/members"),
        "404": anon.get("/no/such/route"),
        "405": anon.get("/auth/login"),
        "415": anon.post("/auth/login", "a=b", content_type="application/x-www-form-urlencoded"),
        "422": member.get(f"/teams/{ids['team_id']}/tickets", {"limit": 101}),
        "413": anon.generic(
            "POST",
            "/auth/login",
            "x" * (settings.MAX_BODY_BYTES + 1),
            content_type="application/json",
        ),
        "csv": admin.get(f"/teams/{ids['team_id']}/practice-logs.csv"),
        "ics": anon.get(
            f"/teams/{ids['team_id']}/calendar.ics",
            {"token": world.calendar_token},
        ),
        "openapi": anon.get("/openapi.json"),
        "docs": anon.get("/docs"),
        "health": anon.get("/health"),
    }
    for name, response in responses.items():
        assert response.status_code < 500, name
        assert response["X-Content-Type-Options"] == "nosniff", name
        assert response["X-Request-ID"], name
        assert "Server" not in response or "Django" not in response["Server"], name
    assert responses["docs"]["X-Frame-Options"] == "DENY"
    assert responses["csv"]["Content-Type"].startswith("text/csv")
    assert responses["ics"]["Content-Type"].startswith("text/calendar")


def test_production_settings_turn_on_hsts_and_secure_cookies():
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SECURE_", "PYTEST"))}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "practiceops.settings.base",
            "DEBUG": "false",
            "JWT_SECRET_KEY": "j" * 40,
            "DJANGO_SECRET_KEY": "d" * 60,
            "DATABASE_URL": "sqlite:///:memory:",
        }
    )
    code = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "print(json.dumps({k: getattr(s, k, None) for k in ("
        "'DEBUG', 'SECURE_HSTS_SECONDS', 'SECURE_HSTS_INCLUDE_SUBDOMAINS', 'SECURE_HSTS_PRELOAD', "
        "'SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', 'SECURE_SSL_REDIRECT', "
        "'SECURE_CONTENT_TYPE_NOSNIFF', 'SESSION_COOKIE_HTTPONLY', 'X_FRAME_OPTIONS', "
        "'CORS_ALLOW_ALL_ORIGINS')}))"
    )
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values["DEBUG"] is False
    assert values["SECURE_HSTS_SECONDS"] >= 31536000
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["CSRF_COOKIE_SECURE"] is True
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_CONTENT_TYPE_NOSNIFF"] is True
    assert values["SESSION_COOKIE_HTTPONLY"] is True
    assert values["X_FRAME_OPTIONS"] == "DENY"
    assert not values["CORS_ALLOW_ALL_ORIGINS"]


@override_settings(
    SECURE_HSTS_SECONDS=31536000,
    SECURE_HSTS_INCLUDE_SUBDOMAINS=True,
    SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"),
)
def test_hsts_header_is_sent_over_https(anon):
    response = anon.get("/health", HTTP_X_FORWARDED_PROTO="https")
    assert response["Strict-Transport-Security"].startswith("max-age=31536000; includeSubDomains")
    # Never over plain HTTP (browsers ignore it there and it must not pin a dev host).
    assert "Strict-Transport-Security" not in anon.get("/health")


@pytest.mark.django_db(transaction=True)
def test_request_lines_and_headers_over_the_servers_limits_answer_the_envelope(
    require_postgres, tmp_path
):
    """gunicorn refuses these before Django runs; its worker answers in the envelope too."""
    import http.client

    from practiceops.testing import live_server

    with live_server(log_path=tmp_path / "server.log") as base:
        host, port = base.removeprefix("http://").split(":")
        for name, path, headers in (
            ("request line", "/me?cursor=" + "x" * 6000, {}),
            ("header field", "/me", {"X-Filler": "y" * 9000}),
            ("header count", "/me", {f"X-Filler-{i}": "y" for i in range(120)}),
        ):
            connection = http.client.HTTPConnection(host, int(port), timeout=10)
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            body = json.loads(response.read())
            connection.close()
            assert response.status == 422, name
            assert response.getheader("Content-Type") == "application/json", name
            assert response.getheader("X-Content-Type-Options") == "nosniff"
            assert set(body["error"]) == {"code", "message", "field", "request_id"}
            assert body["error"]["code"] == "VALIDATION_ERROR"
            assert body["error"]["request_id"] == response.getheader("X-Request-ID")
