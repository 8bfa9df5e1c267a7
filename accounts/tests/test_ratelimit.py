"""Rate limiting on the auth endpoints (spec/operations.md → Rate limiting)."""

import json
import logging
import urllib.error
import urllib.request

import pytest
from django.core.cache import caches
from django.test import override_settings

from accounts.tests.factories import DEFAULT_PASSWORD, UserFactory
from conftest import assert_error
from practiceops.testing import live_server

pytestmark = pytest.mark.django_db


def _events(caplog, name):
    return [r.msg for r in caplog.records if isinstance(r.msg, dict) and r.msg.get("event") == name]


def test_login_limited_per_ip_with_retry_after(anon, caplog, settings):
    settings.AUTH_RATE_LIMIT = "3/m"
    UserFactory(email="a@example.com")
    for _ in range(3):
        assert (
            anon.post(
                "/auth/login", {"email": "a@example.com", "password": "wrong"}, format="json"
            ).status_code
            == 401
        )
    caplog.set_level(logging.WARNING)
    response = anon.post(
        "/auth/login", {"email": "a@example.com", "password": DEFAULT_PASSWORD}, format="json"
    )
    assert_error(response, 429, "RATE_LIMITED", field=None)
    assert 1 <= int(response["Retry-After"]) <= 60
    event = _events(caplog, "rate_limit_exceeded")[0]
    assert (
        event["client_ip"] == "127.0.0.1"
        and event["path"] == "/auth/login"
        and event["limit"] == "3/m"
    )


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/auth/register", {"email": "x@example.com", "name": "X", "password": "short"}),
        ("/auth/refresh", {"refresh_token": "garbage"}),
        ("/invites/does-not-exist/accept", {}),
    ],
)
def test_public_auth_endpoints_limited_per_ip(anon, settings, path, body):
    settings.AUTH_RATE_LIMIT = "2/m"
    for _ in range(2):
        assert anon.post(path, body, format="json").status_code != 429
    assert_error(anon.post(path, body, format="json"), 429, "RATE_LIMITED")


def test_password_change_limited(admin, settings):
    settings.AUTH_RATE_LIMIT = "2/m"
    body = {"current_password": "wrong-one", "new_password": "another-Secret-1"}
    for _ in range(2):
        assert admin.client.post("/auth/password", body, format="json").status_code == 422
    assert_error(admin.client.post("/auth/password", body, format="json"), 429, "RATE_LIMITED")


def test_login_limited_per_email_across_ips(anon, settings):
    """Credential stuffing from many addresses still hits the per-e-mail limit."""
    settings.AUTH_RATE_LIMIT = "3/m"
    settings.TRUSTED_PROXY_COUNT = 1
    UserFactory(email="victim@example.com")
    for n in range(3):
        response = anon.post(
            "/auth/login",
            {"email": "victim@example.com", "password": "guess"},
            format="json",
            HTTP_X_FORWARDED_FOR=f"10.0.0.{n}",
        )
        assert response.status_code == 401
    response = anon.post(
        "/auth/login",
        {"email": "VICTIM@example.com", "password": "guess"},
        format="json",
        HTTP_X_FORWARDED_FOR="10.0.0.99",
    )
    assert_error(response, 429, "RATE_LIMITED")
    # Another address from the same IPs is not affected by the victim's bucket.
    other = anon.post(
        "/auth/login",
        {"email": "other@example.com", "password": "x"},
        format="json",
        HTTP_X_FORWARDED_FOR="10.0.0.98",
    )
    assert other.status_code == 401


def test_forwarded_for_ignored_unless_proxies_trusted(anon, settings):
    settings.AUTH_RATE_LIMIT = "2/m"
    settings.TRUSTED_PROXY_COUNT = 0
    for n in range(2):
        anon.post(
            "/auth/refresh",
            {"refresh_token": "x"},
            format="json",
            HTTP_X_FORWARDED_FOR=f"1.2.3.{n}",
        )
    # Spoofing a new X-Forwarded-For does not reset the limit.
    response = anon.post(
        "/auth/refresh", {"refresh_token": "x"}, format="json", HTTP_X_FORWARDED_FOR="9.9.9.9"
    )
    assert_error(response, 429, "RATE_LIMITED")


def test_fails_open_when_cache_is_down(anon, caplog, settings):
    settings.AUTH_RATE_LIMIT = "1/m"
    dead = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    UserFactory(email="a@example.com")
    caplog.set_level(logging.WARNING)
    with override_settings(CACHES=dead):
        caches._settings = caches.settings = dead  # noqa: SLF001
        try:
            del caches["default"]
        except (AttributeError, KeyError):
            pass
        try:
            for _ in range(3):
                response = anon.post(
                    "/auth/login",
                    {"email": "a@example.com", "password": DEFAULT_PASSWORD},
                    format="json",
                )
                assert response.status_code == 200
        finally:
            try:
                del caches["default"]
            except (AttributeError, KeyError):
                pass
    assert _events(caplog, "rate_limit_backend_unavailable")


def _post(url, body):
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


@pytest.mark.services
def test_limit_holds_across_two_server_processes_sharing_redis(redis_url, tmp_path):
    """Two gunicorn processes count in one Redis: the limit is per client, not per process."""
    env = {
        "REDIS_URL": redis_url,
        "AUTH_RATE_LIMIT": "5/m",
        "CACHE_KEY_PREFIX": f"rl-test-{tmp_path.name}",
    }
    body = {
        "email": "someone@example.com",
        "name": "S",
        "password": "short",
    }  # refused after counting
    with live_server(**env) as first, live_server(**env) as second:
        statuses = [_post(f"{(first, second)[n % 2]}/auth/register", body) for n in range(8)]
    assert statuses[:5] == [422] * 5
    assert statuses[5:] == [429] * 3
