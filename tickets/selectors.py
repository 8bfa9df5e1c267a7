"""Ticket reads on a member's behalf: visibility is applied here, once, for lists and details."""

from __future__ import annotations

import dataclasses
import functools
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import F, Q, QuerySet

from practice.models import priority_rank
from practiceops.core import prepared
from practiceops.core.errors import NotFound, ValidationFailed
from practiceops.core.pagination import null_flag
from practiceops.core.params import parse_uuid
from teams.access import (
    cycle_and_membership,
    require_member,
    scope_member,
    scope_shape,
    scope_values,
)
from teams.models import Membership, RehearsalCycle
from tickets.models import (
    CLOSED_STATUSES,
    STALE_RELEASE_PREFIX,
    Ticket,
    TicketActivity,
    TicketActivityType,
    TicketStatus,
)
from tickets.rules import verify_scope_q
from tickets.visibility import can_view, visible_tickets_q

TICKET_NOT_FOUND = "Ticket not found"
CYCLE_NOT_FOUND = "Cycle not found"
UNKNOWN_TICKET_IDS = "Unknown or inaccessible ticket id"

# priority (BLOCKING first), due_at with nulls last, most recently updated first, then id.
TICKET_ORDERING = ("priority_rank", "due_null", "due_at", "-updated_at", "id")
ACTIVITY_ORDERING = ("created_at", "id")


@dataclass(frozen=True)
class TicketFilters:
    status: str | None = None
    priority: str | None = None
    category: str | None = None
    visibility: str | None = None
    section: str | None = None
    song_ref: str | None = None
    owner_me: bool = False
    cycle_id: uuid.UUID | None = None


def cycle_get_for_user(user: Any, cycle_id: Any) -> tuple[RehearsalCycle, Membership]:
    """The cycle (404 when unknown) and the caller's membership of its team (403 otherwise)."""
    return cycle_and_membership(user, cycle_id)


def ticket_get_for_user(user: Any, ticket_id: Any) -> tuple[Ticket, Membership]:
    """The ticket and the caller's membership of its team.

    404 for an unknown id, 403 "Not a member of this team" for a caller outside the team, and
    404 again for a member who may not see the ticket: its existence is not theirs to learn.
    """
    pk = parse_uuid(ticket_id, field="ticket_id")
    ticket = Ticket.objects.filter(pk=pk).first()
    if ticket is None:
        raise NotFound(TICKET_NOT_FOUND)
    membership = require_member(user, ticket.team_id)
    if not can_view(membership, ticket):
        raise NotFound(TICKET_NOT_FOUND)
    return ticket, membership


def ticket_list_for_user(
    membership: Membership, filters: TicketFilters | None = None
) -> QuerySet[Ticket]:
    """The tickets of the membership's team it may see, filtered, annotated for TICKET_ORDERING."""
    filters = filters or TicketFilters()
    qs = Ticket.objects.filter(visible_tickets_q(membership))
    exact = {
        "status": filters.status,
        "priority": filters.priority,
        "category": filters.category,
        "visibility": filters.visibility,
        "section": filters.section,
        "song_ref": filters.song_ref,
        "cycle_id": filters.cycle_id,
    }
    qs = qs.filter(**{name: value for name, value in exact.items() if value is not None})
    if filters.owner_me:
        qs = qs.filter(owner_id=membership.user_id)
    return qs.annotate(priority_rank=priority_rank(), due_null=null_flag("due_at"))


_FILTER_VALUES = tuple(f.name for f in dataclasses.fields(TicketFilters) if f.name != "owner_me")


def ticket_rows(
    membership: Membership,
    filters: TicketFilters,
    columns: tuple[str, ...],
    start: int,
    stop: int,
    *,
    open_only: bool = False,
    owner_name: bool = False,
) -> list[tuple]:
    """Rows ``start:stop`` of ``ticket_list_for_user(membership, filters)`` in TICKET_ORDERING,
    ``columns`` as tuples (``owner_name``: the owner's display name may be one; ``open_only``:
    not RESOLVED or VERIFIED), through a query compiled once per shape
    (practiceops/core/prepared.py): the lists every ticket page and This week show."""
    filter_values = {
        f"filter_{name}": getattr(filters, name)
        for name in _FILTER_VALUES
        if getattr(filters, name) is not None
    }
    shape = scope_shape(membership)
    options = (columns, start, stop, open_only, owner_name, filters.owner_me)
    key = ("tickets.ticket_rows", shape, options, tuple(filter_values))
    build = functools.partial(_ticket_rows_queryset, shape, options)
    return prepared.run(key, build, **scope_values(membership), **filter_values)


def _ticket_rows_queryset(
    shape: tuple[str, bool],
    options: tuple[Any, ...],
    *,
    team_id: Any,
    user_id: Any,
    section: str | None = None,
    **filter_values: Any,
) -> QuerySet:
    columns, start, stop, open_only, owner_name, owner_me = options
    filters = TicketFilters(
        owner_me=owner_me,
        **{name.removeprefix("filter_"): value for name, value in filter_values.items()},
    )
    queryset = ticket_list_for_user(scope_member(shape, team_id, user_id, section), filters)
    if open_only:
        queryset = queryset.exclude(status__in=CLOSED_STATUSES)
    if owner_name:
        queryset = queryset.annotate(owner_name=F("owner__display_name"))
    return queryset.order_by(*TICKET_ORDERING).values_list(*columns)[start:stop]


def verifiable_tickets_q(membership: Membership, *, prefix: str = "") -> Q:
    """RESOLVED tickets the membership may see and verify (the leader's verification queue)."""
    return (
        visible_tickets_q(membership, prefix=prefix)
        & verify_scope_q(membership, prefix=prefix)
        & Q(**{f"{prefix}status": TicketStatus.RESOLVED})
    )


def stale_release_q(*, prefix: str = "") -> Q:
    """Activity rows that record a release by the stale-claim job (see STALE_RELEASE_PREFIX)."""
    p = prefix
    return Q(
        **{
            f"{p}type": TicketActivityType.REASSIGNED,
            f"{p}user_id__isnull": True,
            f"{p}content__startswith": STALE_RELEASE_PREFIX,
        }
    )


def activity_list_for_ticket(ticket: Ticket) -> QuerySet[TicketActivity]:
    """The ticket's history; the caller has already been shown the ticket (ticket_get_for_user)."""
    return TicketActivity.objects.filter(ticket_id=ticket.pk).select_related("user")


def tickets_for_practice_log(membership: Membership, ticket_ids: Sequence[Any]) -> list[Ticket]:
    """Resolve the ``ticket_ids`` of a practice log into visible tickets of the member's team.

    Registered with ``practice.links`` in TicketsConfig.ready(). Duplicates collapse; an id
    that is malformed, unknown, of another team or not visible to the member is refused
    with one message, so the refusal does not tell which of these it was.
    """
    wanted: list[uuid.UUID] = []
    for raw in ticket_ids:
        if isinstance(raw, uuid.UUID):
            pk = raw
        else:
            try:
                pk = parse_uuid(raw, field="ticket_ids")
            except ValidationFailed:
                raise ValidationFailed("Must be a list of ticket ids", field="ticket_ids")
        if pk not in wanted:
            wanted.append(pk)
    if not wanted:
        return []
    found = {t.pk: t for t in Ticket.objects.filter(visible_tickets_q(membership), pk__in=wanted)}
    if len(found) != len(wanted):
        raise ValidationFailed(UNKNOWN_TICKET_IDS, field="ticket_ids")
    return [found[pk] for pk in wanted]
