"""Catch-up since the last rehearsal (api.md → "Catch-up and outcomes"): what changed for the
caller's part, and what to practise next.

Visibility is the tickets app's and the practice app's own rule (``visible_tickets_q``,
``visible_assignments_q``), narrowed where the contract lists less than the caller may see;
every block is one query, so the answer costs the same whatever the team's size.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.db.models import Count, F, Q, Sum
from django.utils import timezone

from insights.selectors.common import local_midnight
from practice.models import Assignment, PracticeLog, Priority, priority_rank
from practice.visibility import visible_assignments_q
from practiceops.core.errors import ValidationFailed
from teams.access import own_section
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


def default_since(team: Team, now: datetime.datetime) -> datetime.datetime:
    """Midnight (team timezone) of the latest rehearsal dated before today, else 7 days ago.

    A rehearsal day counts from its start, so tickets raised at the rehearsal are caught up
    on; on the day of a rehearsal the catch-up still covers the time since the previous one.
    """
    today = now.astimezone(team.tzinfo).date()
    last = (
        RehearsalCycle.objects.filter(team=team, date__lt=today)
        .order_by("-date")
        .values_list("date", flat=True)
        .first()
    )
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


def practise_next(membership: Membership, cycle: RehearsalCycle | None) -> list[dict[str, Any]]:
    if cycle is None:
        return []
    tickets = (
        Ticket.objects.filter(practise_next_tickets_q(membership, cycle.pk))
        .order_by(*_NEXT_ORDER)
        .values(*_NEXT_COLUMNS)[:PRACTISE_NEXT_LIMIT]
    )
    assignments = (
        Assignment.objects.filter(visible_assignments_q(membership), cycle=cycle)
        .order_by(*_NEXT_ORDER)
        .values(*_NEXT_COLUMNS)[:PRACTISE_NEXT_LIMIT]
    )
    return practise_next_items(tickets, assignments)


def _new_tickets(membership: Membership, since: datetime.datetime) -> list[dict[str, Any]]:
    # What the caller may see, less the PRIVATE tickets of others that a leader or a creator
    # may see: the catch-up lists PRIVATE tickets only to their owner (api.md).
    listed = visible_tickets_q(membership) & (
        ~Q(visibility=TicketVisibility.PRIVATE) | Q(owner_id=membership.user_id)
    )
    rows = (
        Ticket.objects.filter(listed, created_at__gt=since)
        .order_by("-created_at", "-id")
        .values(
            "id",
            "title",
            "priority",
            "status",
            "section",
            "song_ref",
            "measures",
            "created_at",
            created_by_name=F("created_by__display_name"),
        )[:NEW_TICKETS_LIMIT]
    )
    keys = (
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
    return [{key: row[key] for key in keys} for row in rows]


def _my_ticket_updates(membership: Membership, since: datetime.datetime) -> list[dict[str, Any]]:
    user_id = membership.user_id
    mine = (
        Q(ticket__owner_id=user_id)
        | Q(ticket__claimed_by_id=user_id)
        | Q(ticket__created_by_id=user_id)
    )
    rows = (
        TicketActivity.objects.filter(
            visible_tickets_q(membership, prefix="ticket__"), mine, created_at__gt=since
        )
        # Someone else: another member, staff, or a job (no user).
        .exclude(user_id=user_id)
        .order_by("-created_at", "-id")
        .values(
            "ticket_id",
            "type",
            "old_status",
            "new_status",
            "content",
            "created_at",
            title=F("ticket__title"),
            user_name=F("user__display_name"),
        )[:UPDATES_LIMIT]
    )
    keys = (
        "ticket_id",
        "title",
        "type",
        "old_status",
        "new_status",
        "user_name",
        "content",
        "created_at",
    )
    return [{key: row[key] for key in keys} for row in rows]


def _new_assignments(
    membership: Membership, cycle: RehearsalCycle | None, since: datetime.datetime
) -> list[dict[str, Any]]:
    if cycle is None:
        return []
    return list(
        Assignment.objects.filter(visible_assignments_q(membership), cycle=cycle)
        .filter(created_at__gt=since)
        .order_by("-created_at", "-id")
        .values("id", "title", "priority", "type", "due_at")
    )


def _section(
    team: Team, membership: Membership, since: datetime.datetime, until: datetime.datetime
) -> dict[str, Any] | None:
    section = own_section(membership)
    if section is None:
        return None
    member_count = Membership.objects.filter(team=team, section=section).count()
    practice = PracticeLog.objects.filter(
        team=team,
        user__memberships__team=team,
        user__memberships__section=section,
        occurred_at__gte=since,
        occurred_at__lte=until,
    ).aggregate(minutes=Sum("duration_minutes"), members=Count("user_id", distinct=True))
    return {
        "name": section,
        "minutes": practice["minutes"] or 0,
        "members_practised": practice["members"],
        "member_count": member_count,
    }


def catch_up_get(
    *,
    team: Team,
    membership: Membership,
    since: datetime.datetime | None,
    now: datetime.datetime | None = None,
) -> dict[str, Any]:
    """The catch-up of api.md for ``membership`` (a member of ``team``), from ``since`` (the
    last rehearsal's start when None) until ``now``. A fixed number of queries."""
    now = now or timezone.now()
    if since is None:
        since = default_since(team, now)
    elif since > now:
        raise ValidationFailed(SINCE_IN_FUTURE, field="since")
    since = since.astimezone(datetime.UTC)
    until = now.astimezone(datetime.UTC)
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
