"""Every write to a ticket: create, edit, claim, unclaim, reassign, transition, verify, reopen,
comment.

Each service is one transaction that writes the ticket change and its TicketActivity row
together. The caller's access is re-checked on the locked row (or inside a conditional
UPDATE), because visibility, owner and status may have changed since the request looked the
ticket up. ``status`` only ever changes through ``tickets.state_machine``.
"""

from __future__ import annotations

import datetime
import uuid
from typing import Any

import structlog
from django.db import transaction
from django.utils import timezone

from practiceops.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from teams.access import LEADER_REQUIRED, is_leader, own_section
from teams.models import Membership, RehearsalCycle
from tickets import state_machine
from tickets.models import (
    CLOSED_STATUSES,
    Ticket,
    TicketActivity,
    TicketActivityType,
    TicketStatus,
    TicketVisibility,
)
from tickets.rules import can_edit, can_reassign, can_transition, can_unclaim, can_verify
from tickets.selectors import TICKET_NOT_FOUND
from tickets.visibility import can_view, visible_tickets_q

logger = structlog.get_logger("tickets")

NOT_CLAIMABLE = "This ticket is not claimable"
ALREADY_CLAIMED = "Ticket has already been claimed"
CLOSED_CLAIM = "A resolved or verified ticket cannot be claimed"
CLAIMABLE_NEEDS_LEADER = "Only section leaders and admins can create claimable tickets"
CLAIMABLE_WITH_OWNER = "A claimable ticket cannot be created with an owner"
OWNER_NOT_MEMBER = "Owner must be a member of this team"
OWNER_CANNOT_VIEW = "The owner must be able to see this ticket"
SECTION_REQUIRED = "A section is required for SECTION visibility"
EDIT_FORBIDDEN = "You do not have permission to edit this ticket"
TRANSITION_FORBIDDEN = "Only the ticket's owner or creator can change its status"
VERIFY_OUT_OF_SCOPE = (
    "Section leaders can only verify TEAM tickets and tickets of their own section"
)
REASSIGN_FORBIDDEN = "Only an admin or the section leader of this ticket's section can reassign it"
UNCLAIM_FORBIDDEN = "Only the current owner of a claimed ticket can unclaim it"
VERIFIED_REASSIGN = "A verified ticket cannot be reassigned"

EDITABLE_FIELDS = (
    "title",
    "description",
    "category",
    "song_ref",
    "measures",
    "priority",
    "visibility",
    "section",
    "due_at",
)


def _activity(
    ticket: Ticket,
    *,
    user_id: Any,
    type: str,
    content: str | None = None,
    old_status: str | None = None,
    new_status: str | None = None,
    now: datetime.datetime | None = None,
) -> TicketActivity:
    return TicketActivity.objects.create(
        ticket=ticket,
        user_id=user_id,
        type=type,
        content=content,
        old_status=old_status,
        new_status=new_status,
        created_at=now or timezone.now(),
    )


def _locked(membership: Membership, ticket_id: uuid.UUID) -> Ticket:
    """The ticket row locked until the end of the transaction, if the member can still see it.

    ``of=("self",)`` because PostgreSQL refuses FOR UPDATE across the nullable joins Django may
    add; the lock is what serializes concurrent changes to one ticket.
    """
    ticket = Ticket.objects.select_for_update(of=("self",)).filter(pk=ticket_id).first()
    if ticket is None or not can_view(membership, ticket):
        raise NotFound(TICKET_NOT_FOUND)
    return ticket


def _check_owner(team_id: uuid.UUID, owner_id: uuid.UUID, ticket: Ticket) -> Membership:
    owner = (
        Membership.objects.select_related("user").filter(team_id=team_id, user_id=owner_id).first()
    )
    if owner is None:
        raise ValidationFailed(OWNER_NOT_MEMBER, field="owner_id")
    if not can_view(owner, ticket):
        raise ValidationFailed(OWNER_CANNOT_VIEW, field="owner_id")
    return owner


@transaction.atomic
def ticket_create(
    *,
    membership: Membership,
    cycle: RehearsalCycle,
    title: str,
    category: str,
    priority: str,
    visibility: str,
    description: str | None = None,
    song_ref: str | None = None,
    measures: str | None = None,
    section: str | None = None,
    owner_id: uuid.UUID | None = None,
    claimable: bool = False,
    due_at: datetime.datetime | None = None,
) -> Ticket:
    """Create a ticket in ``cycle`` for ``membership`` (a member of the cycle's team)."""
    if claimable and not is_leader(membership):
        raise Forbidden(CLAIMABLE_NEEDS_LEADER)
    if claimable and owner_id is not None:
        raise ValidationFailed(CLAIMABLE_WITH_OWNER, field="owner_id")
    if not section and visibility != TicketVisibility.TEAM:
        section = own_section(membership)
    if visibility == TicketVisibility.SECTION and not section:
        raise ValidationFailed(SECTION_REQUIRED, field="section")
    user_id = membership.user_id
    ticket = Ticket(
        team_id=cycle.team_id,
        cycle=cycle,
        owner_id=None if claimable else (owner_id or user_id),
        created_by_id=user_id,
        claimable=claimable,
        category=category,
        priority=priority,
        status=TicketStatus.OPEN,
        visibility=visibility,
        section=section or None,
        title=title,
        description=description,
        song_ref=song_ref,
        measures=measures,
        due_at=due_at if due_at is not None else cycle.date_as_datetime,
    )
    if owner_id is not None and owner_id != user_id:
        _check_owner(cycle.team_id, owner_id, ticket)
    ticket.save()
    _activity(
        ticket,
        user_id=user_id,
        type=TicketActivityType.CREATED,
        new_status=ticket.status,
        now=ticket.created_at,
    )
    logger.info(
        "ticket_created",
        ticket_id=str(ticket.pk),
        team_id=str(ticket.team_id),
        user_id=str(user_id),
    )
    return ticket


@transaction.atomic
def ticket_update(
    *, membership: Membership, ticket_id: uuid.UUID, changes: dict[str, Any]
) -> Ticket:
    """Edit a ticket's fields. ``status`` is not one of them: it belongs to the state machine."""
    if "status" in changes:
        raise ValidationFailed(
            "Status can only be changed with /transition or /verify", field="status"
        )
    ticket = _locked(membership, ticket_id)
    if not can_edit(membership, ticket):
        raise Forbidden(EDIT_FORBIDDEN)
    changed = [
        name
        for name in EDITABLE_FIELDS
        if name in changes and getattr(ticket, name) != changes[name]
    ]
    if not changed:
        return ticket
    for name in changed:
        setattr(ticket, name, changes[name])
    if not ticket.section:
        ticket.section = None
    if ticket.visibility == TicketVisibility.SECTION and not ticket.section:
        raise ValidationFailed(SECTION_REQUIRED, field="section")
    ticket.save()
    # Every change writes its activity row (domain.md). The activity types have no "edited";
    # an edit is recorded as a note in the history naming the fields that changed.
    _activity(
        ticket,
        user_id=membership.user_id,
        type=TicketActivityType.COMMENT,
        content=f"Edited: {', '.join(changed)}",
        now=ticket.updated_at,
    )
    logger.info(
        "ticket_updated", ticket_id=str(ticket.pk), user_id=str(membership.user_id), fields=changed
    )
    return ticket


@transaction.atomic
def ticket_claim(*, membership: Membership, ticket_id: uuid.UUID) -> Ticket:
    """Make the caller the owner of an unowned claimable ticket they can see.

    One conditional UPDATE decides the race: of N simultaneous claims exactly one matches
    ``owner IS NULL`` (PostgreSQL re-checks the condition after waiting on the winner's row
    lock); the others update nothing and are told why by re-reading the row.
    """
    now = timezone.now()
    user_id = membership.user_id
    won = (
        Ticket.objects.filter(
            visible_tickets_q(membership),
            pk=ticket_id,
            claimable=True,
            owner__isnull=True,
        )
        .exclude(status__in=CLOSED_STATUSES)
        .update(owner_id=user_id, claimed_by_id=user_id, claimed_at=now, updated_at=now)
    )
    ticket = Ticket.objects.filter(pk=ticket_id).first()
    if ticket is None or not can_view(membership, ticket):
        raise NotFound(TICKET_NOT_FOUND)
    if not won:
        if not ticket.claimable:
            raise Forbidden(NOT_CLAIMABLE)
        if ticket.owner_id is not None:
            raise Conflict(ALREADY_CLAIMED)
        raise ValidationFailed(CLOSED_CLAIM)
    _activity(ticket, user_id=user_id, type=TicketActivityType.CLAIMED, now=now)
    logger.info("ticket_claimed", ticket_id=str(ticket.pk), user_id=str(user_id))
    return ticket


def apply_unclaim(ticket: Ticket, *, actor_id: uuid.UUID, **log: Any) -> Ticket:
    """On a locked ``ticket`` the actor may unclaim: back to the pool, with its activity row.

    The API's service and the admin console's (``tickets.staff_services``) differ only in
    who may act; ``log`` adds their fields to the log event.
    """
    old_status = ticket.status
    state_machine.apply_unclaim(ticket)
    ticket.owner_id = None
    ticket.claimed_by_id = None
    ticket.claimed_at = None
    ticket.save()
    _activity(
        ticket,
        user_id=actor_id,
        type=TicketActivityType.REASSIGNED,
        content="Unclaimed",
        old_status=old_status,
        new_status=ticket.status,
        now=ticket.updated_at,
    )
    logger.info("ticket_unclaimed", ticket_id=str(ticket.pk), user_id=str(actor_id), **log)
    return ticket


@transaction.atomic
def ticket_unclaim(*, membership: Membership, ticket_id: uuid.UUID) -> Ticket:
    """Give a claimed ticket back to the pool: no owner, status OPEN."""
    ticket = _locked(membership, ticket_id)
    if not can_unclaim(membership, ticket):
        raise Forbidden(UNCLAIM_FORBIDDEN)
    return apply_unclaim(ticket, actor_id=membership.user_id)


def apply_assign(ticket: Ticket, *, actor_id: uuid.UUID, owner_id: uuid.UUID, **log: Any) -> Ticket:
    """On a locked ``ticket``: give it to another member who can see it (refusals as /assign's)."""
    if ticket.status == TicketStatus.VERIFIED:
        raise ValidationFailed(VERIFIED_REASSIGN)
    new_owner = _check_owner(ticket.team_id, owner_id, ticket)
    if ticket.owner_id == owner_id:
        return ticket
    ticket.owner_id = owner_id
    # claimed_by names who holds the ticket by claiming it; after a reassignment nobody does.
    ticket.claimed_by_id = None
    ticket.claimed_at = None
    ticket.save()
    _activity(
        ticket,
        user_id=actor_id,
        type=TicketActivityType.REASSIGNED,
        content=f"Assigned to {new_owner.user.display_name}",
        now=ticket.updated_at,
    )
    logger.info(
        "ticket_reassigned",
        ticket_id=str(ticket.pk),
        user_id=str(actor_id),
        owner_id=str(owner_id),
        **log,
    )
    return ticket


@transaction.atomic
def ticket_assign(*, membership: Membership, ticket_id: uuid.UUID, owner_id: uuid.UUID) -> Ticket:
    """Set the owner to another team member who can see the ticket (ADMIN / section leader)."""
    ticket = _locked(membership, ticket_id)
    if not is_leader(membership):
        raise Forbidden(LEADER_REQUIRED)
    if not can_reassign(membership, ticket):
        raise Forbidden(REASSIGN_FORBIDDEN)
    return apply_assign(ticket, actor_id=membership.user_id, owner_id=owner_id)


def apply_transition(
    ticket: Ticket, *, actor_id: uuid.UUID, to_status: str, content: str | None, **log: Any
) -> Ticket:
    """On a locked ``ticket``: one state-machine move, saved with its activity row."""
    old_status = ticket.status
    now = timezone.now()
    state_machine.apply_transition(ticket, to_status, content=content, now=now)
    ticket.save()
    _activity(
        ticket,
        user_id=actor_id,
        type=TicketActivityType.STATUS_CHANGE,
        content=content,
        old_status=old_status,
        new_status=ticket.status,
        now=now,
    )
    logger.info(
        "ticket_transitioned",
        ticket_id=str(ticket.pk),
        user_id=str(actor_id),
        old_status=old_status,
        new_status=ticket.status,
        **log,
    )
    return ticket


@transaction.atomic
def ticket_transition(
    *, membership: Membership, ticket_id: uuid.UUID, to_status: str, content: str | None = None
) -> Ticket:
    """Move a ticket along the state machine; the row lock serializes concurrent moves."""
    ticket = _locked(membership, ticket_id)
    if not can_transition(membership, ticket):
        raise Forbidden(TRANSITION_FORBIDDEN)
    return apply_transition(
        ticket, actor_id=membership.user_id, to_status=to_status, content=content
    )


def apply_verify(ticket: Ticket, *, actor_id: uuid.UUID, content: str | None, **log: Any) -> Ticket:
    """On a locked RESOLVED ``ticket``: verified by the actor, with its activity row."""
    old_status = ticket.status
    now = timezone.now()
    state_machine.apply_verify(ticket, verifier_id=actor_id, note=content, now=now)
    ticket.save()
    _activity(
        ticket,
        user_id=actor_id,
        type=TicketActivityType.VERIFIED,
        content=content,
        old_status=old_status,
        new_status=ticket.status,
        now=now,
    )
    logger.info("ticket_verified", ticket_id=str(ticket.pk), user_id=str(actor_id), **log)
    return ticket


def _require_verifier(membership: Membership, ticket: Ticket) -> None:
    """The verify permission (leaders, within their verify scope); /reopen uses it too."""
    if not is_leader(membership):
        raise Forbidden(LEADER_REQUIRED)
    if not can_verify(membership, ticket):
        raise Forbidden(VERIFY_OUT_OF_SCOPE)


@transaction.atomic
def ticket_verify(
    *, membership: Membership, ticket_id: uuid.UUID, content: str | None = None
) -> Ticket:
    """Verify a RESOLVED ticket (leaders, within their verify scope)."""
    ticket = _locked(membership, ticket_id)
    _require_verifier(membership, ticket)
    return apply_verify(ticket, actor_id=membership.user_id, content=content)


def apply_reopen(ticket: Ticket, *, actor_id: uuid.UUID, reason: str, **log: Any) -> Ticket:
    """On a locked RESOLVED ``ticket``: back to IN_PROGRESS with the reason as its activity."""
    old_status = ticket.status
    now = timezone.now()
    state_machine.apply_reopen(ticket, reason=reason)
    ticket.save()
    _activity(
        ticket,
        user_id=actor_id,
        type=TicketActivityType.STATUS_CHANGE,
        content=reason,
        old_status=old_status,
        new_status=ticket.status,
        now=now,
    )
    logger.info("ticket_reopened", ticket_id=str(ticket.pk), user_id=str(actor_id), **log)
    return ticket


@transaction.atomic
def ticket_reopen(*, membership: Membership, ticket_id: uuid.UUID, reason: str) -> Ticket:
    """Send a RESOLVED ticket back to IN_PROGRESS (whoever may verify it).

    The row lock serializes it against a concurrent verify or reopen: the second one sees the
    status the first left and is refused by the state machine.
    """
    ticket = _locked(membership, ticket_id)
    _require_verifier(membership, ticket)
    return apply_reopen(ticket, actor_id=membership.user_id, reason=reason)


@transaction.atomic
def ticket_comment(*, membership: Membership, ticket_id: uuid.UUID, content: str) -> TicketActivity:
    """Add a comment to a ticket the member can see."""
    ticket = Ticket.objects.filter(pk=ticket_id).first()
    if ticket is None or not can_view(membership, ticket):
        raise NotFound(TICKET_NOT_FOUND)
    activity = _activity(
        ticket, user_id=membership.user_id, type=TicketActivityType.COMMENT, content=content
    )
    logger.info("ticket_commented", ticket_id=str(ticket.pk), user_id=str(membership.user_id))
    return activity
