"""The per-request connection health check without a round trip (postgresql/base.py, 3.)."""

from __future__ import annotations

import select

import psycopg
import pytest
from django.db import connection

from practiceops.testing import database_url_for_current_test_db

pytestmark = pytest.mark.django_db(transaction=True)


def _start_request() -> None:
    # What Django does between requests with CONN_HEALTH_CHECKS: the next first query checks.
    connection.health_check_enabled = True
    connection.health_check_done = False


def test_a_healthy_connection_is_kept_without_a_query(require_postgres, monkeypatch):
    connection.ensure_connection()
    raw = connection.connection
    monkeypatch.setattr(connection, "is_usable", lambda: pytest.fail("SELECT 1 sent"))
    _start_request()
    with connection.cursor() as cursor:
        cursor.execute("SELECT 2")
        assert cursor.fetchone() == (2,)
    assert connection.connection is raw


def test_a_terminated_connection_is_replaced_before_the_request_uses_it(require_postgres):
    connection.ensure_connection()
    raw = connection.connection
    pid = raw.info.backend_pid
    with psycopg.connect(database_url_for_current_test_db(), autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [pid])
    # The server's goodbye reaches the socket (a wait, not a timed assertion).
    assert select.select([raw.pgconn.socket], [], [], 10)[0]
    _start_request()
    with connection.cursor() as cursor:  # Django's own check would send SELECT 1 here
        cursor.execute("SELECT pg_backend_pid()")
        assert cursor.fetchone()[0] != pid
    assert connection.connection is not raw
