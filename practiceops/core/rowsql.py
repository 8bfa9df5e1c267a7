"""Lookups that run on every request, as SQL written once per database.

Building a query through the ORM (a queryset, its compiler, joins, ``first()``'s ordering)
costs more CPU than the round trip it makes: about 0.7 ms for the bearer token's user and
1.4 ms for a cycle with its team and the caller's membership, against 0.1–0.3 ms for the
query itself (measured in process, README → Performance). The lookups every authenticated or
scoped request makes are written here once, in SQL whose identifiers come from the models'
own metadata, and their rows become the same model instances the ORM would give:
each value goes through the converters the ORM applies, then ``Model.from_db``.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connections, router
from django.db.models import Field, Model


@dataclass(frozen=True)
class _Part:
    model: type[Model]
    names: list[str]
    converters: list[tuple[Any, list[Any]]]
    start: int
    stop: int
    pk_index: int


@dataclass(frozen=True)
class _Compiled:
    sql: str
    parts: list[_Part]


class ModelRows:
    """``SELECT`` the loaded columns of one or more models from a row of joined tables.

    ``models`` names each model with the alias its table takes in ``tail`` (and, optionally, the
    attribute names to load: the rest are deferred, loaded on first access). ``tail`` is the
    SQL after the column list: ``FROM``/``JOIN``/``WHERE`` with ``{alias}`` standing for each
    alias's table name followed by the alias (``alias.column`` then names a column), and
    ``%s`` for the parameters ``fetch_one`` prepares through the fields it is given. A model whose primary key is NULL in the row (an outer join that found
    nothing) comes back as None.
    """

    def __init__(
        self,
        models: Sequence[tuple[type[Model], str] | tuple[type[Model], str, Sequence[str]]],
        tail: str,
    ) -> None:
        self.models = [(m[0], m[1], tuple(m[2]) if len(m) > 2 else None) for m in models]
        self.tail = tail

    def fetch_one(
        self, params: Sequence[tuple[Field, Any]], *, using: str | None = None
    ) -> tuple[Model | None, ...] | None:
        """The instances from the first row, or None when there is no row."""
        rows = self._fetch(params, using, one=True)
        return rows[0] if rows else None

    def fetch_all(
        self, params: Sequence[tuple[Field, Any]], *, using: str | None = None
    ) -> list[tuple[Model | None, ...]]:
        """The instances from every row."""
        return self._fetch(params, using, one=False)

    def _fetch(
        self, params: Sequence[tuple[Field, Any]], using: str | None, *, one: bool
    ) -> list[tuple[Model | None, ...]]:
        alias = using or router.db_for_read(self.models[0][0])
        connection = connections[alias]
        compiled = _compile(self, alias)
        prepared = [field.get_db_prep_value(value, connection) for field, value in params]
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, prepared)
            if one:
                row = cursor.fetchone()
                fetched = [] if row is None else [row]
            else:
                fetched = cursor.fetchall()
        return [_instances(compiled, row, alias, connection) for row in fetched]


def _instances(
    compiled: _Compiled, row: Sequence[Any], alias: str, connection: Any
) -> tuple[Model | None, ...]:
    instances: list[Model | None] = []
    for part in compiled.parts:
        raw = row[part.start : part.stop]
        if raw[part.pk_index] is None:
            instances.append(None)
            continue
        values = []
        for value, (column, converters) in zip(raw, part.converters, strict=True):
            for converter in converters:
                value = converter(value, column, connection)
            values.append(value)
        instances.append(part.model.from_db(alias, part.names, values))
    return tuple(instances)


@functools.cache
def _compile(rows: ModelRows, alias: str) -> _Compiled:
    connection = connections[alias]
    quote = connection.ops.quote_name
    names: dict[str, str] = {}
    columns: list[str] = []
    parts: list[_Part] = []
    for model, table_alias, only in rows.models:
        meta = model._meta
        names[table_alias] = f"{quote(meta.db_table)} {table_alias}"
        # In the model's field order: from_db() fills the loaded fields in that order.
        fields = [
            f for f in meta.concrete_fields if only is None or f.attname in only or f.primary_key
        ]
        start = len(columns)
        columns.extend(f"{table_alias}.{quote(f.column)}" for f in fields)
        converters = []
        for field in fields:
            column = field.get_col(table_alias)
            found = connection.ops.get_db_converters(column) + field.get_db_converters(connection)
            converters.append((column, found))
        pk_index = next(i for i, f in enumerate(fields) if f.primary_key)
        parts.append(
            _Part(model, [f.attname for f in fields], converters, start, len(columns), pk_index)
        )
    tail = rows.tail.format_map(_Names(names))
    # Identifiers from the models' own metadata, quoted; values are parameters.
    sql = f"SELECT {', '.join(columns)} {tail}"  # noqa: S608  # nosec B608
    return _Compiled(sql, parts)


class _Names(dict):
    def __missing__(self, key: str) -> str:
        raise KeyError(f"unknown table alias in ModelRows SQL: {key!r}")
