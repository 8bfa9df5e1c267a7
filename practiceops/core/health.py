"""GET /health: db, cache and broker checks, each bounded well under a second."""

from __future__ import annotations

import threading
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.db import connections
from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET

CHECK_TIMEOUT_SECONDS = 0.8


def _check_db() -> None:
    connection = connections["default"]
    try:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SET statement_timeout = 500")
            cursor.execute("SELECT 1")
            if connection.vendor == "postgresql":
                cursor.execute("SET statement_timeout = 0")
    finally:
        # The check runs in its own thread: its connection must not outlive it.
        connection.close()


def _check_cache() -> None:
    backend = settings.CACHES["default"]["BACKEND"]
    if backend.endswith("RedisCache"):
        cache._cache.get_client(write=True).ping()  # noqa: SLF001 - the public API has no ping
    else:
        cache.set("health:ping", "1", 5)


def _check_broker() -> None:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return
    from practiceops.celery import app

    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=CHECK_TIMEOUT_SECONDS)


def _run_with_timeout(check: Callable[[], None]) -> str:
    outcome: dict[str, str] = {}

    def target() -> None:
        try:
            check()
            outcome["status"] = "ok"
        except Exception:  # noqa: BLE001 - any failure of a dependency is "error"
            outcome["status"] = "error"

    # A daemon thread so that a dependency that hangs cannot hold the answer past the timeout.
    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(CHECK_TIMEOUT_SECONDS)
    return outcome.get("status", "error")


def run_checks() -> dict[str, str]:
    results: dict[str, str] = {}
    threads = []
    for name, check in (("db", _check_db), ("cache", _check_cache), ("broker", _check_broker)):

        def runner(name: str = name, check: Callable[[], None] = check) -> None:
            results[name] = _run_with_timeout(check)

        thread = threading.Thread(target=runner, daemon=True)
        thread.start()
        threads.append(thread)
    for thread in threads:
        thread.join(CHECK_TIMEOUT_SECONDS + 0.1)
    return {name: results.get(name, "error") for name in ("db", "cache", "broker")}


@require_GET
def health(request: HttpRequest) -> JsonResponse:
    checks = run_checks()
    overall = "ok" if all(value == "ok" for value in checks.values()) else "degraded"
    # Only a dead database makes this instance unable to serve; a load balancer must not pull
    # every instance because Redis is down.
    status = 503 if checks["db"] == "error" else 200
    return JsonResponse({"status": overall, **checks}, status=status)
