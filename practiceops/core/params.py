"""Strict parsing of query-string values: each refusal is a 422 naming the parameter."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable
from typing import Any

from practiceops.core.errors import ValidationFailed

_TRUE = {"true", "1", "yes"}
_FALSE = {"false", "0", "no"}


def _raw(params: Any, name: str) -> str | None:
    value = params.get(name)
    if value is None or value == "":
        return None
    if "\x00" in value:
        raise ValidationFailed("Null characters are not allowed", field=name)
    return value


def query_int(params: Any, name: str, default: int, *, minimum: int, maximum: int) -> int:
    raw = _raw(params, name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ValidationFailed(f"{name} must be a whole number", field=name)
    if not minimum <= value <= maximum:
        raise ValidationFailed(f"{name} must be between {minimum} and {maximum}", field=name)
    return value


def query_bool(params: Any, name: str, default: bool | None) -> bool | None:
    raw = _raw(params, name)
    if raw is None:
        return default
    lowered = raw.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ValidationFailed(f"{name} must be true or false", field=name)


def query_choice(params: Any, name: str, choices: Iterable[str]) -> str | None:
    raw = _raw(params, name)
    if raw is None:
        return None
    allowed = list(choices)
    if raw not in allowed:
        raise ValidationFailed(f"{name} must be one of: {', '.join(allowed)}", field=name)
    return raw


def query_text(params: Any, name: str, *, max_length: int = 200) -> str | None:
    raw = _raw(params, name)
    if raw is not None and len(raw) > max_length:
        raise ValidationFailed(f"{name} must be at most {max_length} characters", field=name)
    return raw


def query_uuid(params: Any, name: str) -> uuid.UUID | None:
    raw = _raw(params, name)
    if raw is None:
        return None
    return parse_uuid(raw, field=name)


def query_date(params: Any, name: str) -> datetime.date | None:
    raw = _raw(params, name)
    if raw is None:
        return None
    try:
        return datetime.date.fromisoformat(raw)
    except ValueError:
        raise ValidationFailed(f"{name} must be a date (YYYY-MM-DD)", field=name)


def query_datetime(params: Any, name: str, *, tz: datetime.tzinfo) -> datetime.datetime | None:
    """An ISO 8601 timestamp; one without an offset is read in ``tz`` (the team's timezone).

    A "+" of an offset left unencoded in a URL arrives as a space; after a "T" separator it is
    read back as "+".
    """
    raw = _raw(params, name)
    if raw is None:
        return None
    if "T" in raw:
        raw = raw.replace(" ", "+")
    try:
        value = datetime.datetime.fromisoformat(raw)
    except ValueError:
        raise ValidationFailed(f"{name} must be an ISO 8601 timestamp", field=name)
    if value.tzinfo is None:
        value = value.replace(tzinfo=tz)
    return value


def parse_uuid(raw: Any, *, field: str) -> uuid.UUID:
    if not isinstance(raw, str):
        raise ValidationFailed("Must be a valid UUID", field=field)
    try:
        return uuid.UUID(raw)
    except ValueError:
        raise ValidationFailed("Must be a valid UUID", field=field)
