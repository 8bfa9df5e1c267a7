"""The backend's timestamp loader: psycopg's C parser, Django's results (aware UTC)."""

from __future__ import annotations

import datetime

import psycopg
import pytest
from django.db import connection
from psycopg.pq import Format

from practiceops.core.postgresql.base import (
    _PSYCOPG_TZ_LOADER,
    TIMESTAMPTZ_OID,
    UtcTimestamptzLoader,
)
from teams.models import Team

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
TEXTS = [
    "2026-11-27 14:00:00+00",
    "2026-11-27 14:00:00.000001+00",
    "1999-12-31 23:59:59.999999+00",
    "2026-03-29 01:30:00+02",  # an offset: the same instant, expressed in UTC
    "2026-10-25 02:30:00-05:30",
    "0001-01-01 00:00:00+00",
    "9999-12-31 23:59:59.5+00",
]


def _expected(text: str) -> datetime.datetime:
    date, time_part = text.split(" ")
    for sign in "+-":
        if sign in time_part:
            clock, offset = time_part.rsplit(sign, 1)
            break
    hours, _, minutes = offset.partition(":")
    delta = datetime.timedelta(hours=int(hours), minutes=int(minutes or 0))
    tz = datetime.timezone(delta if sign == "+" else -delta)
    naive = datetime.datetime.fromisoformat(f"{date} {clock}")
    return naive.replace(tzinfo=tz).astimezone(UTC)


def _select(texts: list[str]) -> list[datetime.datetime]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT " + ", ".join(["%s::timestamptz"] * len(texts)),
            texts,
        )
        return list(cursor.fetchone())


def test_the_connection_uses_the_c_parser(require_postgres):
    connection.ensure_connection()
    loader = connection.connection.adapters.get_loader(TIMESTAMPTZ_OID, Format.TEXT)
    assert loader is UtcTimestamptzLoader
    if psycopg.pq.__impl__ in {"binary", "c"}:
        assert _PSYCOPG_TZ_LOADER.__module__.startswith(("psycopg_binary", "psycopg_c"))


def test_timestamps_are_the_same_aware_utc_datetimes(require_postgres):
    values = _select(TEXTS)
    assert values == [_expected(text) for text in TEXTS]
    assert all(value.tzinfo is UTC for value in values)


def test_another_session_time_zone_still_yields_utc(require_postgres):
    with connection.cursor() as cursor:
        cursor.execute("SET TIME ZONE 'America/New_York'")
    try:
        values = _select(TEXTS[:5])
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET TIME ZONE 'UTC'")
    assert values == [_expected(text) for text in TEXTS[:5]]
    assert all(value.tzinfo is UTC for value in values)


def test_model_datetimes_round_trip(require_postgres):
    team = Team.objects.create(name="Round trip", timezone="Europe/Berlin")
    stored = Team.objects.values_list("created_at", flat=True).get(pk=team.pk)
    assert stored == team.created_at and stored.tzinfo is UTC
