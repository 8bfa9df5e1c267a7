"""Ticket writes made by staff from the Django admin console.

Staff are the product's operators, not team members: they usually hold no membership in the
ticket's team, and the team roles (owner/creator moves a ticket, leaders verify) do not
describe them. So these services take the staff user as the actor instead of a membership,
skip the team-role checks and keep everything else the API's services do: the same row lock,
the same ``tickets.services.apply_*`` steps after the checks (so every refusal is the API's
refusal, raised before anything is written, with the same activity rows and log events, the
latter marked ``by_staff``). A refused call raises the project's error classes and leaves the
ticket unchanged.
"""

from __future__ import annotations

import uuid

from django.db import transaction

from accounts.models import User
from practiceops.core.errors import Forbidden, NotFound, ValidationFailed
from tickets import services
from tickets.models import Ticket
from tickets.selectors import TICKET_NOT_FOUND

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
    return services.apply_transition(
        ticket, actor_id=staff_user.pk, to_status=to_status, content=content, by_staff=True
    )


@transaction.atomic
def ticket_verify_by_staff(
    *, staff_user: User, ticket_id: uuid.UUID, content: str | None = None
) -> Ticket:
    """Verify a RESOLVED ticket; staff are recorded as the verifier."""
    ticket = _locked_for_staff(staff_user, ticket_id)
    return services.apply_verify(ticket, actor_id=staff_user.pk, content=content, by_staff=True)


@transaction.atomic
def ticket_reopen_by_staff(*, staff_user: User, ticket_id: uuid.UUID, reason: str) -> Ticket:
    """Send a RESOLVED ticket back to IN_PROGRESS with a reason (refusals as /reopen's)."""
    ticket = _locked_for_staff(staff_user, ticket_id)
    return services.apply_reopen(ticket, actor_id=staff_user.pk, reason=reason, by_staff=True)


@transaction.atomic
def ticket_unclaim_by_staff(*, staff_user: User, ticket_id: uuid.UUID) -> Ticket:
    """Give a claimed ticket back to the pool (no owner, OPEN), as /unclaim does for its owner."""
    ticket = _locked_for_staff(staff_user, ticket_id)
    if not (ticket.claimable and ticket.owner_id is not None):
        raise ValidationFailed(NOT_CLAIMED)
    return services.apply_unclaim(ticket, actor_id=staff_user.pk, by_staff=True)


@transaction.atomic
def ticket_assign_by_staff(
    *, staff_user: User, ticket_id: uuid.UUID, owner_id: uuid.UUID
) -> Ticket:
    """Give the ticket to another member of its team who can see it (refusals as /assign's)."""
    ticket = _locked_for_staff(staff_user, ticket_id)
    return services.apply_assign(ticket, actor_id=staff_user.pk, owner_id=owner_id, by_staff=True)
