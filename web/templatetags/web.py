"""Display helpers: times in the active (team's) timezone, relative where it helps."""

from __future__ import annotations

import datetime

from django import template
from django.utils import timezone

register = template.Library()


def _days_phrase(days: int) -> str:
    if days == 0:
        return "today"
    if days == 1:
        return "tomorrow"
    if days == -1:
        return "yesterday"
    return f"in {days} days" if days > 0 else f"{-days} days ago"


@register.filter
def relday(value: datetime.date | None) -> str:
    """A date relative to today in the active timezone: "today", "in 3 days", "2 days ago"."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value).date()
    return _days_phrase((value - timezone.localdate()).days)


@register.filter
def reltime(value: datetime.datetime | None) -> str:
    """A moment in the active timezone: "today 19:30", "yesterday 19:30", "Mon 3 Mar 19:30"."""
    if value is None:
        return ""
    local = timezone.localtime(value)
    days = (local.date() - timezone.localdate()).days
    clock = local.strftime("%H:%M")
    if -1 <= days <= 1:
        return f"{_days_phrase(days)} {clock}"
    return f"{local.strftime('%a')} {local.day} {local.strftime('%b %Y')} {clock}"


@register.filter
def due(value: datetime.datetime | datetime.date | None) -> str:
    """A due date: due dates are midnight UTC of their day (spec/api.md), so the day is UTC's;
    a plain date (the suggested ticket's ``due_date``) is that day already."""
    if value is None:
        return ""
    day = value.astimezone(datetime.UTC).date() if isinstance(value, datetime.datetime) else value
    return f"{day.day} {day.strftime('%b')} ({_days_phrase((day - timezone.localdate()).days)})"


@register.filter
def dayname(value: datetime.date) -> str:
    return f"{value.strftime('%A')} {value.day} {value.strftime('%B %Y')}"


@register.filter
def label(value: str | None) -> str:
    """An enum value as words: IN_PROGRESS → "In progress"."""
    return (value or "").replace("_", " ").capitalize()
