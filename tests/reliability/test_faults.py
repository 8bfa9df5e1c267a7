"""Lost dependencies against a live server: the API degrades, answers fast, and recovers.

The server reaches PostgreSQL and Redis through a TCP proxy that the test cuts and restores
(the machine's own services stay up). Every request carries a client timeout, so a hang fails
the test instead of stalling the suite.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings

from practiceops.testing import database_url_for_current_test_db, live_server
from tests.reliability.proxy import tcp_proxy
from tests.reliability.world import PASSWORD, broker_url_for_tests, build_team, tokens

pytestmark = pytest.mark.django_db(transaction=True)

# The contract: an outage is answered, in the envelope, within this many seconds.
ANSWER_WITHIN = 2.0


@dataclass
class Answer:
    status: int
    body: dict
    elapsed: float
    headers: dict[str, str]


def call(base: str, method: str, path: str, *, token: str | None = None, body=None) -> Answer:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(f"{base}{path}", data=data, method=method)  # noqa: S310
    if data is not None:
        request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=15) as response:  # noqa: S310
            status, raw, headers = response.status, response.read(), dict(response.headers)
    except urllib.error.HTTPError as exc:
        status, raw, headers = exc.code, exc.read(), dict(exc.headers)
    elapsed = time.monotonic() - started
    return Answer(status, json.loads(raw) if raw else {}, elapsed, headers)


SLOWEST: dict[str, float] = {}


def note(label: str, answer: Answer) -> None:
    """Keep the slowest answer per fault, printed for the README's figures (pytest -s)."""
    if answer.elapsed > SLOWEST.get(label, 0.0):
        SLOWEST[label] = answer.elapsed
        print(f"\nslowest answer under {label}: {answer.status} in {answer.elapsed:.2f} s")


def assert_unavailable(answer: Answer, label: str = "an outage") -> None:
    note(label, answer)
    assert answer.status == 503, answer
    assert set(answer.body) == {"error"}, answer.body
    assert answer.body["error"]["code"] == "SERVICE_UNAVAILABLE"
    assert answer.body["error"]["request_id"] == answer.headers.get("X-Request-ID")
    assert answer.elapsed < ANSWER_WITHIN, answer.elapsed


def log_events(path: Path) -> list[dict]:
    events = []
    for line in path.read_text(errors="replace").splitlines():
        if line.startswith("{"):
            try:
                events.append(json.loads(line))
            except ValueError:
                continue
    return events


def _proxied_database_url(port: int) -> str:
    db = settings.DATABASES["default"]
    original = database_url_for_current_test_db()
    host_port = f"{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}"
    return original.replace(f"@{host_port}/", f"@127.0.0.1:{port}/")


# --- PostgreSQL ---------------------------------------------------------------------------------


@pytest.mark.parametrize("pool", ["persistent connections", "connection pool"])
def test_database_outage_is_503_fast_and_recovers_without_restart(require_postgres, tmp_path, pool):
    world = build_team("Harmonia", live=True)
    token = tokens(world)["member"]
    team_id = world.ids["team_id"]
    db = settings.DATABASES["default"]
    env = {"DATABASE_POOL_SIZE": "2" if pool == "connection pool" else "0"}
    with tcp_proxy(db.get("HOST") or "127.0.0.1", int(db.get("PORT") or 5432)) as proxy:
        with live_server(
            workers=2,
            log_path=tmp_path / "server.log",
            DATABASE_URL=_proxied_database_url(proxy.port),
            AUTH_RATE_LIMIT="100000/m",
            **env,
        ) as base:
            # Warm both workers' connections, so the cut has live connections to break.
            for _ in range(4):
                assert call(base, "GET", "/me", token=token).status == 200
            assert call(base, "GET", "/health").body["db"] == "ok"

            proxy.cut()
            cut_at = time.monotonic()
            for _ in range(2):
                label = f"database cut ({pool})"
                assert_unavailable(call(base, "GET", "/me", token=token), label)
                assert_unavailable(
                    call(base, "POST", f"/teams/{team_id}/cycles", token=token, body={}), label
                )
                assert_unavailable(
                    call(
                        base,
                        "POST",
                        "/auth/login",
                        body={"email": world.member.email, "password": PASSWORD},
                    ),
                    label,
                )
            health = call(base, "GET", "/health")
            assert health.status == 503 and health.body["db"] == "error"
            assert health.elapsed < ANSWER_WITHIN

            # An outage longer than a connection pool's first reconnection back-offs (1 s,
            # then 2 s): a pool that backs off keeps answering 503 after the database is back.
            while time.monotonic() < cut_at + 5:
                assert call(base, "GET", "/me", token=token).status == 503
                time.sleep(0.3)

            proxy.restore()
            restored = time.monotonic()
            # No restart: requests on every worker are served again at once.
            answers = [call(base, "GET", "/me", token=token) for _ in range(6)]
            print(
                f"after restore ({pool}): {[a.status for a in answers]} "
                f"in {time.monotonic() - restored:.1f} s"
            )
            assert [a.status for a in answers] == [200] * 6
            assert call(base, "GET", "/health").status == 200
            login = call(
                base,
                "POST",
                "/auth/login",
                body={"email": world.member.email, "password": PASSWORD},
            )
            assert login.status == 200
    events = [e.get("event") for e in log_events(tmp_path / "server.log")]
    assert "database_unavailable" in events
    assert "unhandled_exception" not in events


# --- Redis --------------------------------------------------------------------------------------


def _redis_parts(url: str) -> tuple[str, int, str]:
    parsed = urllib.parse.urlparse(url)
    return parsed.hostname or "127.0.0.1", parsed.port or 6379, parsed.path or "/0"


@pytest.mark.parametrize("failure", ["refused", "hanging"])
def test_redis_outage_keeps_login_and_api_working(require_postgres, redis_url, tmp_path, failure):
    world = build_team("Harmonia", live=True)
    token = tokens(world)["member"]
    host, port, db_path = _redis_parts(redis_url)
    with tcp_proxy(host, port) as proxy:
        proxied = f"redis://127.0.0.1:{proxy.port}{db_path}"
        with live_server(
            log_path=tmp_path / "server.log",
            REDIS_URL=proxied,
            CELERY_BROKER_URL=proxied,
        ) as base:
            login_body = {"email": world.member.email, "password": PASSWORD}
            assert call(base, "POST", "/auth/login", body=login_body).status == 200
            assert call(base, "GET", "/health").body == {
                "status": "ok",
                "db": "ok",
                "cache": "ok",
                "broker": "ok",
            }

            proxy.cut() if failure == "refused" else proxy.blackhole()
            for _ in range(2):
                login = call(base, "POST", "/auth/login", body=login_body)
                assert login.status == 200, login
                note(f"Redis {failure}", login)
                assert login.elapsed < ANSWER_WITHIN
                me = call(base, "GET", "/me", token=login.body["access_token"])
                assert me.status == 200 and me.elapsed < ANSWER_WITHIN
                wrong = call(base, "POST", "/auth/login", body={**login_body, "password": "no"})
                assert wrong.status == 401
            health = call(base, "GET", "/health")
            assert health.status == 200
            assert health.body["cache"] == "error" and health.body["db"] == "ok"
            assert health.body["status"] == "degraded"
            assert health.elapsed < 1.5

            proxy.restore()
            assert call(base, "GET", "/health").body["cache"] == "ok"
            assert call(base, "POST", "/auth/login", body=login_body).status == 200
            assert call(base, "GET", "/me", token=token).status == 200
    events = [e.get("event") for e in log_events(tmp_path / "server.log")]
    assert "rate_limit_backend_unavailable" in events
    assert "unhandled_exception" not in events


# --- Celery broker ------------------------------------------------------------------------------


def test_broker_outage_on_a_manual_job_run_is_503_fast_and_nothing_half_written(
    require_postgres, redis_url, tmp_path
):
    from notifications.models import EmailDelivery, JobRun, JobStatus

    world = build_team("Harmonia", staff_admin=True, live=True)
    token = tokens(world)["admin"]
    broker = broker_url_for_tests(redis_url)
    host, port, db_path = _redis_parts(broker)
    with tcp_proxy(host, port) as proxy:
        with live_server(
            log_path=tmp_path / "server.log",
            REDIS_URL=redis_url,
            CELERY_BROKER_URL=f"redis://127.0.0.1:{proxy.port}{db_path}",
        ) as base:
            queued = call(base, "POST", "/admin/jobs/no_log_reminder/run", token=token)
            assert queued.status == 202, queued
            assert queued.body["run"]["status"] == "queued"

            for failure in ("refused", "hanging"):
                proxy.cut() if failure == "refused" else proxy.blackhole()
                answer = call(base, "POST", "/admin/jobs/no_log_reminder/run", token=token)
                assert_unavailable(answer, f"broker {failure}")
                assert answer.body["error"]["message"] == "Task queue unavailable"
                health = call(base, "GET", "/health")
                assert (health.status, health.body["broker"], health.body["db"]) == (
                    200,
                    "error",
                    "ok",
                )
                proxy.restore()

            again = call(base, "POST", "/admin/jobs/no_log_reminder/run", token=token)
            assert again.status == 202, again
    # The refused runs are on record as failed, not left "queued" for ever; nothing was sent
    # or decided on their behalf.
    runs = JobRun.objects.exclude(pk=world.ids["run_id"]).order_by("created_at")
    assert [run.status for run in runs] == [
        JobStatus.QUEUED,
        JobStatus.FAILURE,
        JobStatus.FAILURE,
        JobStatus.QUEUED,
    ]
    assert all("could not be queued" in run.error for run in runs if run.error)
    assert not EmailDelivery.objects.filter(job_run__isnull=False).exists()
    import redis

    redis.Redis.from_url(broker).flushdb()
