"""Ticket writes made by staff from the Django admin console.

Staff are the product's operators, not team members: they usually hold no membership in the
ticket's team, and the team roles (owner/creator moves a ticket, leaders verify) do not
describe them. So these services take the staff user as the actor instead of a membership,
skip the team-role checks and keep everything else the API's services do: the same row lock,
the same ``tickets.state_machine`` functions (so every refusal is the API's refusal, raised
before anything is written), the same activity rows and the same log events. A refused call
raises the project's error classes and leaves the ticket unchanged.
"""

from __future__ import annotations

import uuid

import structlog
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from practiceops.core.errors import Forbidden, NotFound, ValidationFailed
from tickets import state_machine
from tickets.models import Ticket, TicketActivityType, TicketStatus
from tickets.selectors import TICKET_NOT_FOUND
from tickets.services import VERIFIED_REASSIGN, _activity, _check_owner

logger = structlog.get_logger("tickets")

STAFF_REQUIRED = "Only staff can change tickets from the admin console"
NOT_CLAIMED = "Only a claimed ticket can be unclaimed"


def _locked_for_staff(staff_user: User, ticket_id: uuid.UUID) -> Ticket:
    """The ticket row locked until the end of the transaction (``of=("self",)``: see services)."""
    if not (staff_user.is_active and staff_user.is_staff):
        raise Forbidden(STAFF_REQUIRED)
    ticket = Ticket.objects.select_for_update(of=("self",)).filter(pk=ticket_id).first()
    if ticket is None:
        raise NotFound(TICKET_NOT_FOUND)
    return ticket


@transaction.atomic
def ticket_transition_by_staff(
    *, staff_user: User, ticket_id: uuid.UUID, to_status: str, content: str | None = None
) -> Ticket:
    """Move a ticket along the state machine on staff's say-so (refusals as /transition's)."""
    ticket = _locked_for_staff(staff_user, ticket_id)
    old_status = ticket.status
    now = timezone.now()
    state_machine.apply_transition(ticket, to_status, content=content, now=now)
    ticket.save()
    _activity(
        ticket,
        user_id=staff_user.pk,
        type=TicketActivityType.STATUS_CHANGE,
        content=content,
        old_status=old_status,
        new_status=ticket.status,
        now=now,
    )
    logger.info(
        "ticket_transitioned",
        ticket_id=str(ticket.pk),
        user_id=str(staff_user.pk),
        old_status=old_status,
        new_status=ticket.status,
        by_staff=True,
    )
    return ticket


@transaction.atomic
def ticket_verify_by_staff(
    *, staff_user: User, ticket_id: uuid.UUID, content: str | None = None
) -> Ticket:
    """Verify a RESOLVED ticket; staff are recorded as the verifier."""
    ticket = _locked_for_staff(staff_user, ticket_id)
    old_status = ticket.status
    now = timezone.now()
    state_machine.apply_verify(ticket, verifier_id=staff_user.pk, note=content, now=now)
    ticket.save()
    _activity(
        ticket,
        user_id=staff_user.pk,
        type=TicketActivityType.VERIFIED,
        content=content,
        old_status=old_status,
        new_status=ticket.status,
        now=now,
    )
    logger.info(
        "ticket_verified", ticket_id=str(ticket.pk), user_id=str(staff_user.pk), by_staff=True
    )
    return ticket


@transaction.atomic
def ticket_unclaim_by_staff(*, staff_user: User, ticket_id: uuid.UUID) -> Ticket:
    """Give a claimed ticket back to the pool (no owner, OPEN), as /unclaim does for its owner."""
    ticket = _locked_for_staff(staff_user, ticket_id)
    if not (ticket.claimable and ticket.owner_id is not None):
        raise ValidationFailed(NOT_CLAIMED)
    old_status = ticket.status
    state_machine.apply_unclaim(ticket)
    ticket.owner_id = None
    ticket.claimed_by_id = None
    ticket.claimed_at = None
    ticket.save()
    _activity(
        ticket,
        user_id=staff_user.pk,
        type=TicketActivityType.REASSIGNED,
        content="Unclaimed",
        old_status=old_status,
        new_status=ticket.status,
        now=ticket.updated_at,
    )
    logger.info(
        "ticket_unclaimed", ticket_id=str(ticket.pk), user_id=str(staff_user.pk), by_staff=True
    )
    return ticket


@transaction.atomic
def ticket_assign_by_staff(
    *, staff_user: User, ticket_id: uuid.UUID, owner_id: uuid.UUID
) -> Ticket:
    """Give the ticket to another member of its team who can see it (refusals as /assign's)."""
    ticket = _locked_for_staff(staff_user, ticket_id)
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
        user_id=staff_user.pk,
        type=TicketActivityType.REASSIGNED,
        content=f"Assigned to {new_owner.user.display_name}",
        now=ticket.updated_at,
    )
    logger.info(
        "ticket_reassigned",
        ticket_id=str(ticket.pk),
        user_id=str(staff_user.pk),
        owner_id=str(owner_id),
        by_staff=True,
    )
    return ticket
