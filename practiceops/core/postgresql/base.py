"""Django's PostgreSQL backend, with pooled connections checked as they are handed out.

Used only when ``DATABASE_POOL_SIZE`` turns on Django's psycopg pool. A connection that sat
idle in the pool while the database went away is still "OK" to the pool: without a check,
each such connection costs one request a 503, even after the database is back. psycopg_pool's
own ``check`` (Django's ``CONN_HEALTH_CHECKS``) would find them, but after a failed check it
backs off for about a second, past the pool's one-second wait, so the request would fail all
the same. Here a stale connection is discarded and the next one taken at once; when the
database is really down, the pool's wait answers as before.
"""

from __future__ import annotations

import psycopg
from django.db.backends.postgresql import base
from psycopg_pool import ConnectionPool


class DatabaseWrapper(base.DatabaseWrapper):
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
