"""A ``values()`` queryset compiled once per shape, its parameters filled in on each call.

Building and compiling a list's queryset (filters, visibility rule, ordering annotations, a
value per column) costs more CPU than PostgreSQL spends answering it: about 2.8 ms of a
ticket page's 6.7 (README → Performance). The queryset's *shape* — which filters are present,
the caller's role, the page size — takes few forms, while the *values* (ids, filter values)
change with every request. A ``QueryTemplate`` builds the queryset once per shape with a
unique stand-in for each value, compiles it with Django's own compiler, finds each stand-in
among the compiled parameters, and from then on runs that SQL with the request's values in
their places. Rows go through the same compiler's converters and come back as the dicts
``values()`` gives.

Only values that reach the SQL unchanged can be filled in: ids (UUID), strings (exact
matches) and integers. The shape is compiled twice with different stand-ins; when a value
reached the SQL transformed (a pattern, a conversion), the two compilations differ where no
stand-in stands, and the shape is not templated: the queryset is built as usual every time. On
databases other than PostgreSQL (the quick start's SQLite) the queryset is always built as
usual.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import QuerySet

_MAX_SHAPES = 256
_FALLBACK = object()
_counter = itertools.count(1)


class QueryTemplate:
    """``build(values)`` returns a sliced ``values()`` queryset; ``rows(values)`` its rows.

    ``structural`` names the values that change the query's structure rather than fill in a
    parameter (a role the build branches on, a flag, the page size): they are part of the
    shape, as is which values are None.
    """

    def __init__(
        self, build: Callable[[Mapping[str, Any]], QuerySet], *, structural: frozenset[str]
    ) -> None:
        self.build = build
        self.structural = structural
        self.key = next(_counter)

    def rows(
        self, values: Mapping[str, Any], *, using: str = DEFAULT_DB_ALIAS
    ) -> list[dict[str, Any]]:
        connection = connections[using]
        if connection.vendor != "postgresql":
            return list(self.build(values))
        # Per connection object (one per thread): a compiler holds its connection.
        cache = connection.__dict__.setdefault("_po_query_templates", {})
        shape = tuple(sorted((name, values[name]) for name in self.structural))
        key = (self.key, shape, frozenset(name for name, value in values.items() if value is None))
        entry = cache.get(key)
        if entry is None:
            if len(cache) >= _MAX_SHAPES:
                cache.clear()
            entry = cache[key] = self._compile(values, using)
        if entry is _FALLBACK:
            return list(self.build(values))
        sql, spec, compiler, names = entry
        params = [values[item] if is_value else item for is_value, item in spec]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            fetched = cursor.fetchall()
        if compiler.has_extra_select:  # ordering columns the rows do not return
            fetched = [row[: compiler.col_count] for row in fetched]
        indexes = range(len(names))
        # What ValuesIterable does with the same compiler's rows.
        return [{names[i]: row[i] for i in indexes} for row in compiler.results_iter([fetched])]

    def _compile(self, values: Mapping[str, Any], using: str) -> Any:
        # Compiled twice, with different stand-ins: each parameter must be either the same
        # constant both times or the same value's stand-in both times. A value a lookup
        # transformed (a pattern, a conversion) shows up as a constant that differs, and the
        # shape falls back to building the queryset each time. A value the SQL does not use
        # (the caller's id in an ADMIN's list) simply has no position.
        first = self._compile_with_stand_ins(values, using)
        second = self._compile_with_stand_ins(values, using)
        if first is None or second is None:
            return _FALLBACK
        (sql, params, owner, compiler, query), (sql2, params2, owner2, _, _) = first, second
        if sql != sql2 or len(params) != len(params2):
            return _FALLBACK
        spec: list[tuple[bool, Any]] = []
        for param, param2 in zip(params, params2, strict=True):
            name = owner.get((type(param), param)) if _hashable(param) else None
            name2 = owner2.get((type(param2), param2)) if _hashable(param2) else None
            if name is None and name2 is None and type(param) is type(param2) and param == param2:
                spec.append((False, param))
            elif name is not None and name == name2:
                spec.append((True, name))
            else:
                return _FALLBACK
        if query.selected:
            names = list(query.selected)
        else:
            names = [*query.extra_select, *query.values_select, *query.annotation_select]
        return sql, spec, compiler, names

    def _compile_with_stand_ins(self, values: Mapping[str, Any], using: str) -> Any:
        stand_ins: dict[str, Any] = {}
        for name, value in values.items():
            if value is None or name in self.structural:
                continue
            stand_in = _stand_in(name, value)
            if stand_in is None:
                return None
            stand_ins[name] = stand_in
        query = self.build({**values, **stand_ins}).query
        compiler = query.get_compiler(using=using)
        sql, params = compiler.as_sql()
        owner = {(type(v), v): name for name, v in stand_ins.items()}
        return sql, list(params), owner, compiler, query


def _stand_in(name: str, value: Any) -> Any:
    if isinstance(value, bool):
        return None  # two values only: it belongs in the shape
    if isinstance(value, uuid.UUID):
        return uuid.uuid4()
    if isinstance(value, str):
        return f"\u2063stand-in:{name}:{uuid.uuid4().hex}"
    if isinstance(value, int):
        return 7_000_000_000_000 + next(_counter)
    return None


def _hashable(value: Any) -> bool:
    return isinstance(value, str | int | uuid.UUID) and not isinstance(value, bool)
