"""The ticket visibility rule of domain.md, as a query filter used by every ticket read."""

from __future__ import annotations

from django.db.models import Q

from teams.access import is_admin, own_section
from teams.models import Membership, Role
from tickets.models import TicketVisibility


def visible_tickets_q(membership: Membership, *, prefix: str = "") -> Q:
    """Tickets of ``membership.team`` the member may see.

    - ADMIN: every ticket of the team.
    - Everyone: TEAM tickets; SECTION tickets of their own section; PRIVATE tickets they
      own or created.
    - SECTION_LEADER additionally: PRIVATE tickets of their own section.
    """
    p = prefix
    team_q = Q(**{f"{p}team_id": membership.team_id})
    if is_admin(membership):
        return team_q
    section = own_section(membership)
    user_id = membership.user_id
    # Written with as few lookups as the rule allows: every request that lists tickets pays
    # for building this filter.
    mine = Q(**{f"{p}owner_id": user_id}) | Q(**{f"{p}created_by_id": user_id})
    rule = Q(**{f"{p}visibility": TicketVisibility.TEAM})
    rule |= Q(**{f"{p}visibility": TicketVisibility.PRIVATE}) & mine
    if section:
        if membership.role == Role.SECTION_LEADER:
            in_section = {
                f"{p}visibility__in": [TicketVisibility.SECTION, TicketVisibility.PRIVATE]
            }
        else:
            in_section = {f"{p}visibility": TicketVisibility.SECTION}
        rule |= Q(**{f"{p}section": section, **in_section})
    return team_q & rule


def can_view(membership: Membership, ticket) -> bool:  # type: ignore[no-untyped-def]
    """The same rule for one ticket already in memory."""
    if ticket.team_id != membership.team_id:
        return False
    if is_admin(membership):
        return True
    section = own_section(membership)
    if ticket.visibility == TicketVisibility.TEAM:
        return True
    if ticket.visibility == TicketVisibility.PRIVATE and membership.user_id in (
        ticket.owner_id,
        ticket.created_by_id,
    ):
        return True
    if section and ticket.section == section:
        if ticket.visibility == TicketVisibility.SECTION:
            return True
        if ticket.visibility == TicketVisibility.PRIVATE and membership.role == Role.SECTION_LEADER:
            return True
    return False
