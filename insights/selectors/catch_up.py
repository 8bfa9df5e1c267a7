"""Catch-up since the last rehearsal (api.md → "Catch-up and outcomes"): what changed for the
caller's part, and what to practise next.

Visibility is the tickets app's and the practice app's own rule (``visible_tickets_q``,
``visible_assignments_q``), narrowed where the contract lists less than the caller may see;
every block is one query, so the answer costs the same whatever the team's size.
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Iterable
from typing import Any

from django.db.models import Count, F, Q, QuerySet, Sum
from django.utils import timezone

from insights.selectors.common import local_midnight
from practice.models import Assignment, PracticeLog, Priority, priority_rank
from practice.visibility import visible_assignments_q
from practiceops.core import prepared
from practiceops.core.errors import ValidationFailed
from teams.access import own_section, scope_member, scope_shape, scope_values
from teams.models import Membership, RehearsalCycle, Team
from teams.selectors import cycle_active_for_team
from tickets.models import CLOSED_STATUSES, Ticket, TicketActivity, TicketVisibility
from tickets.visibility import visible_tickets_q

NEW_TICKETS_LIMIT = 20
UPDATES_LIMIT = 20
PRACTISE_NEXT_LIMIT = 5
DEFAULT_SINCE_DAYS = 7
SINCE_IN_FUTURE = "since must not be in the future"

_PRIORITY_ORDER = {Priority.BLOCKING: 0, Priority.MEDIUM: 1, Priority.LOW: 2}
_LATER = datetime.datetime.max.replace(tzinfo=datetime.UTC)


def _last_rehearsal_qs(*, team_id: Any, today: datetime.date) -> QuerySet:
    return (
        RehearsalCycle.objects.filter(team_id=team_id, date__lt=today)
        .order_by("-date")
        .values_list("date")[:1]
    )


# catch_up_get looks the active cycle up itself unless it is given one.
LOOK_UP = object()


def default_since(team: Team, now: datetime.datetime) -> datetime.datetime:
    """Midnight (team timezone) of the latest rehearsal dated before today, else 7 days ago.

    A rehearsal day counts from its start, so tickets raised at the rehearsal are caught up
    on; on the day of a rehearsal the catch-up still covers the time since the previous one.
    """
    today = now.astimezone(team.tzinfo).date()
    rows = prepared.run(
        (__name__, "last_rehearsal"), _last_rehearsal_qs, team_id=team.pk, today=today
    )
    last = rows[0][0] if rows else None
    if last is None:
        return now - datetime.timedelta(days=DEFAULT_SINCE_DAYS)
    return local_midnight(last, team.tzinfo)


def practise_next_order(item: dict[str, Any]) -> tuple:
    """BLOCKING first, then soonest due (none last), then oldest; ids break ties."""
    return (
        _PRIORITY_ORDER.get(item["priority"], len(_PRIORITY_ORDER)),
        item["due_at"] or _LATER,
        item["created_at"],
        str(item["id"]),
    )


def practise_next_items(
    tickets: Iterable[dict[str, Any]], assignments: Iterable[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Merge ticket and assignment rows ({id, title, priority, due_at, created_at}) into the
    contract's ``practise_next`` list. The digest hands in rows it fetched for many members."""
    items = [{"kind": "ticket", **row} for row in tickets]
    items += [{"kind": "assignment", **row} for row in assignments]
    items.sort(key=practise_next_order)
    return [
        {
            "kind": item["kind"],
            "id": item["id"],
            "title": item["title"],
            "priority": item["priority"],
            "due_at": item["due_at"],
        }
        for item in items[:PRACTISE_NEXT_LIMIT]
    ]


def practise_next_tickets_q(membership: Membership, cycle_id: Any) -> Q:
    """The member's unresolved tickets of a cycle they own or claimed (and can see)."""
    user_id = membership.user_id
    return (
        visible_tickets_q(membership)
        & Q(cycle_id=cycle_id)
        & (Q(owner_id=user_id) | Q(claimed_by_id=user_id))
        & ~Q(status__in=CLOSED_STATUSES)
    )


_NEXT_ORDER = (priority_rank(), F("due_at").asc(nulls_last=True), "created_at", "id")
_NEXT_COLUMNS = ("id", "title", "priority", "due_at", "created_at")


# The catch-up's queries, built from the caller's scope values (common.scope_values) and run
# through practiceops.core.prepared: compiled once per shape (teams.access.scope_shape).


def _run(name: str, build: Any, membership: Membership, **values: Any) -> list[tuple]:
    shape = scope_shape(membership)
    return prepared.run(
        (__name__, name, shape),
        functools.partial(build, shape),
        **scope_values(membership),
        **values,
    )


def _next_tickets_qs(shape: tuple[str, bool], *, cycle_id: Any, **scope: Any) -> QuerySet:
    return (
        Ticket.objects.filter(practise_next_tickets_q(scope_member(shape, **scope), cycle_id))
        .order_by(*_NEXT_ORDER)
        .values_list(*_NEXT_COLUMNS)[:PRACTISE_NEXT_LIMIT]
    )


def _next_assignments_qs(shape: tuple[str, bool], *, cycle_id: Any, **scope: Any) -> QuerySet:
    return (
        Assignment.objects.filter(
            visible_assignments_q(scope_member(shape, **scope)), cycle_id=cycle_id
        )
        .order_by(*_NEXT_ORDER)
        .values_list(*_NEXT_COLUMNS)[:PRACTISE_NEXT_LIMIT]
    )


def practise_next(membership: Membership, cycle: RehearsalCycle | None) -> list[dict[str, Any]]:
    if cycle is None:
        return []
    tickets = _run("next_tickets", _next_tickets_qs, membership, cycle_id=cycle.pk)
    assignments = _run("next_assignments", _next_assignments_qs, membership, cycle_id=cycle.pk)
    return practise_next_items(
        (dict(zip(_NEXT_COLUMNS, row, strict=True)) for row in tickets),
        (dict(zip(_NEXT_COLUMNS, row, strict=True)) for row in assignments),
    )


NEW_TICKET_FIELDS = (
    "id",
    "title",
    "priority",
    "status",
    "section",
    "song_ref",
    "measures",
    "created_by_name",
    "created_at",
)


def _new_tickets_qs(shape: tuple[str, bool], *, since: datetime.datetime, **scope: Any) -> QuerySet:
    membership = scope_member(shape, **scope)
    # What the caller may see, less the PRIVATE tickets of others that a leader or a creator
    # may see: the catch-up lists PRIVATE tickets only to their owner (api.md).
    listed = visible_tickets_q(membership) & (
        ~Q(visibility=TicketVisibility.PRIVATE) | Q(owner_id=membership.user_id)
    )
    return (
        Ticket.objects.filter(listed, created_at__gt=since)
        .order_by("-created_at", "-id")
        .values_list(
            "id",
            "title",
            "priority",
            "status",
            "section",
            "song_ref",
            "measures",
            "created_by__display_name",
            "created_at",
        )[:NEW_TICKETS_LIMIT]
    )


def _new_tickets(membership: Membership, since: datetime.datetime) -> list[dict[str, Any]]:
    rows = _run("new_tickets", _new_tickets_qs, membership, since=since)
    return [dict(zip(NEW_TICKET_FIELDS, row, strict=True)) for row in rows]


UPDATE_FIELDS = (
    "ticket_id",
    "title",
    "type",
    "old_status",
    "new_status",
    "user_name",
    "content",
    "created_at",
)


def _updates_qs(shape: tuple[str, bool], *, since: datetime.datetime, **scope: Any) -> QuerySet:
    membership = scope_member(shape, **scope)
    user_id = membership.user_id
    mine = (
        Q(ticket__owner_id=user_id)
        | Q(ticket__claimed_by_id=user_id)
        | Q(ticket__created_by_id=user_id)
    )
    return (
        TicketActivity.objects.filter(
            visible_tickets_q(membership, prefix="ticket__"), mine, created_at__gt=since
        )
        # Someone else: another member, staff, or a job (no user).
        .exclude(user_id=user_id)
        .order_by("-created_at", "-id")
        .values_list(
            "ticket_id",
            "ticket__title",
            "type",
            "old_status",
            "new_status",
            "user__display_name",
            "content",
            "created_at",
        )[:UPDATES_LIMIT]
    )


def _my_ticket_updates(membership: Membership, since: datetime.datetime) -> list[dict[str, Any]]:
    rows = _run("updates", _updates_qs, membership, since=since)
    return [dict(zip(UPDATE_FIELDS, row, strict=True)) for row in rows]


NEW_ASSIGNMENT_FIELDS = ("id", "title", "priority", "type", "due_at")


def _new_assignments_qs(
    shape: tuple[str, bool], *, cycle_id: Any, since: datetime.datetime, **scope: Any
) -> QuerySet:
    return (
        Assignment.objects.filter(
            visible_assignments_q(scope_member(shape, **scope)), cycle_id=cycle_id
        )
        .filter(created_at__gt=since)
        .order_by("-created_at", "-id")
        .values_list(*NEW_ASSIGNMENT_FIELDS)
    )


def _new_assignments(
    membership: Membership, cycle: RehearsalCycle | None, since: datetime.datetime
) -> list[dict[str, Any]]:
    if cycle is None:
        return []
    rows = _run("new_assignments", _new_assignments_qs, membership, cycle_id=cycle.pk, since=since)
    return [dict(zip(NEW_ASSIGNMENT_FIELDS, row, strict=True)) for row in rows]


def _section_size_qs(*, team_id: Any, section: str) -> QuerySet:
    # Grouped by the one team it filters on: one row, or none.
    return (
        Membership.objects.filter(team_id=team_id, section=section)
        .values("team_id")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("n")
    )


def _section_practice_qs(
    *, team_id: Any, section: str, since: datetime.datetime, until: datetime.datetime
) -> QuerySet:
    # Grouped by the one team it filters on: one row, or none when nobody practised.
    return (
        PracticeLog.objects.filter(
            team_id=team_id,
            user__memberships__team_id=team_id,
            user__memberships__section=section,
            occurred_at__gte=since,
            occurred_at__lte=until,
        )
        .values("team_id")
        .annotate(minutes=Sum("duration_minutes"), members=Count("user_id", distinct=True))
        .order_by()
        .values_list("minutes", "members")
    )


def _section(
    team: Team, membership: Membership, since: datetime.datetime, until: datetime.datetime
) -> dict[str, Any] | None:
    section = own_section(membership)
    if section is None:
        return None
    size = prepared.run(
        (__name__, "section_size"), _section_size_qs, team_id=team.pk, section=section
    )
    practice = prepared.run(
        (__name__, "section_practice"),
        _section_practice_qs,
        team_id=team.pk,
        section=section,
        since=since,
        until=until,
    )
    minutes, members = practice[0] if practice else (None, 0)
    return {
        "name": section,
        "minutes": minutes or 0,
        "members_practised": members,
        "member_count": size[0][0] if size else 0,
    }


def catch_up_get(
    *,
    team: Team,
    membership: Membership,
    since: datetime.datetime | None,
    now: datetime.datetime | None = None,
    cycle: RehearsalCycle | None | object = LOOK_UP,
) -> dict[str, Any]:
    """The catch-up of api.md for ``membership`` (a member of ``team``), from ``since`` (the
    last rehearsal's start when None) until ``now``. A fixed number of queries. ``cycle``: the
    team's active cycle now, when the caller has it already (This week does)."""
    now = now or timezone.now()
    if since is None:
        since = default_since(team, now)
    elif since > now:
        raise ValidationFailed(SINCE_IN_FUTURE, field="since")
    since = since.astimezone(datetime.UTC)
    until = now.astimezone(datetime.UTC)
    if cycle is LOOK_UP:
        cycle = cycle_active_for_team(team, today=now.astimezone(team.tzinfo).date())
    return {
        "since": since,
        "until": until,
        "new_tickets": _new_tickets(membership, since),
        "my_ticket_updates": _my_ticket_updates(membership, since),
        "new_assignments": _new_assignments(membership, cycle, since),
        "practise_next": practise_next(membership, cycle),
        "section": _section(team, membership, since, until),
    }
