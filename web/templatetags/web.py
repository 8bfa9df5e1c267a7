"""Display helpers: times in the active (team's) timezone, relative where it helps; and the
long lists' rows, rendered in Python (``web.rows``)."""

from __future__ import annotations

import datetime
from typing import Any

from django import template
from django.utils import timezone
from django.utils.safestring import SafeString

from web import display, rows

register = template.Library()


@register.filter
def relday(value: datetime.date | None) -> str:
    """A date relative to today in the active timezone: "today", "in 3 days", "2 days ago"."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value).date()
    return display.days_phrase((value - timezone.localdate()).days)


@register.filter
def reltime(value: datetime.datetime | None) -> str:
    """A moment in the active timezone: "today 19:30", "yesterday 19:30", "Mon 3 Mar 19:30"."""
    if value is None:
        return ""
    return display.reltime_in(value, timezone.get_current_timezone(), timezone.localdate())


@register.filter
def due(value: datetime.datetime | datetime.date | None) -> str:
    """A due date: its UTC day (``display.due_on``), relative to today in the active timezone."""
    if value is None:
        return ""
    return display.due_on(value, timezone.localdate())


@register.filter
def dayname(value: datetime.date) -> str:
    return f"{value.strftime('%A')} {value.day} {value.strftime('%B %Y')}"


@register.filter
def label(value: str | None) -> str:
    """An enum value as words: IN_PROGRESS → "In progress"."""
    return display.label(value)


@register.simple_tag(takes_context=True)
def ticket_rows(context: template.Context, items: Any) -> SafeString:
    """The ticket list's rows: ``items`` are (ticket, actions) pairs."""
    return rows.ticket_rows(context, items)


@register.simple_tag(takes_context=True)
def ticket_row(context: template.Context, ticket: Any, actions: Any, row_error: Any) -> SafeString:
    return rows.ticket_rows(context, [(ticket, actions)], row_error=row_error)


@register.simple_tag(takes_context=True)
def queue_rows(context: template.Context, items: Any) -> SafeString:
    """The verification queue's rows (with a refused row's message and input kept)."""
    return rows.queue_rows(context, items)


@register.simple_tag
def member_rows(items: Any) -> SafeString:
    """The Section overview's per-member compliance rows."""
    return rows.member_rows(items)


@register.simple_tag(takes_context=True)
def queue_row(context: template.Context, item: Any) -> SafeString:
    return rows.queue_rows(context, [item])


@register.simple_tag
def week_items(kind: str, items: Any) -> SafeString:
    """The items of one of This week's lists (``web.rows.WEEK_LISTS``)."""
    return rows.week_items(kind, items)


@register.simple_tag
def figure_rows(items: Any, *specs: str) -> SafeString:
    """The rows of a figures table (``web.rows.figure_rows`` describes ``specs``)."""
    return rows.figure_rows(items or (), specs)


@register.simple_tag
def nav_links(items: Any, current: str) -> SafeString:
    """The main navigation's links, the current page marked."""
    return rows.nav_links(items or (), current)
