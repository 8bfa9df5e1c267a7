"""Fixed-shape ORM queries compiled once per process and run with each call's values.

Building and compiling a QuerySet costs 0.5–1.5 ms of CPU per query here, more than most of
the dashboards' queries take in the database. The SQL of such a query depends only on a few
choices (the caller's role, whether they have a section): everything else is a value. So a
query is built once per shape with stand-in values, each SQL parameter is traced back to
the stand-in it came from, and later calls bind their own values to those positions and run
the SQL directly, with the ORM's own result converters.

The caller's scope as values and shape (``scope_shape``, ``scope_values``, ``scope_member``)
is in ``teams.access``. ``run(key, build, **values)``: ``build(**values)`` returns the QuerySet (``values_list``
rows). Every value must reach the SQL unchanged (compute derived values before, and pass
them in: a parameter derived from a stand-in is refused when the query is compiled), and
``key`` must name every choice that changes the SQL's shape. With ``VERIFY`` on (the
test suite turns it on), every call also builds the QuerySet with its real
values and checks the bound SQL and parameters against the ORM's.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import QuerySet

VERIFY = False

_UTC = datetime.UTC
_STAND_IN_MARK = "\x1fstand-in"
_STAND_IN_YEAR = 1901


@dataclass(frozen=True)
class _Template:
    sql: str
    # Per parameter: (value name, adapter) for a bound value, or (None, constant).
    params: tuple[tuple[str | None, Any], ...]
    # Per column position: the ORM's converters of that column and its expression.
    converters: tuple[tuple[int, tuple[list[Any], Any]], ...]
    empty: bool = False


# --- compiling and running ---------------------------------------------------------------------


def _stand_in(value: Any, index: int) -> Any:
    """A value of the same type as ``value`` that no query holds by chance."""
    n = index + 1
    if isinstance(value, uuid.UUID):
        return uuid.uuid4()
    if isinstance(value, datetime.datetime):
        return datetime.datetime(_STAND_IN_YEAR, 1, 1, tzinfo=_UTC) + datetime.timedelta(
            days=n, seconds=n, microseconds=7919 * n
        )
    if isinstance(value, datetime.date):
        return datetime.date(_STAND_IN_YEAR, 1, 1) + datetime.timedelta(days=37 * n)
    if isinstance(value, str):
        return f"{_STAND_IN_MARK} {n}\x1f"
    if isinstance(value, bool) or value is None:
        return value  # part of the shape: the key names it
    # Not numbers: the ORM drops a lookup whose number is out of its field's range, and the
    # backend may wrap numbers in types of its own. A number that varies belongs in the key.
    raise TypeError(f"No stand-in for {type(value).__name__}: make it part of the key")


def _adapters(value: Any) -> list[Callable[[Any], Any]]:
    """How a value of this type may reach the parameters (as is, or as the backend adapts it)."""
    ops = connections[DEFAULT_DB_ALIAS].ops
    if isinstance(value, uuid.UUID):
        return [lambda v: v, lambda v: v.hex]
    if isinstance(value, datetime.datetime):
        return [lambda v: v, ops.adapt_datetimefield_value]
    if isinstance(value, datetime.date):
        return [lambda v: v, ops.adapt_datefield_value]
    return [lambda v: v]


def _compile(build: Callable[..., QuerySet], values: dict[str, Any]) -> _Template:
    stand_ins = {name: _stand_in(value, i) for i, (name, value) in enumerate(values.items())}
    queryset = build(**stand_ins)
    compiler = queryset.query.get_compiler(using=queryset.db)
    try:
        sql, raw_params = compiler.as_sql()
    except EmptyResultSet:
        return _Template("", (), (), empty=True)
    candidates: list[tuple[Any, str, Callable[[Any], Any]]] = []
    for name, stand_in in stand_ins.items():
        if stand_in is None or isinstance(stand_in, bool):
            continue
        for adapt in _adapters(stand_in):
            candidates.append((adapt(stand_in), name, adapt))
    params: list[tuple[str | None, Any]] = []
    for param in raw_params:
        for prepared, name, adapt in candidates:
            if type(param) is type(prepared) and param == prepared:
                params.append((name, adapt))
                break
        else:
            if _derived_from_stand_in(param):
                raise TypeError(f"A parameter of {build} is derived from a value: {param!r}")
            params.append((None, param))
    fields = [s[0] for s in compiler.select[0 : compiler.col_count]]
    # Only the converters are kept, not the compiler and its query (with the stand-ins).
    converters = tuple(compiler.get_converters(fields).items())
    return _Template(sql, tuple(params), converters)


def _derived_from_stand_in(param: Any) -> bool:
    """A value changed on its way to the SQL (a LIKE pattern, a date moved by a delta)."""
    if isinstance(param, str):
        return _STAND_IN_MARK in param or param.startswith(str(_STAND_IN_YEAR))
    if isinstance(param, datetime.date):
        return param.year == _STAND_IN_YEAR
    return False


def _bound(template: _Template, values: dict[str, Any]) -> list[Any]:
    return [
        adapt_or_constant if name is None else adapt_or_constant(values[name])
        for name, adapt_or_constant in template.params
    ]


def _check(template: _Template, queryset: QuerySet, values: dict[str, Any]) -> None:
    compiler = queryset.query.get_compiler(using=queryset.db)
    try:
        expected = compiler.as_sql()
    except EmptyResultSet:
        expected = None
    actual = None if template.empty else (template.sql, tuple(_bound(template, values)))
    if expected is not None:
        expected = (expected[0], tuple(expected[1]))
    if actual != expected:
        raise AssertionError(f"Prepared query differs from the ORM's:\n{actual}\n{expected}")


def run(key: Hashable, build: Callable[..., QuerySet], **values: Any) -> list[tuple]:
    """The rows of ``build(**values)`` (a ``values_list`` QuerySet), as tuples."""
    # Per connection (each thread has its own): the SQL and converters are the backend's.
    connection = connections[DEFAULT_DB_ALIAS]
    cache: dict[Hashable, _Template] = connection.__dict__.setdefault("_prepared_queries", {})
    template = cache.get(key)
    if template is None:
        template = cache[key] = _compile(build, values)
    if VERIFY:
        _check(template, build(**values), values)
    if template.empty:
        return []
    with connection.cursor() as cursor:
        cursor.execute(template.sql, _bound(template, values))
        rows = cursor.fetchall()
    if template.converters:
        rows = _converted(rows, template.converters, connection)
    return rows


def _converted(rows: list[tuple], converters: Any, connection: Any) -> list[tuple]:
    """What the ORM's ``SQLCompiler.apply_converters`` does to each row."""
    result = []
    for values in rows:
        row = list(values)
        for position, (functions, expression) in converters:
            value = row[position]
            for function in functions:
                value = function(value, expression, connection)
            row[position] = value
        result.append(tuple(row))
    return result
