"""The resolver tickets hands to practice for a practice log's ``ticket_ids``."""

import uuid

import pytest

from practice.links import resolve_tickets
from practiceops.core.errors import ValidationFailed
from teams.tests.factories import CycleFactory
from tickets.tests.factories import TicketFactory


def test_resolver_is_registered_and_returns_visible_tickets_in_order(
    soprano_member, alto_member, cycle
):
    team_ticket = TicketFactory(cycle=cycle, created_by=alto_member.user)
    section_ticket = TicketFactory(
        cycle=cycle, created_by=alto_member.user, visibility="SECTION", section="Soprano"
    )
    ids = [str(section_ticket.id), team_ticket.id, str(section_ticket.id)]
    assert resolve_tickets(soprano_member.membership, ids) == [section_ticket, team_ticket]
    assert resolve_tickets(soprano_member.membership, []) == []


@pytest.mark.parametrize(
    "case", ["other_team", "invisible_private", "other_section", "unknown", "malformed", "number"]
)
def test_resolver_refuses(soprano_member, alto_member, cycle, other_team, case):
    visible = TicketFactory(cycle=cycle, created_by=alto_member.user)
    bad = {
        "other_team": lambda: str(TicketFactory(cycle=CycleFactory(team=other_team)).id),
        "invisible_private": lambda: str(
            TicketFactory(
                cycle=cycle, created_by=alto_member.user, visibility="PRIVATE", section="Soprano"
            ).id
        ),
        "other_section": lambda: str(
            TicketFactory(
                cycle=cycle, created_by=alto_member.user, visibility="SECTION", section="Alto"
            ).id
        ),
        "unknown": lambda: str(uuid.uuid4()),
        "malformed": lambda: "not-a-uuid",
        "number": lambda: 42,
    }[case]()
    with pytest.raises(ValidationFailed) as info:
        resolve_tickets(soprano_member.membership, [str(visible.id), bad])
    assert info.value.field == "ticket_ids"
