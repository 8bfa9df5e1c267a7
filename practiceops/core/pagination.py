"""Keyset ("cursor") pagination shared by every list endpoint (spec/api.md → Pagination).

The cursor holds the sort-key values of the last row served; the next page is the rows that
sort strictly after it. Because every ordering ends with the primary key, rows with equal
sort keys are still served exactly once, and rows inserted meanwhile cannot shift a page.

Nullable sort keys must be preceded by a boolean "is null" key (see ``null_flag``) so NULLs
sort the same way on PostgreSQL and SQLite.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import json
import uuid
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet

from practiceops.core.errors import ValidationFailed
from practiceops.core.params import query_int

DEFAULT_LIMIT = 50
MAX_LIMIT = 100


def null_flag(field: str) -> ExpressionWrapper:
    """An annotation that is true when ``field`` is NULL, for "nulls last" keyset orderings."""
    return ExpressionWrapper(Q(**{f"{field}__isnull": True}), output_field=BooleanField())


def _encode_value(value: Any) -> Any:
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


def encode_cursor(values: Sequence[Any]) -> str:
    raw = json.dumps([_encode_value(v) for v in values], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, size: int) -> list[Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
    except (binascii.Error, ValueError, UnicodeError):
        raise ValidationFailed("Invalid cursor", field="cursor")
    if (
        not isinstance(values, list)
        or len(values) != size
        or not all(v is None or isinstance(v, str | int | float | bool) for v in values)
    ):
        raise ValidationFailed("Invalid cursor", field="cursor")
    return values


def _after(keys: Sequence[tuple[str, bool]], values: Sequence[Any]) -> Q:
    """Rows that sort strictly after ``values`` under ``keys`` ((name, descending) pairs)."""
    result: Q | None = None
    equal = Q()
    for (name, descending), value in zip(keys, values, strict=True):
        if value is None:
            # Nothing sorts strictly after NULL on this key; the preceding null flag orders them.
            equal &= Q(**{f"{name}__isnull": True})
            continue
        term = equal & Q(**{f"{name}__{'lt' if descending else 'gt'}": value})
        result = term if result is None else result | term
        equal &= Q(**{name: value})
    return result if result is not None else Q(pk__in=[])


def parse_keys(ordering: Iterable[str]) -> list[tuple[str, bool]]:
    return [(key.lstrip("-"), key.startswith("-")) for key in ordering]


def paginate(
    query_params: Any,
    queryset: QuerySet | Callable[[], QuerySet],
    ordering: Sequence[str],
    serialize: Callable[[list[Any]], list[Any]],
    *,
    first_page: Callable[[int], list[Any]] | None = None,
) -> dict[str, Any]:
    """One page of ``queryset`` ordered by ``ordering`` (which must end with a unique key).

    ``serialize`` receives the page's rows (model instances or dicts) and returns the items.
    ``queryset`` may be a function that builds it, called only when it is needed: with
    ``first_page`` (the first ``n`` rows of the ordered queryset, e.g. from a prepared query), a
    request without a cursor does not build it.
    """
    limit = query_int(query_params, "limit", DEFAULT_LIMIT, minimum=1, maximum=MAX_LIMIT)
    keys = parse_keys(ordering)
    cursor = query_params.get("cursor")
    if first_page is not None and not cursor:
        rows = first_page(limit + 1)
    else:
        if not isinstance(queryset, QuerySet):
            queryset = queryset()
        queryset = queryset.order_by(*ordering)
        if cursor:
            queryset = queryset.filter(_after(keys, decode_cursor(cursor, len(keys))))
        rows = list(queryset[: limit + 1])
    has_more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = None
    if has_more and rows:
        last = rows[-1]
        get = last.get if isinstance(last, dict) else lambda name: getattr(last, name)
        next_cursor = encode_cursor([get(name) for name, _ in keys])
    return {"items": serialize(rows), "next_cursor": next_cursor}
