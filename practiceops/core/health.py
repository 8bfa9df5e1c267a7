"""GET /health: db, cache and broker checks, each bounded well under a second."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connections
from django.http import JsonResponse
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import (
    api_view,
    authentication_classes,
    content_negotiation_class,
    permission_classes,
)
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.permissions import AllowAny
from rest_framework.request import Request

CHECK_TIMEOUT_SECONDS = 0.8
CHECKS = ("db", "cache", "broker")


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
    return {name: results.get(name, "error") for name in CHECKS}


class _AnyAccept(BaseContentNegotiation):
    """A load balancer's probe may send any Accept header: the answer is JSON regardless."""

    def select_parser(self, request: Any, parsers: list) -> Any:
        return parsers[0] if parsers else None

    def select_renderer(self, request: Any, renderers: list, format_suffix: Any = None) -> tuple:
        return renderers[0], renderers[0].media_type


HealthOutput = inline_serializer(
    "Health",
    {
        "status": serializers.ChoiceField(choices=["ok", "degraded"]),
        **{name: serializers.ChoiceField(choices=["ok", "error"]) for name in CHECKS},
    },
)


# A DRF view (no authentication, no database query of its own) so that it is in the schema and a
# wrong method is the 405 envelope; the body is a plain JsonResponse.
@extend_schema(
    responses={200: HealthOutput, 503: HealthOutput},
    auth=[],
    description=(
        "`status` is `degraded` when any check is `error`; the HTTP status is 503 only when the "
        "database is unreachable. Answers within a second even when a dependency hangs."
    ),
)
@api_view(["GET"])
@authentication_classes([])
@permission_classes([AllowAny])
@content_negotiation_class(_AnyAccept)
def health(request: Request) -> JsonResponse:
    checks = run_checks()
    overall = "ok" if all(value == "ok" for value in checks.values()) else "degraded"
    # Only a dead database makes this instance unable to serve; a load balancer must not pull
    # every instance because Redis is down.
    status = 503 if checks["db"] == "error" else 200
    return JsonResponse({"status": overall, **checks}, status=status)
