"""Django's PostgreSQL backend with three changes, all measured (README → Performance).

1. **Timestamps parsed in C.** Django loads every ``timestamptz`` through a subclass of
   psycopg's pure-Python loader (to pin the result's timezone), so each value is parsed by a
   regular expression in Python: a fifth of a 50-row ticket page's time. With the connection
   in UTC, as Django keeps it, psycopg's own loader (C, from ``psycopg[binary]``) returns the
   same aware UTC datetimes; it is wrapped only to carry the ``timezone`` attribute Django's
   cursors compare with.

2. **Pooled connections checked as they are handed out** (only with ``DATABASE_POOL_SIZE``).
   A connection that sat idle in the pool while the database went away is still "OK" to the
   pool: without a check, each such connection costs one request a 503, even after the
   database is back. psycopg_pool's own ``check`` (Django's ``CONN_HEALTH_CHECKS``) would find
   them, but after a failed check it backs off for about a second, past the pool's one-second
   wait, so the request would fail all the same. Here a stale connection is discarded and the
   next one taken at once; when the database is really down, the pool's wait answers as
   before.

3. **The per-request health check without a round trip** (``CONN_HEALTH_CHECKS``, persistent
   connections). Django's check sends ``SELECT 1`` before the first query of every request:
   a second round trip for a request that makes one, and half of B0's queries. A connection
   that died with a database restart, a terminated backend or an idle timeout has been told
   so by the server (an error message, then the socket closed), so its socket is readable
   while an idle healthy connection's never is: one ``poll`` with a zero timeout finds it,
   and it is closed and replaced as Django's check would. (A peer that vanished without a
   word is found by neither check before the query that fails; after any failed query
   Django's own ``is_usable`` still runs its ``SELECT 1``.)
"""

from __future__ import annotations

import datetime
import functools
import select
from typing import Any

import psycopg
from django.conf import settings
from django.db.backends.postgresql import base
from django.db.backends.postgresql.psycopg_any import get_adapters_template
from psycopg.adapt import AdaptersMap, Loader
from psycopg.pq import Format
from psycopg_pool import ConnectionPool

UTC = datetime.UTC
TIMESTAMPTZ_OID = psycopg.adapters.types["timestamptz"].oid
# psycopg's default loader: its C implementation when psycopg[binary] (or [c]) is installed.
_PSYCOPG_TZ_LOADER = psycopg.adapters.get_loader(TIMESTAMPTZ_OID, Format.TEXT)


class UtcTimestamptzLoader(Loader):
    """``timestamptz`` as aware UTC datetimes, parsed by psycopg's own (C) loader."""

    # What Django's create_cursor() compares with its own timezone to decide whether a cursor
    # needs a loader of its own.
    timezone = UTC

    def __init__(self, oid: int, context: Any = None) -> None:
        super().__init__(oid, context)
        self._load = _PSYCOPG_TZ_LOADER(oid, context).load

    def load(self, data: Any) -> datetime.datetime:
        value = self._load(data)
        # The connection's TimeZone is UTC (Django sets it), so this is the fast path; any
        # other zone still yields the same instant, expressed in UTC as Django's loader does.
        return value if value.tzinfo is UTC else value.astimezone(UTC)


@functools.lru_cache
def _adapters(use_tz: bool, timezone: Any) -> AdaptersMap:
    adapters = AdaptersMap(get_adapters_template(use_tz, timezone))
    if timezone is UTC:
        adapters.register_loader("timestamptz", UtcTimestamptzLoader)
    return adapters


class DatabaseWrapper(base.DatabaseWrapper):
    def get_connection_params(self) -> dict[str, Any]:
        params = super().get_connection_params()
        if "context" in params:
            params["context"] = _adapters(settings.USE_TZ, self.timezone)
        return params

    def close_if_health_check_failed(self) -> None:
        if (
            self.pool
            or self.connection is None
            or not self.health_check_enabled
            or self.health_check_done
        ):
            return
        if not self._idle_connection_alive():
            self.close()
        self.health_check_done = True

    def _idle_connection_alive(self) -> bool:
        connection = self.connection
        if connection.closed or connection.pgconn.status != psycopg.pq.ConnStatus.OK:
            return False
        poller = select.poll()
        poller.register(connection.pgconn.socket, select.POLLIN)
        # Anything to read on an idle connection is the server saying goodbye (or, in a
        # session that LISTENs or changed a reported parameter, harmless: a reconnection).
        return not poller.poll(0)

    def get_new_connection(self, conn_params):
        connection = super().get_new_connection(conn_params)
        if not self.pool:
            return connection
        # Every idle connection may have died with the same outage: try each one at most once.
        for _ in range(self.pool.max_size):
            try:
                ConnectionPool.check_connection(connection)
            except psycopg.Error:
                self.pool.putconn(connection)  # a broken connection is discarded, not kept
                connection = super().get_new_connection(conn_params)
            else:
                return connection
        return connection
