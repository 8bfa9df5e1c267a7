"""Tickets in the web app: the offered moves come from the rules that refuse them; refusals
re-render with the API's message, nothing changed; htmx gets the fragment with 200."""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qs

import pytest

from tickets.models import Ticket, TicketActivity, TicketStatus
from tickets.tests.factories import TicketFactory
from web.tests.conftest import session_client
from web.tests.helpers import alerts, buttons, h1
from web.views.tickets import PAGE_SIZE

HTMX = {"HTTP_HX_REQUEST": "true"}
MOVES = {
    "Start",
    "Back to open",
    "Mark blocked",
    "Resume",
    "Mark resolved",
    "Verify",
    "Reopen",
    "Unclaim",
}


@pytest.fixture
def claimable(cycle, soprano_leader):
    return TicketFactory(
        cycle=cycle,
        created_by=soprano_leader.user,
        owner=None,
        claimable=True,
        section="Soprano",
        visibility="SECTION",
        title="Bars 12-16",
    )


def offered(response) -> set[str]:  # type: ignore[no-untyped-def]
    return set(buttons(response)) & (MOVES | {"Claim"})


@pytest.mark.parametrize(
    "status,owner_sees",
    [
        ("OPEN", {"Start"}),
        ("IN_PROGRESS", {"Back to open", "Mark blocked", "Mark resolved"}),
        ("BLOCKED", {"Resume", "Mark resolved"}),
        ("RESOLVED", set()),
        ("VERIFIED", set()),
    ],
)
def test_ticket_page_offers_exactly_the_allowed_moves(
    cycle, soprano_member, soprano_leader, alto_member, status, owner_sees
):
    ticket = TicketFactory(cycle=cycle, created_by=soprano_member.user, status=status)
    owner_page = session_client(soprano_member).get(f"/app/tickets/{ticket.pk}")
    assert owner_page.status_code == 200
    assert h1(owner_page) == ticket.title
    assert offered(owner_page) == owner_sees
    # Another member sees the TEAM ticket but may not move it.
    assert offered(session_client(alto_member).get(f"/app/tickets/{ticket.pk}")) == set()
    # A leader may verify a RESOLVED TEAM ticket; nothing else of someone else's.
    leader_sees = {"Verify", "Reopen"} if status == "RESOLVED" else set()
    assert offered(session_client(soprano_leader).get(f"/app/tickets/{ticket.pk}")) == leader_sees


def test_claim_start_resolve_with_a_note(claimable, soprano_member, team):
    client = session_client(soprano_member)
    listing = client.get(f"/app/t/{team.pk}/tickets")
    assert "Claim" in buttons(listing)
    response = client.post(f"/app/tickets/{claimable.pk}/claim", {"from": "list"})
    assert response.status_code == 302
    page = client.get(f"/app/tickets/{claimable.pk}")
    assert offered(page) == {"Start", "Unclaim"}
    assert (
        client.post(
            f"/app/tickets/{claimable.pk}/transition", {"to_status": "IN_PROGRESS"}
        ).status_code
        == 302
    )
    response = client.post(
        f"/app/tickets/{claimable.pk}/transition",
        {"to_status": "RESOLVED", "content": "Sang it slowly"},
    )
    assert response.status_code == 302
    claimable.refresh_from_db()
    assert claimable.status == TicketStatus.RESOLVED
    assert claimable.resolved_note == "Sang it slowly"
    assert claimable.owner_id == soprano_member.user.pk


def test_lost_claim_race_shows_the_message_and_changes_nothing(
    claimable, soprano_member, soprano_leader, team
):
    Ticket.objects.filter(pk=claimable.pk).update(owner=soprano_leader.user)
    client = session_client(soprano_member)
    response = client.post(f"/app/tickets/{claimable.pk}/claim", {"from": "list"})
    assert response.status_code == 409
    assert h1(response) == "Tickets"
    assert alerts(response) == ["Ticket has already been claimed"]
    # With htmx: 200 and the row fragment, message inside it.
    response = client.post(f"/app/tickets/{claimable.pk}/claim", {"from": "list"}, **HTMX)
    assert response.status_code == 200
    assert "<h1" not in response.content.decode()
    assert alerts(response) == ["Ticket has already been claimed"]
    claimable.refresh_from_db()
    assert claimable.owner_id == soprano_leader.user.pk
    assert not TicketActivity.objects.filter(ticket=claimable, type="CLAIMED").exists()


@pytest.mark.parametrize("htmx", [False, True])
def test_refused_moves_rerender_with_the_api_message(cycle, soprano_member, htmx):
    ticket = TicketFactory(cycle=cycle, created_by=soprano_member.user, status="OPEN")
    client = session_client(soprano_member)
    extra = HTMX if htmx else {}
    cases = [
        (
            {"to_status": "RESOLVED", "content": "x"},
            422,
            "Invalid transition from OPEN to RESOLVED",
        ),
        ({"to_status": "VERIFIED"}, 422, "Use /verify instead"),
        ({"to_status": "NOPE"}, 422, None),
    ]
    for body, status, message in cases:
        response = client.post(f"/app/tickets/{ticket.pk}/transition", body, **extra)
        assert response.status_code == (200 if htmx else status)
        found = alerts(response)
        assert len(found) == 1
        if message:
            assert found == [message]
    Ticket.objects.filter(pk=ticket.pk).update(status="IN_PROGRESS")
    response = client.post(
        f"/app/tickets/{ticket.pk}/transition", {"to_status": "RESOLVED", "content": " "}, **extra
    )
    assert alerts(response) == ["A note is required to resolve a ticket"]
    ticket.refresh_from_db()
    assert ticket.status == "IN_PROGRESS"
    assert TicketActivity.objects.filter(ticket=ticket).count() == 0


def test_member_cannot_verify_and_another_member_cannot_move(cycle, soprano_member, alto_member):
    ticket = TicketFactory(cycle=cycle, created_by=soprano_member.user, status="RESOLVED")
    response = session_client(soprano_member).post(f"/app/tickets/{ticket.pk}/verify", {})
    assert response.status_code == 403
    assert alerts(response) == ["Section leader or admin role required"]
    response = session_client(alto_member).post(
        f"/app/tickets/{ticket.pk}/transition", {"to_status": "IN_PROGRESS"}
    )
    assert alerts(response) == ["Only the ticket's owner or creator can change its status"]
    ticket.refresh_from_db()
    assert ticket.status == "RESOLVED"


def test_leader_verifies_and_comment_is_added(cycle, soprano_member, soprano_leader):
    ticket = TicketFactory(cycle=cycle, created_by=soprano_member.user, status="RESOLVED")
    client = session_client(soprano_leader)
    response = client.post(f"/app/tickets/{ticket.pk}/verify", {"content": "Clean now"}, **HTMX)
    assert response.status_code == 200
    assert 'id="ticket-status">Verified' in response.content.decode()
    response = client.post(f"/app/tickets/{ticket.pk}/comment", {"content": "Well done"})
    assert response.status_code == 302
    assert "Well done" in client.get(f"/app/tickets/{ticket.pk}").content.decode()
    empty = client.post(f"/app/tickets/{ticket.pk}/comment", {"content": ""})
    assert empty.status_code == 422
    assert len(alerts(empty)) == 1
    assert TicketActivity.objects.filter(ticket=ticket, type="COMMENT").count() == 1


def test_new_ticket_through_the_api_rules(team, cycle, soprano_member, admin):
    client = session_client(soprano_member)
    body = {
        "title": "Alto line, bar 9",
        "category": "PITCH",
        "visibility": "SECTION",
        "section": "",
        "song_ref": "Ave verum",
        "measures": "9-12",
        "priority": "BLOCKING",
        "due": "2030-01-05",
    }
    response = client.post(f"/app/t/{team.pk}/tickets/new", body)
    assert response.status_code == 302
    ticket = Ticket.objects.get(title="Alto line, bar 9")
    assert response["Location"] == f"/app/tickets/{ticket.pk}"
    # The member's own section is the default, as in the API.
    assert (ticket.section, ticket.visibility, ticket.created_by_id) == (
        "Soprano",
        "SECTION",
        soprano_member.user.pk,
    )
    assert ticket.due_at.isoformat() == "2030-01-05T00:00:00+00:00"
    # A sectionless admin without a section: the API's refusal, the input kept.
    response = session_client(admin).post(
        f"/app/t/{team.pk}/tickets/new", {**body, "title": "Kept title"}
    )
    assert response.status_code == 422
    assert alerts(response) == ["A section is required for SECTION visibility"]
    assert 'value="Kept title"' in response.content.decode()
    assert not Ticket.objects.filter(title="Kept title").exists()


def test_unclaim_gives_the_ticket_back(claimable, soprano_member):
    client = session_client(soprano_member)
    client.post(f"/app/tickets/{claimable.pk}/claim")
    response = client.post(f"/app/tickets/{claimable.pk}/unclaim")
    assert response.status_code == 302
    claimable.refresh_from_db()
    assert claimable.owner_id is None


def test_ticket_list_filters(team, cycle, soprano_member, claimable):
    mine = TicketFactory(cycle=cycle, created_by=soprano_member.user, title="Mine one")
    client = session_client(soprano_member)
    body = client.get(f"/app/t/{team.pk}/tickets").content.decode()
    assert "Mine one" in body and "Bars 12-16" in body
    body = client.get(f"/app/t/{team.pk}/tickets?mine=1").content.decode()
    assert "Mine one" in body and "Bars 12-16" not in body
    body = client.get(f"/app/t/{team.pk}/tickets?section=Soprano").content.decode()
    assert "Mine one" not in body and "Bars 12-16" in body
    body = client.get(f"/app/t/{team.pk}/tickets?status=VERIFIED").content.decode()
    assert "No tickets yet" in body
    assert mine.pk


def test_ticket_list_pages_keep_the_filters_and_reach_every_ticket(team, cycle, soprano_member):
    titles = {f"Passage {n:02}" for n in range(PAGE_SIZE + 3)}
    for title in titles:
        TicketFactory(cycle=cycle, created_by=soprano_member.user, title=title, section="Alto")
    TicketFactory(cycle=cycle, created_by=soprano_member.user, title="Filtered out")
    client = session_client(soprano_member)
    url = f"/app/t/{team.pk}/tickets"
    first = client.get(url, {"section": "Alto"}).content.decode()
    assert first.count('class="ticket-row card"') == PAGE_SIZE
    assert 'rel="prev"' not in first
    next_link = html.unescape(re.search(r'href="([^"]*)" rel="next"', first).group(1))
    assert parse_qs(next_link[1:]) == {"section": ["Alto"], "page": ["2"]}
    second = client.get(url + next_link).content.decode()
    assert second.count('class="ticket-row card"') == 3
    assert 'rel="next"' not in second
    prev_link = html.unescape(re.search(r'href="([^"]*)" rel="prev"', second).group(1))
    assert parse_qs(prev_link[1:]) == {"section": ["Alto"]}
    shown = {title for title in titles if title in first or title in second}
    assert shown == titles and "Filtered out" not in first + second
    past_the_end = client.get(url, {"section": "Alto", "page": "9"}).content.decode()
    assert "No more tickets" in past_the_end and 'rel="prev"' in past_the_end
    assert client.get(url, {"page": "nonsense"}).content.decode().count("ticket-row card") == 50


def test_leader_reopens_with_a_reason(cycle, soprano_member, soprano_leader, alto_leader):
    ticket = TicketFactory(
        cycle=cycle,
        created_by=soprano_member.user,
        status="RESOLVED",
        visibility="SECTION",
        section="Soprano",
    )
    # Out of the alto leader's verify scope: no button, and the POST is refused (404: hidden).
    assert "Reopen" not in buttons(session_client(alto_leader).get(f"/app/tickets/{ticket.pk}"))
    client = session_client(soprano_leader)
    refused = client.post(f"/app/tickets/{ticket.pk}/reopen", {"reason": ""})
    assert refused.status_code == 422
    assert len(alerts(refused)) == 1
    refused = session_client(soprano_member).post(
        f"/app/tickets/{ticket.pk}/reopen", {"reason": "again"}
    )
    assert alerts(refused) == ["Section leader or admin role required"]
    ticket.refresh_from_db()
    assert ticket.status == "RESOLVED"
    response = client.post(f"/app/tickets/{ticket.pk}/reopen", {"reason": "Still flat"})
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == "IN_PROGRESS"


def test_leader_reassigns_and_edits(cycle, team, soprano_member, soprano_leader, alto_member):
    ticket = TicketFactory(
        cycle=cycle,
        created_by=soprano_leader.user,
        owner=soprano_leader.user,
        visibility="SECTION",
        section="Soprano",
        title="Old title",
    )
    client = session_client(soprano_leader)
    page = client.get(f"/app/tickets/{ticket.pk}")
    body = page.content.decode()
    assert {"Reassign", "Save"} <= set(buttons(page))
    # Only members who can see the SECTION ticket are offered.
    assert soprano_member.user.display_name in body.split('id="new-owner"')[1].split("</select>")[0]
    assert (
        alto_member.user.display_name not in body.split('id="new-owner"')[1].split("</select>")[0]
    )
    refused = client.post(
        f"/app/tickets/{ticket.pk}/assign", {"owner_id": str(alto_member.user.pk)}
    )
    assert alerts(refused) == ["The owner must be able to see this ticket"]
    response = client.post(
        f"/app/tickets/{ticket.pk}/assign", {"owner_id": str(soprano_member.user.pk)}
    )
    assert response.status_code == 302
    response = client.post(
        f"/app/tickets/{ticket.pk}/edit",
        {
            "title": "New title",
            "category": "RHYTHM",
            "visibility": "SECTION",
            "section": "Soprano",
            "priority": "LOW",
        },
    )
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert (ticket.owner_id, ticket.title, ticket.category) == (
        soprano_member.user.pk,
        "New title",
        "RHYTHM",
    )
    # A member who did not create it and does not own it: no edit form, no reassign.
    page = session_client(alto_member).get(f"/app/tickets/{ticket.pk}")
    assert page.status_code == 404
    other = TicketFactory(cycle=cycle, created_by=soprano_leader.user, title="Team one")
    page = session_client(alto_member).get(f"/app/tickets/{other.pk}")
    assert {"Reassign", "Save"}.isdisjoint(buttons(page))
    refused = session_client(alto_member).post(
        f"/app/tickets/{other.pk}/edit",
        {"title": "Hijack", "category": "PITCH", "visibility": "TEAM", "priority": "LOW"},
    )
    assert alerts(refused) == ["You do not have permission to edit this ticket"]
    other.refresh_from_db()
    assert other.title == "Team one"
