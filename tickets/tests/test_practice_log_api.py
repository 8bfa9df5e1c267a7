"""Practice logs link tickets through the resolver tickets registers (POST/PATCH practice logs)."""

import uuid

import pytest

from conftest import assert_error
from practice.models import PracticeLog
from teams.tests.factories import CycleFactory
from tickets.tests.factories import TicketFactory


def log_practice(persona, cycle, ticket_ids):
    return persona.client.post(
        f"/cycles/{cycle.id}/practice-logs",
        {"duration_min": 20, "ticket_ids": ticket_ids},
        format="json",
    )


def test_log_links_visible_tickets(soprano_member, alto_member, soprano_leader, cycle):
    team_ticket = TicketFactory(cycle=cycle, created_by=alto_member.user)
    section_ticket = TicketFactory(
        cycle=cycle, created_by=soprano_leader.user, visibility="SECTION", section="Soprano"
    )
    own_private = TicketFactory(
        cycle=cycle, created_by=soprano_member.user, visibility="PRIVATE", section="Soprano"
    )
    ids = [str(own_private.id), str(team_ticket.id), str(section_ticket.id), str(team_ticket.id)]
    response = log_practice(soprano_member, cycle, ids)
    assert response.status_code == 201, response.content
    linked = response.json()["practice_log"]["tickets"]
    assert {t["id"] for t in linked} == {
        str(team_ticket.id),
        str(section_ticket.id),
        str(own_private.id),
    }
    assert {t["status"] for t in linked} == {"OPEN"}
    log = PracticeLog.objects.get()
    assert set(team_ticket.practice_logs.all()) == {log}
    assert set(log.tickets.all()) == {team_ticket, section_ticket, own_private}


@pytest.mark.parametrize("case", ["other_team", "invisible_private", "other_section", "unknown"])
def test_log_refuses_tickets_it_may_not_link(soprano_member, alto_member, cycle, other_team, case):
    visible = TicketFactory(cycle=cycle, created_by=alto_member.user)
    bad = {
        "other_team": lambda: TicketFactory(cycle=CycleFactory(team=other_team)).id,
        "invisible_private": lambda: (
            TicketFactory(
                cycle=cycle, created_by=alto_member.user, visibility="PRIVATE", section="Soprano"
            ).id
        ),
        "other_section": lambda: (
            TicketFactory(
                cycle=cycle, created_by=alto_member.user, visibility="SECTION", section="Alto"
            ).id
        ),
        "unknown": lambda: uuid.uuid4(),
    }[case]()
    response = log_practice(soprano_member, cycle, [str(visible.id), str(bad)])
    assert_error(
        response, 422, "VALIDATION_ERROR", "Unknown or inaccessible ticket id", field="ticket_ids"
    )
    assert not PracticeLog.objects.exists()


def test_log_ticket_ids_of_wrong_type(soprano_member, cycle):
    response = log_practice(soprano_member, cycle, ["not-a-uuid"])
    error = assert_error(response, 422, "VALIDATION_ERROR")
    assert error["field"].startswith("ticket_ids")
    assert not PracticeLog.objects.exists()


def test_patch_log_relinks_through_the_same_rule(soprano_member, alto_member, cycle):
    first = TicketFactory(cycle=cycle, created_by=alto_member.user)
    second = TicketFactory(cycle=cycle, created_by=soprano_member.user)
    hidden = TicketFactory(
        cycle=cycle, created_by=alto_member.user, visibility="PRIVATE", section="Alto"
    )
    log_id = log_practice(soprano_member, cycle, [str(first.id)]).json()["practice_log"]["id"]
    url = f"/practice-logs/{log_id}"
    assert_error(
        soprano_member.client.patch(url, {"ticket_ids": [str(hidden.id)]}, format="json"),
        422,
        "VALIDATION_ERROR",
        field="ticket_ids",
    )
    response = soprano_member.client.patch(url, {"ticket_ids": [str(second.id)]}, format="json")
    assert response.status_code == 200, response.content
    assert [t["id"] for t in response.json()["practice_log"]["tickets"]] == [str(second.id)]


def test_readers_see_only_linked_tickets_they_may_see(alto_member, alto_leader, admin, cycle):
    """A leader reading a member's log does not learn of a PRIVATE ticket hidden from them."""
    shared = TicketFactory(cycle=cycle, created_by=alto_member.user, title="Shared")
    private = TicketFactory(
        cycle=cycle, created_by=alto_member.user, visibility="PRIVATE", section=None, title="Secret"
    )
    assert log_practice(alto_member, cycle, [str(shared.id), str(private.id)]).status_code == 201

    def linked_titles(persona):
        response = persona.client.get(f"/cycles/{cycle.id}/practice-logs?me=false")
        assert response.status_code == 200, response.content
        (log,) = [item for item in response.json()["items"] if item["user_id"] == alto_member.id]
        return sorted(t["title"] for t in log["tickets"])

    assert linked_titles(admin) == ["Secret", "Shared"]
    assert linked_titles(alto_leader) == ["Shared"]
    assert (
        b"Secret"
        not in alto_leader.client.get(f"/cycles/{cycle.id}/practice-logs?me=false").content
    )
