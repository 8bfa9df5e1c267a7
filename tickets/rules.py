"""Who may do what to a ticket (domain.md → "Who sees and does what").

Each check is a pure function of the caller's membership and the ticket as it is now; the
services call them on the locked row, so a concurrent edit cannot slip a ticket out of the
caller's reach between the check and the write. Visibility itself is ``tickets.visibility``.
"""

from __future__ import annotations

from django.db.models import Q

from teams.access import in_own_section, is_admin, is_leader, own_section
from teams.models import Membership, Role
from tickets import state_machine
from tickets.models import CLOSED_STATUSES, Ticket, TicketStatus, TicketVisibility


def is_owner_or_creator(membership: Membership, ticket: Ticket) -> bool:
    return membership.user_id in (ticket.owner_id, ticket.created_by_id)


def can_edit(membership: Membership, ticket: Ticket) -> bool:
    """Owner or creator; a SECTION_LEADER also their own section's tickets; an ADMIN all."""
    if is_admin(membership) or is_owner_or_creator(membership, ticket):
        return True
    return membership.role == Role.SECTION_LEADER and in_own_section(membership, ticket.section)


def can_transition(membership: Membership, ticket: Ticket) -> bool:
    """Whatever the role: only the people the ticket belongs to move it along."""
    return is_owner_or_creator(membership, ticket)


def verify_scope_q(membership: Membership, *, prefix: str = "") -> Q:
    """Tickets (in any status) of the team that ``membership`` may verify.

    ADMIN: all; SECTION_LEADER: TEAM tickets and SECTION/PRIVATE tickets of their own section;
    MEMBER: none.
    """
    p = prefix
    team_q = Q(**{f"{p}team_id": membership.team_id})
    if is_admin(membership):
        return team_q
    if membership.role != Role.SECTION_LEADER:
        return Q(pk__in=[])
    rule = Q(**{f"{p}visibility": TicketVisibility.TEAM})
    section = own_section(membership)
    if section:
        rule |= Q(
            **{
                f"{p}visibility__in": [TicketVisibility.SECTION, TicketVisibility.PRIVATE],
                f"{p}section": section,
            }
        )
    return team_q & rule


def can_verify(membership: Membership, ticket: Ticket) -> bool:
    """The same rule as ``verify_scope_q`` for one ticket in memory."""
    if ticket.team_id != membership.team_id:
        return False
    if is_admin(membership):
        return True
    if membership.role != Role.SECTION_LEADER:
        return False
    if ticket.visibility == TicketVisibility.TEAM:
        return True
    return in_own_section(membership, ticket.section)


def can_reassign(membership: Membership, ticket: Ticket) -> bool:
    """An ADMIN, or the SECTION_LEADER of the ticket's section."""
    if is_admin(membership):
        return True
    return membership.role == Role.SECTION_LEADER and in_own_section(membership, ticket.section)


def can_unclaim(membership: Membership, ticket: Ticket) -> bool:
    return (
        ticket.claimable and ticket.owner_id is not None and ticket.owner_id == membership.user_id
    )


def can_claim(membership: Membership, ticket: Ticket) -> bool:
    """An unowned claimable ticket that is not closed (the conditional UPDATE of ticket_claim)."""
    return ticket.claimable and ticket.owner_id is None and ticket.status not in CLOSED_STATUSES


def ticket_actions(membership: Membership, ticket: Ticket) -> dict[str, object]:
    """What ``membership`` may do to ``ticket`` now, from the checks the services refuse with.

    A page offers exactly these: ``transitions`` lists the statuses /transition would accept
    from this caller; the flags mirror the permission and state checks of claim, unclaim,
    verify, reopen, reassign and edit. The ticket is one the caller can see.
    """
    return {
        "claim": can_claim(membership, ticket),
        "unclaim": can_unclaim(membership, ticket) and ticket.status not in CLOSED_STATUSES,
        "transitions": (
            state_machine.transitions_from(ticket.status)
            if can_transition(membership, ticket)
            else []
        ),
        "verify": (
            is_leader(membership)
            and can_verify(membership, ticket)
            and ticket.status == TicketStatus.RESOLVED
        ),
        # Reopen is for whoever may verify (tickets.services._require_verifier).
        "reopen": (
            is_leader(membership)
            and can_verify(membership, ticket)
            and ticket.status == TicketStatus.RESOLVED
        ),
        "reassign": (
            is_leader(membership)
            and can_reassign(membership, ticket)
            and ticket.status != TicketStatus.VERIFIED
        ),
        "edit": can_edit(membership, ticket),
    }
