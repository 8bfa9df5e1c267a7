"""Pooled connections that died while idle are replaced without failing the request."""

from __future__ import annotations

import copy
import itertools

import pytest
from django.db import OperationalError, connections
from django.db.backends.postgresql.base import DatabaseWrapper as StockWrapper

from practiceops.core.postgresql.base import DatabaseWrapper
from tests.reliability.proxy import tcp_proxy

pytestmark = pytest.mark.django_db

_aliases = itertools.count()


def _pooled(wrapper_class, port: int):
    settings_dict = copy.deepcopy(connections["default"].settings_dict)
    # As settings.base configures the pool: no CONN_HEALTH_CHECKS (see the backend's docstring).
    settings_dict.update(HOST="127.0.0.1", PORT=str(port), CONN_MAX_AGE=0, CONN_HEALTH_CHECKS=False)
    settings_dict["OPTIONS"] = {
        "connect_timeout": 2,
        # Two connections opened up front: both sit idle in the pool when the outage comes.
        "pool": {"min_size": 2, "max_size": 2, "timeout": 1, "reconnect_timeout": 0},
    }
    wrapper = wrapper_class(settings_dict, alias=f"pool_test_{next(_aliases)}")
    wrapper.pool.open(wait=True, timeout=5)
    return wrapper


def _after_a_blip(wrapper_class) -> int:
    """Open a pool, cut and restore the database under it, then run one query."""
    db = connections["default"].settings_dict
    with tcp_proxy(db.get("HOST") or "127.0.0.1", int(db.get("PORT") or 5432)) as proxy:
        wrapper = _pooled(wrapper_class, proxy.port)
        try:
            assert wrapper.pool.get_stats()["pool_available"] == 2
            proxy.cut()  # every pooled connection is reset while idle
            proxy.restore()
            with wrapper.cursor() as cursor:
                cursor.execute("SELECT 1")
                return cursor.fetchone()[0]
        finally:
            wrapper.close()
            wrapper.close_pool()


def test_stale_pooled_connections_are_replaced_at_once(require_postgres):
    assert _after_a_blip(DatabaseWrapper) == 1


def test_the_stock_pool_hands_out_a_dead_connection(require_postgres):
    # What the backend above exists for: without the check, the first query after the blip fails.
    with pytest.raises(OperationalError):
        _after_a_blip(StockWrapper)
