"""The streamed CSV export of practice logs (GET /teams/{team_id}/practice-logs.csv).

Rows come from one ``values_list`` query read with ``iterator()`` (a server-side cursor on
PostgreSQL) and are written in batches, so memory stays flat however many logs a team has.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterable, Iterator
from typing import Any

from django.http import StreamingHttpResponse

from teams.models import Team

HEADER = (
    "member_name",
    "member_email",
    "section",
    "occurred_at",
    "created_at",
    "duration_minutes",
    "rating_1_5",
    "blocked_flag",
    "notes",
    "cycle_label",
    "cycle_date",
)
CHUNK_SIZE = 2000
ROWS_PER_WRITE = 500

# A cell starting with one of these is run as a formula by spreadsheet programs (CSV
# injection): such text is prefixed with an apostrophe, which they display as plain text.
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def _text(value: str | None) -> str:
    if not value:
        return ""
    return f"'{value}" if value.startswith(_FORMULA_PREFIXES) else value


def _timestamp(value: datetime.datetime, tz: datetime.tzinfo) -> str:
    return value.astimezone(tz).isoformat(timespec="seconds")


def _row(values: tuple[Any, ...], tz: datetime.tzinfo) -> list[Any]:
    (
        name,
        email,
        section,
        occurred_at,
        created_at,
        minutes,
        rating,
        blocked,
        notes,
        label,
        date,
    ) = values
    return [
        _text(name),
        _text(email),
        _text(section),
        _timestamp(occurred_at, tz),
        _timestamp(created_at, tz),
        minutes,
        "" if rating is None else rating,
        "true" if blocked else "false",
        _text(notes),
        _text(label),
        date.isoformat() if date else "",
    ]


def csv_chunks(rows: Iterable[tuple[Any, ...]], tz: datetime.tzinfo) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADER)
    pending = 0
    for values in rows:
        writer.writerow(_row(values, tz))
        pending += 1
        if pending == ROWS_PER_WRITE:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
            pending = 0
    yield buffer.getvalue()


def practice_logs_csv_response(team: Team, rows: Any) -> StreamingHttpResponse:
    response = StreamingHttpResponse(
        csv_chunks(rows.iterator(chunk_size=CHUNK_SIZE), team.tzinfo),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="practice-logs-{team.today().isoformat()}.csv"'
    )
    # Names, e-mail addresses and notes: no shared cache may keep a copy.
    response["Cache-Control"] = "no-store"
    return response
