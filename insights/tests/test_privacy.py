"""No id, title or name of a PRIVATE ticket reaches a leader response unless the leader may
see that ticket."""

import json

import pytest

from tickets.models import Ticket, TicketVisibility
from tickets.visibility import can_view


def leader_responses(persona, team):
    bodies = []
    for path in ("dashboards/leader", "dashboards/leader/compliance-insights"):
        response = persona.client.get(f"/teams/{team.id}/{path}")
        assert response.status_code == 200
        bodies.append(response.content.decode())
    return "\n".join(bodies)


@pytest.mark.parametrize("who", ["admin", "sam", "al"])
def test_private_tickets_appear_only_when_the_leader_may_see_them(data, who):
    persona = getattr(data, who)
    text = leader_responses(persona, data.team)
    private = list(Ticket.objects.filter(team=data.team, visibility=TicketVisibility.PRIVATE))
    assert len(private) == 10
    leaked = []
    for ticket in private:
        if str(ticket.id) in text or ticket.title in text:
            if not can_view(persona.membership, ticket):
                leaked.append(ticket.title)
    assert leaked == []


def test_section_leader_response_holds_nothing_of_another_sections_private_tickets(data):
    text = leader_responses(data.sam, data.team)
    t = data.tickets
    for ticket in (t.p5, t.p6, t.p7, t.p8, t.p9, t.p10):
        assert str(ticket.id) not in text
        assert ticket.title not in text
        assert ticket.resolved_note is None or ticket.resolved_note not in text
    # Alice owns and created every Alto private ticket; she is not in Sam's section.
    assert data.alice.user.display_name not in text
    assert data.alice.id not in text
    assert "Alto" not in text


def test_private_aggregates_carry_only_the_grouping_keys(data):
    body = data.admin.client.get(f"/teams/{data.team.id}/dashboards/leader").json()
    for group in body["private_ticket_aggregates"]:
        assert set(group) == {
            "section",
            "category",
            "status",
            "priority",
            "song_ref",
            "due_bucket",
            "count",
        }
        assert group["count"] >= 3
    # The drilldown ticket list never carries a PRIVATE ticket, even for an ADMIN.
    assert all(x["visibility"] != "PRIVATE" for x in body["drilldown"]["tickets_visible"])


def test_private_ticket_in_the_queue_only_for_leaders_who_may_verify_it(data):
    p10 = str(data.tickets.p10.id)
    queue = lambda persona: [  # noqa: E731
        x["id"]
        for x in json.loads(leader_responses(persona, data.team).split("\n")[0])[
            "verification_queue"
        ]
    ]
    assert p10 in queue(data.admin)
    assert p10 in queue(data.al)
    assert p10 not in queue(data.sam)
