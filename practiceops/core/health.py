"""GET /health: db, cache and broker checks, each bounded well under a second.

At the cost of an ordinary request (README → Performance): no thread and no new connection
per call. The database is checked on the worker's own persistent connection, the cache and
the broker on Redis clients kept per process (each a connection pool), and every check is
bounded by a socket timeout instead of a thread that is given up on:

- **db**: ``SELECT 1`` sent on the open connection through libpq's asynchronous calls and
  awaited with ``select`` for at most ``DB_TIMEOUT_SECONDS`` (psycopg's own calls wait for
  ever on a silent peer, and its ``connect_timeout`` is two seconds at least). A connection
  that did not answer in time is closed, so the next request starts afresh. When the
  connection must first be opened, the server is asked, over a throwaway socket with the same
  bound, whether it speaks at all (PostgreSQL's 8-byte SSLRequest, answered at once with one
  byte): a silent peer is an error in half a second instead of a two-second connect.
- **cache** and **broker**: a ``PING`` with connect and read timeouts and no retries. When
  both live on the same Redis (the usual deployment), it is pinged once.
"""

from __future__ import annotations

import functools
import select
import socket
import struct
import time
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

CHECKS = ("db", "cache", "broker")
# Each check's bound; the worst case, db + cache + broker on two different Redis servers
# all hanging, stays under a second and a half (the fault tests' limit), one second otherwise.
DB_TIMEOUT_SECONDS = 0.5
REDIS_TIMEOUT_SECONDS = 0.4
# PostgreSQL's SSLRequest: length 8, code 80877103. Any live server answers one byte.
_SSL_REQUEST = struct.pack("!ii", 8, 80877103)


class CheckTimeout(Exception):
    pass


def _probe_postgres(settings_dict: dict[str, Any]) -> None:
    """Raises unless the PostgreSQL server answers within the bound (no connection made)."""
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = int(settings_dict.get("PORT") or 5432)
    if host.startswith("/"):
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(DB_TIMEOUT_SECONDS)
        sock.connect(f"{host}/.s.PGSQL.{port}")
    else:
        sock = socket.create_connection((host, port), timeout=DB_TIMEOUT_SECONDS)
    with sock:
        sock.sendall(_SSL_REQUEST)
        if sock.recv(1) not in (b"S", b"N"):
            raise ConnectionError("not a PostgreSQL server")


def _select_one(pgconn: Any) -> None:
    """``SELECT 1`` on a libpq connection, waiting at most DB_TIMEOUT_SECONDS for the answer."""
    from psycopg import pq

    deadline = time.monotonic() + DB_TIMEOUT_SECONDS
    pgconn.send_query(b"SELECT 1")
    while pgconn.flush():  # the query did not fit the socket buffer: wait to write the rest
        remaining = deadline - time.monotonic()
        if remaining <= 0 or not select.select([], [pgconn.socket], [], remaining)[1]:
            raise CheckTimeout
    while True:
        pgconn.consume_input()
        if not pgconn.is_busy():
            break
        remaining = deadline - time.monotonic()
        if remaining <= 0 or not select.select([pgconn.socket], [], [], remaining)[0]:
            raise CheckTimeout
    ok = True
    while (result := pgconn.get_result()) is not None:
        ok = ok and result.status == pq.ExecStatus.TUPLES_OK
    if not ok:
        raise ConnectionError("SELECT 1 failed")


def check_db() -> str:
    connection = connections["default"]
    try:
        if connection.vendor != "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
            return "ok"
        if connection.connection is None or connection.connection.closed:
            _probe_postgres(connection.settings_dict)
            connection.ensure_connection()
        _select_one(connection.connection.pgconn)
        return "ok"
    except Exception:  # noqa: BLE001 - any failure of the database is "error"
        # A connection that failed or fell silent is not handed to the next request.
        try:
            connection.close()
        except Exception:  # noqa: BLE001, S110 # nosec B110 - closing a dead connection
            pass
        return "error"


@functools.lru_cache(maxsize=8)
def _redis_client(url: str) -> Any:
    """A client (and its connection pool) per Redis URL, kept for the process's lifetime."""
    import redis
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    return redis.Redis.from_url(
        url,
        socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
        socket_timeout=REDIS_TIMEOUT_SECONDS,
        # One attempt: a retry would double the bound, and the next call tries again anyway.
        retry=Retry(NoBackoff(), 0),
        health_check_interval=0,
    )


def _ping(url: str) -> str:
    try:
        _redis_client(url).ping()
    except Exception:  # noqa: BLE001 - any failure of a dependency is "error"
        return "error"
    return "ok"


def _check_cache(pinged: dict[str, str]) -> str:
    config = settings.CACHES["default"]
    if config["BACKEND"].endswith("RedisCache"):
        location = config["LOCATION"]
        url = location[0] if isinstance(location, list | tuple) else location.split(",")[0]
        if url not in pinged:
            pinged[url] = _ping(url)
        return pinged[url]
    try:
        cache.set("health:ping", "1", 5)
    except Exception:  # noqa: BLE001
        return "error"
    return "ok"


def _check_broker(pinged: dict[str, str]) -> str:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "ok"
    from practiceops.celery import app

    url = app.conf.broker_url or ""
    if url.startswith(("redis://", "rediss://")):
        if url not in pinged:
            pinged[url] = _ping(url)
        return pinged[url]
    try:  # another transport: kombu's own bounded connect
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=REDIS_TIMEOUT_SECONDS)
    except Exception:  # noqa: BLE001
        return "error"
    return "ok"


def run_checks() -> dict[str, str]:
    pinged: dict[str, str] = {}
    return {"db": check_db(), "cache": _check_cache(pinged), "broker": _check_broker(pinged)}


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
