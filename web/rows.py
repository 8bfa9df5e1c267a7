"""The long lists' rows — the ticket list, the verification queue, the per-member compliance
table — rendered in Python.

These lists run to hundreds of rows at a real team's size, and the template engine's cost per
variable, ``{% url %}`` and ``{% csrf_token %}`` made up most of those pages' CPU time. A row
here is the markup the template wrote, built with f-strings: every value escaped exactly as
autoescaping does (``escape``), URLs built from one ``reverse`` per list, the zone and today
read once per list. The pages and their htmx fragments (the named partials) render rows through
these functions alike.
"""

from __future__ import annotations

import functools
import re
import uuid
from collections.abc import Callable, Iterable
from html import escape as _escape
from typing import Any

from django.template import Context
from django.template.defaultfilters import floatformat
from django.template.defaulttags import CsrfTokenNode
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.text import Truncator

from web.display import due_on, label, reltime_in

_PLACEHOLDER = uuid.UUID(int=0)
_PLACEHOLDER_TEXT = str(_PLACEHOLDER)
_NO_NAME = object()
_UUID_TEXT = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\Z").match


_SPECIAL = re.compile(r"[&<>\"']").search


def escape(value: Any) -> str:
    """What autoescaping writes for ``value``: safe strings as they are, the rest escaped."""
    if type(value) is str:
        # Most values have nothing to escape; looking is cheaper than five replacements.
        return _escape(value) if _SPECIAL(value) else value
    if hasattr(value, "__html__"):
        return value.__html__()
    return _escape(str(value))


@functools.lru_cache(maxsize=256)
def label_html(value: str | None) -> str:
    """``escape(label(value))`` for the few enum values a list repeats on every row."""
    return escape(label(value))


def url_for(viewname: str, *args: Any) -> Callable[[Any], str]:
    """``reverse(viewname, args=[*args, pk])`` for many ``pk``: one reverse, then the id is put
    in place of a placeholder (ids are UUIDs, which a URL carries as they are written)."""
    head, tail = reverse(viewname, args=[*args, _PLACEHOLDER]).rsplit(_PLACEHOLDER_TEXT, 1)

    def build(pk: Any) -> str:
        if _UUID_TEXT(str(pk)):
            return f"{head}{pk}{tail}"
        return reverse(viewname, args=[*args, pk])

    return build


def csrf_input(context: Context) -> str:
    """What ``{% csrf_token %}`` writes, once for a whole list (one token per page)."""
    return CsrfTokenNode().render(context)


def ticket_rows(
    context: Context, items: Iterable[tuple[Any, Any]], *, row_error: Any = None
) -> SafeString:
    """The ticket list's rows: (ticket, actions) pairs; ``actions["claim"]`` offers Claim."""
    ticket_url = url_for("web:ticket")
    claim_url = url_for("web:ticket_claim")
    today = timezone.localdate()
    csrf = None
    error = (
        f'\n    <p class="alert" role="alert">{escape(row_error.message)}</p>' if row_error else ""
    )
    out = []
    for ticket, actions in items:
        pk = str(ticket.pk)
        title = escape(ticket.title)
        status = ticket.status
        meta = [f"{label_html(ticket.priority)} priority", label_html(ticket.category)]
        if ticket.section:
            meta.append(escape(ticket.section))
        if ticket.song_ref:
            meta.append(escape(ticket.song_ref))
        if ticket.measures:
            meta.append(f"bars {escape(ticket.measures)}")
        if ticket.due_at:
            meta.append(f"due {escape(due_on(ticket.due_at, today))}")
        if ticket.owner_id:
            # A list row carries its owner's name; a Ticket (one row for htmx), its owner.
            name = getattr(ticket, "owner_name", _NO_NAME)
            meta.append(escape(ticket.owner.display_name if name is _NO_NAME else name))
        elif ticket.claimable:
            meta.append("unclaimed")
        claim = ""
        if actions["claim"]:
            if csrf is None:
                csrf = csrf_input(context)
            url = claim_url(pk)
            claim = f"""
    <form method="post" action="{url}"
          hx-post="{url}" hx-target="#ticket-{pk}" hx-swap="outerHTML">
      {csrf}<input type="hidden" name="from" value="list">
      <button type="submit" class="button primary" aria-describedby="ticket-{pk}-t">Claim</button>
      <span id="ticket-{pk}-t" class="visually-hidden">{title}</span>
    </form>"""
        out.append(f"""
  <li class="ticket-row card" id="ticket-{pk}">
    <div class="ticket-head">
      <a class="ticket-title" href="{ticket_url(pk)}">{title}</a>
      <span class="tag status-{escape(status.lower())}">{label_html(status)}</span>
    </div>
    <p class="muted">{" · ".join(meta)}</p>{error}{claim}
  </li>""")
    return SafeString("".join(out))  # nosec B703 - markup built here, every value through escape()


def queue_rows(context: Context, items: Iterable[dict[str, Any]]) -> SafeString:
    """The verification queue's rows, each with Verify and Reopen; a refused row (the
    context's ``row_error`` for ``error_ticket_id``) shows the message and keeps the input."""
    team_pk = context["team"].pk
    ticket_url = url_for("web:ticket")
    verify_url = url_for("web:queue_verify", team_pk)
    reopen_url = url_for("web:queue_reopen", team_pk)
    tz, today = timezone.get_current_timezone(), timezone.localdate()
    csrf = csrf_input(context)
    row_error = context.get("row_error")
    error_ticket_id = context.get("error_ticket_id")
    action = context.get("action")
    values = context.get("values") or {}
    out = []
    for item in items:
        pk = str(item["id"])
        meta = [escape(item.get("section")) if item.get("section") else "Whole team"]
        if item.get("song_ref"):
            meta.append(escape(item.get("song_ref")))
        if item.get("owner_name"):
            meta.append(escape(item["owner_name"]))
        if item.get("resolved_at"):
            meta.append(f"resolved {escape(reltime_in(item['resolved_at'], tz, today))}")
        note = item.get("resolved_note")
        quote = f'<p class="quote">{escape(note)}</p>' if note else ""
        refused = bool(row_error) and error_ticket_id == pk
        alert = f'<p class="alert" role="alert">{escape(row_error.message)}</p>' if refused else ""
        content = escape(values.get("content") or "") if refused and action == "verify" else ""
        reason = escape(values.get("reason") or "") if refused and action == "reopen" else ""
        verify, reopen = verify_url(pk), reopen_url(pk)
        out.append(f"""
    <li class="queue-row" id="queue-{pk}">
      <div class="ticket-head">
        <a class="ticket-title" href="{ticket_url(pk)}" id="queue-{pk}-t">{escape(item["title"])}</a>
        <span class="tag status-resolved">Resolved</span>
      </div>
      <p class="muted">{" · ".join(meta)}</p>
      {quote}
      {alert}
      <div class="queue-forms">
        <form method="post" action="{verify}" class="stack"
              hx-post="{verify}" hx-target="#queue-{pk}" hx-swap="outerHTML">
          {csrf}
          <div class="field"><label for="verify-{pk}">Note</label>
            <textarea id="verify-{pk}" name="content" rows="2" maxlength="2000">{content}</textarea></div>
          <button type="submit" class="button primary" aria-describedby="queue-{pk}-t">Verify</button>
        </form>
        <form method="post" action="{reopen}" class="stack"
              hx-post="{reopen}" hx-target="#queue-{pk}" hx-swap="outerHTML">
          {csrf}
          <div class="field"><label for="reopen-{pk}">Reason</label>
            <textarea id="reopen-{pk}" name="reason" rows="2" maxlength="2000" aria-describedby="reopen-{pk}-help">{reason}</textarea>
            <span id="reopen-{pk}-help" class="muted">What still needs work (needed to reopen)</span></div>
          <button type="submit" class="button" aria-describedby="queue-{pk}-t">Reopen</button>
        </form>
      </div>
    </li>""")
    return SafeString("".join(out))  # nosec B703 - markup built here, every value through escape()


def member_rows(items: Iterable[dict[str, Any]]) -> SafeString:
    """The compliance table's rows: name, section, days and minutes in the window, last log."""
    tz, today = timezone.get_current_timezone(), timezone.localdate()
    out = []
    for m in items:
        last = m["last_logged_at"]
        out.append(
            f'\n      <tr><th scope="row">{escape(m["name"])}</th>'
            f"<td>{escape(m['section'] or '—')}</td>"
            f'<td class="num">{escape(m["days_logged_7d"])}</td>'
            f'<td class="num">{escape(m["minutes_7d"])}</td>'
            f"<td>{escape(reltime_in(last, tz, today)) if last else 'never'}</td></tr>"
        )
    return SafeString("".join(out))  # nosec B703 - markup built here, every value through escape()


# --- This week's lists ------------------------------------------------------------------------


def _get(row: Any, key: str) -> Any:
    """A row's field, as the template's lookup finds it: a dict's key, else an attribute."""
    if isinstance(row, dict):
        return row.get(key)
    return getattr(row, key, None)


def _due(row: Any, today: Any) -> str:
    value = _get(row, "due_at")
    return f" · due {escape(due_on(value, today))}" if value else ""


def _my_tickets(rows: Iterable[Any], ticket_url: Callable[[Any], str], today: Any) -> list[str]:
    return [
        f'<li><a href="{ticket_url(_get(t, "pk"))}">{escape(_get(t, "title"))}</a> '
        f'<span class="muted">· {label_html(_get(t, "status"))}{_due(t, today)}</span></li>'
        for t in rows
    ]


def _due_soon_assignments(rows: Iterable[Any], _url: Any, today: Any) -> list[str]:
    return [
        f'<li><span class="tag">{label_html(_get(a, "priority"))}</span> '
        f"{escape(_get(a, 'title'))} "
        f'<span class="muted">· assignment{_due(a, today)}</span></li>'
        for a in rows
    ]


def _due_soon_tickets(
    rows: Iterable[Any], ticket_url: Callable[[Any], str], today: Any
) -> list[str]:
    return [
        f'<li><span class="tag">{label_html(_get(t, "priority"))}</span> '
        f'<a href="{ticket_url(_get(t, "id"))}">{escape(_get(t, "title"))}</a> '
        f'<span class="muted">· {label_html(_get(t, "status"))} · due '
        f"{escape(due_on(_get(t, 'due_at'), today))}</span></li>"
        for t in rows
    ]


def _practise_next(rows: Iterable[Any], ticket_url: Callable[[Any], str], today: Any) -> list[str]:
    out = []
    for item in rows:
        title = escape(_get(item, "title"))
        kind = _get(item, "kind")
        if kind == "ticket":
            title = f'<a href="{ticket_url(_get(item, "id"))}">{title}</a>'
        out.append(
            f'<li><span class="tag">{label_html(_get(item, "priority"))}</span> {title} '
            f'<span class="muted">· {escape(kind)}{_due(item, today)}</span></li>'
        )
    return out


def _new_tickets(rows: Iterable[Any], ticket_url: Callable[[Any], str], _today: Any) -> list[str]:
    out = []
    for t in rows:
        meta = [label_html(_get(t, "priority"))]
        if _get(t, "section"):
            meta.append(escape(_get(t, "section")))
        if _get(t, "measures"):
            meta.append(f"bars {escape(_get(t, 'measures'))}")
        if _get(t, "created_by_name"):
            meta.append(f"by {escape(_get(t, 'created_by_name'))}")
        out.append(
            f'<li><a href="{ticket_url(_get(t, "id"))}">{escape(_get(t, "title"))}</a> '
            f'<span class="muted">· {" · ".join(meta)}</span></li>'
        )
    return out


def _ticket_updates(rows: Iterable[Any], ticket_url: Callable[[Any], str], today: Any) -> list[str]:
    tz = timezone.get_current_timezone()
    out = []
    for u in rows:
        old, new = _get(u, "old_status"), _get(u, "new_status")
        change = (
            f"{label_html(old)} → {label_html(new)}" if old and new else label_html(_get(u, "type"))
        )
        content = _get(u, "content")
        quoted = (
            f'<br><span class="muted">“{escape(Truncator(content).chars(140))}”</span>'
            if content
            else ""
        )
        created = _get(u, "created_at")
        out.append(
            f'<li><a href="{ticket_url(_get(u, "ticket_id"))}">{escape(_get(u, "title"))}</a> '
            f'<span class="muted">· {escape(_get(u, "user_name") or "PracticeOps")} · {change} · '
            f"{escape(reltime_in(created, tz, today)) if created else ''}</span>{quoted}</li>"
        )
    return out


def _new_assignments(rows: Iterable[Any], _url: Any, _today: Any) -> list[str]:
    return [
        f'<li><span class="tag">{label_html(_get(a, "priority"))}</span> '
        f"{escape(_get(a, 'title'))} "
        f'<span class="muted">· {label_html(_get(a, "type"))}</span></li>'
        for a in rows
    ]


WEEK_LISTS: dict[str, Callable[[Iterable[Any], Callable[[Any], str], Any], list[str]]] = {
    "my_tickets": _my_tickets,
    "due_soon_assignments": _due_soon_assignments,
    "due_soon_tickets": _due_soon_tickets,
    "practise_next": _practise_next,
    "new_tickets": _new_tickets,
    "ticket_updates": _ticket_updates,
    "new_assignments": _new_assignments,
}


def week_items(kind: str, rows: Iterable[Any]) -> SafeString:
    """The ``<li>`` items of one of This week's lists (``WEEK_LISTS``)."""
    items = WEEK_LISTS[kind](rows or (), url_for("web:ticket"), timezone.localdate())
    return SafeString("".join(f"\n    {item}" for item in items))  # nosec B703 - markup built here, every value through escape()


# --- the Section overview's figure tables -----------------------------------------------------


def _cell(row: dict[str, Any], spec: str) -> str:
    """One cell of ``figure_rows``: ``key`` or ``key|default`` a row header, ``#key`` a number,
    ``#key%`` a share, ``#key:1`` an optional figure with one decimal ("—" when missing)."""
    if not spec.startswith("#"):
        key, _, default = spec.partition("|")
        value = row.get(key)
        return f'<th scope="row">{escape(value or default if default else value)}</th>'
    key = spec[1:]
    if key.endswith("%"):
        return f'<td class="num">{escape(row.get(key[:-1]))}%</td>'
    if key.endswith(":1"):
        value = row.get(key[:-2])
        text = "—" if value is None else escape(floatformat(value, 1))
        return f'<td class="num">{text}</td>'
    return f'<td class="num">{escape(row.get(key))}</td>'


def figure_rows(rows: Iterable[dict[str, Any]], specs: tuple[str, ...]) -> SafeString:
    """A table of figures per section (or song): the row's name, then its numbers."""
    return SafeString(  # nosec B703 - markup built here, every value through escape()
        "".join(f"<tr>{''.join(_cell(row, spec) for spec in specs)}</tr>" for row in rows)
    )


def nav_links(items: Iterable[Any], current: str) -> SafeString:
    """The main navigation's links (``web.nav.nav_items``), the current page marked."""
    out = []
    for item in items:
        mark = ' aria-current="page"' if item.key == current else ""
        out.append(f'\n      <li><a href="{escape(item.url)}"{mark}>{escape(item.label)}</a></li>')
    return SafeString("".join(out))  # nosec B703 - markup built here, every value through escape()
