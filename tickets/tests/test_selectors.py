"""Selectors other parts of the product (dashboards, digests) build on."""

from django.utils import timezone

from tickets.models import Ticket
from tickets.selectors import (
    TICKET_ORDERING,
    TicketFilters,
    ticket_list_for_user,
    verifiable_tickets_q,
)
from tickets.tests.factories import TicketFactory


def test_verifiable_tickets(admin, soprano_leader, alto_leader, soprano_member, alto_member, cycle):
    def resolved(visibility, section, **kw):
        fields = {"created_by": soprano_member.user, **kw}
        return TicketFactory(
            cycle=cycle,
            visibility=visibility,
            section=section,
            status="RESOLVED",
            resolved_at=timezone.now(),
            resolved_note="done",
            **fields,
        )

    team_t = resolved("TEAM", None)
    sop_section = resolved("SECTION", "Soprano")
    sop_private = resolved("PRIVATE", "Soprano")
    alto_private = resolved("PRIVATE", "Alto", owner=alto_member.user, created_by=alto_member.user)
    nosection_private = resolved("PRIVATE", None)
    TicketFactory(cycle=cycle, created_by=soprano_member.user, status="IN_PROGRESS")

    def queue(persona):
        return set(Ticket.objects.filter(verifiable_tickets_q(persona.membership)))

    assert queue(admin) == {team_t, sop_section, sop_private, alto_private, nosection_private}
    assert queue(soprano_leader) == {team_t, sop_section, sop_private}
    assert queue(alto_leader) == {team_t, alto_private}
    assert queue(soprano_member) == set()


def test_ticket_list_for_user_defaults_to_all_visible(soprano_member, alto_member, cycle):
    mine = TicketFactory(cycle=cycle, created_by=soprano_member.user, priority="BLOCKING")
    team_t = TicketFactory(cycle=cycle, created_by=alto_member.user)
    TicketFactory(cycle=cycle, created_by=alto_member.user, visibility="SECTION", section="Alto")
    rows = list(ticket_list_for_user(soprano_member.membership).order_by(*TICKET_ORDERING))
    assert rows == [mine, team_t]
    filtered = ticket_list_for_user(soprano_member.membership, TicketFilters(priority="LOW"))
    assert list(filtered) == [team_t]
