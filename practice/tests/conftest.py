from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext


class QueryCounter:
    """Counts the queries of a block, for "the same at two data sizes" assertions."""

    def __call__(self, fn):
        with CaptureQueriesContext(connection) as ctx:
            result = fn()
        return len(ctx.captured_queries), result


@pytest.fixture
def count_queries() -> QueryCounter:
    return QueryCounter()
