from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

MEMBERS = ["admin", "soprano_leader", "alto_leader", "soprano_member", "alto_member"]
LEADERS = ["admin", "soprano_leader", "alto_leader"]
NON_LEADERS = ["soprano_member", "alto_member"]
NON_ADMINS = ["soprano_leader", "alto_leader", "soprano_member", "alto_member"]


@pytest.fixture
def persona(request):
    """The persona named by the test's ``name`` parameter (for role matrices)."""

    def get(name: str):
        return request.getfixturevalue(name)

    return get


@pytest.fixture
def everyone(admin, soprano_leader, alto_leader, soprano_member, alto_member, outsider):
    return {
        "admin": admin,
        "soprano_leader": soprano_leader,
        "alto_leader": alto_leader,
        "soprano_member": soprano_member,
        "alto_member": alto_member,
        "outsider": outsider,
    }


def run_concurrently(calls: list[Callable[[], Any]]) -> list[Any]:
    """Run each call in its own thread, released together by a barrier; return the results.

    Every thread closes its own database connection, as Django opens one per thread.
    """
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def worker(index: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=10)
            results[index] = call()
        except Exception as exc:  # noqa: BLE001 - the test asserts on it
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results
