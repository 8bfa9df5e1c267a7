"""How the pages write dates, times and enum values, as plain functions: the template filters
(``web.templatetags.web``) and the rows rendered in Python (``web.rows``) share them."""

from __future__ import annotations

import datetime


def days_phrase(days: int) -> str:
    if days == 0:
        return "today"
    if days == 1:
        return "tomorrow"
    if days == -1:
        return "yesterday"
    return f"in {days} days" if days > 0 else f"{-days} days ago"


def reltime_in(value: datetime.datetime, tz: datetime.tzinfo, today: datetime.date) -> str:
    """A moment in ``tz`` relative to ``today`` (that zone's date): "today 19:30",
    "yesterday 19:30", "Mon 3 Mar 2026 19:30"."""
    local = value.astimezone(tz)
    days = (local.date() - today).days
    clock = local.strftime("%H:%M")
    if -1 <= days <= 1:
        return f"{days_phrase(days)} {clock}"
    return f"{local.strftime('%a')} {local.day} {local.strftime('%b %Y')} {clock}"


def due_on(value: datetime.datetime | datetime.date, today: datetime.date) -> str:
    """A due date: due dates are midnight UTC of their day (spec/api.md), so the day is UTC's;
    a plain date (the suggested ticket's ``due_date``) is that day already."""
    day = value.astimezone(datetime.UTC).date() if isinstance(value, datetime.datetime) else value
    return f"{day.day} {day.strftime('%b')} ({days_phrase((day - today).days)})"


def label(value: str | None) -> str:
    """An enum value as words: IN_PROGRESS → "In progress"."""
    return (value or "").replace("_", " ").capitalize()
