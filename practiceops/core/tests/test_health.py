"""GET /health (spec/api.md and operations.md → Health)."""

import json
import socket
import time
import urllib.error
import urllib.request

import pytest

from practiceops.testing import live_server


def _get(url, headers=None):
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


@pytest.mark.django_db
def test_health_ok(anon):
    response = anon.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "db": "ok", "cache": "ok", "broker": "ok"}


@pytest.mark.django_db
def test_health_refuses_other_methods(anon):
    assert anon.post("/health").status_code == 405


def test_database_refusing_connections_gives_503_quickly(tmp_path):
    """A database on a closed port: health and the API answer 503 in the envelope, fast."""
    with live_server(DATABASE_URL="postgres://postgres@127.0.0.1:1/nowhere") as base:
        started = time.monotonic()
        status, body = _get(f"{base}/health")
        assert time.monotonic() - started < 2
        assert status == 503
        assert body == {"status": "degraded", "db": "error", "cache": "ok", "broker": "ok"}
        import jwt
        from django.conf import settings

        from accounts.services import token_pair_for_user  # noqa: F401  (token minted below)

        now = int(time.time())
        token = jwt.encode(
            {
                "sub": "6f1c0e9e-8d3f-4a55-9a43-6f1b1b0f0a11",
                "type": "access",
                "iat": now,
                "exp": now + 60,
                "jti": "j" * 32,
            },
            settings.JWT_SECRET_KEY,
            algorithm="HS256",
        )
        started = time.monotonic()
        status, body = _get(f"{base}/me", {"Authorization": f"Bearer {token}"})
        assert time.monotonic() - started < 2
        assert status == 503
        assert body["error"]["code"] == "SERVICE_UNAVAILABLE"
        assert set(body["error"]) == {"code", "message", "field", "request_id"}


def test_database_that_hangs_still_answers_within_a_second():
    """A peer that accepts TCP but never speaks: the check times out, health answers in < 1 s."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(16)
        port = silent.getsockname()[1]
        with live_server(DATABASE_URL=f"postgres://postgres@127.0.0.1:{port}/hang") as base:
            started = time.monotonic()
            status, body = _get(f"{base}/health")
            elapsed = time.monotonic() - started
    assert status == 503
    assert body["db"] == "error"
    assert elapsed < 1.5


@pytest.mark.django_db
def test_cache_down_is_degraded_but_200(anon, settings):
    from django.core.cache import caches

    dead = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    settings.CACHES = dead
    try:
        del caches["default"]
    except (AttributeError, KeyError):
        pass
    try:
        started = time.monotonic()
        response = anon.get("/health")
        assert time.monotonic() - started < 1.5
    finally:
        try:
            del caches["default"]
        except (AttributeError, KeyError):
            pass
    assert response.status_code == 200
    assert response.json() == {"status": "degraded", "db": "ok", "cache": "error", "broker": "ok"}


@pytest.mark.django_db
def test_broker_down_is_degraded_but_200(anon, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    from practiceops.celery import app

    old = app.conf.broker_url
    app.conf.broker_url = "redis://127.0.0.1:1/0"
    try:
        started = time.monotonic()
        response = anon.get("/health")
        assert time.monotonic() - started < 1.5
    finally:
        app.conf.broker_url = old
    assert response.status_code == 200
    assert response.json()["broker"] == "error"
    assert response.json()["status"] == "degraded"


@pytest.mark.django_db
def test_health_reuses_its_connections_and_starts_no_thread(anon, monkeypatch, settings):
    """The floor's cost: the request's own database connection, one pooled Redis connection
    reused across calls, and no thread per call."""
    import threading

    from django.db import connection

    from practiceops.core import health

    started = []
    original_start = threading.Thread.start

    def recording_start(self):
        started.append(self.name)
        return original_start(self)

    monkeypatch.setattr(threading.Thread, "start", recording_start)
    connection.ensure_connection()
    raw = connection.connection
    for _ in range(3):
        assert anon.get("/health").json()["db"] == "ok"
        assert connection.connection is raw
    assert started == []

    if settings.CACHES["default"]["BACKEND"].endswith("RedisCache"):
        settings.CELERY_TASK_ALWAYS_EAGER = False
        from practiceops.celery import app

        monkeypatch.setattr(app.conf, "broker_url", settings.CACHES["default"]["LOCATION"])
        for _ in range(3):
            assert health.run_checks() == {"db": "ok", "cache": "ok", "broker": "ok"}
        pool = health._redis_client(settings.CACHES["default"]["LOCATION"]).connection_pool
        # Cache and broker on the same Redis: one client, one connection, kept.
        assert len(pool._available_connections) + len(pool._in_use_connections) == 1
    assert started == []
