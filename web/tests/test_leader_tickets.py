"""Leaders' ticket and assignment management: claimable tickets, Reassign (to members who can
see the ticket), Reopen, edit fields; assignments create/edit/delete — each offered exactly
where the service accepts it, each refusal with the API's message and nothing changed."""

from __future__ import annotations

import re

import pytest

from practice.models import Assignment
from practice.services import NOT_ASSIGNMENT_EDITOR, SECTION_ASSIGNMENTS_ONLY
from practice.tests.factories import PracticeLogFactory
from teams.access import ADMIN_REQUIRED, LEADER_REQUIRED
from tickets.models import Ticket, TicketStatus
from tickets.services import CLAIMABLE_NEEDS_LEADER, EDIT_FORBIDDEN, OWNER_CANNOT_VIEW
from tickets.tests.factories import TicketFactory
from web.tests.conftest import session_client
from web.tests.helpers import alerts, buttons
from web.tests.test_section import HTMX

NEW_OWNER = re.compile(r'<select id="new-owner"[^>]*>(.*?)</select>', re.S)


def owner_options(response) -> list[str]:  # type: ignore[no-untyped-def]
    match = NEW_OWNER.search(response.content.decode())
    if not match:
        return []
    return re.findall(r'<option value="[^"]+"[^>]*>([^<(]+?)(?: \(|<)', match.group(1))


@pytest.fixture
def soprano_ticket(cycle, soprano_member):
    return TicketFactory(
        cycle=cycle,
        created_by=soprano_member.user,
        section="Soprano",
        visibility="SECTION",
        status=TicketStatus.IN_PROGRESS,
        title="Soprano run",
    )


def ticket_body(**overrides):  # type: ignore[no-untyped-def]
    body = {
        "title": "Bars 1-8 for everyone",
        "category": "PITCH",
        "visibility": "TEAM",
        "priority": "MEDIUM",
        "claimable": "on",
    }
    body.update(overrides)
    return body


def test_leaders_create_claimable_tickets_members_are_refused(
    team, cycle, soprano_leader, soprano_member
):
    leader = session_client(soprano_leader)
    assert 'name="claimable"' in leader.get(f"/app/t/{team.pk}/tickets/new").content.decode()
    response = leader.post(f"/app/t/{team.pk}/tickets/new", ticket_body())
    assert response.status_code == 302
    ticket = Ticket.objects.get(title="Bars 1-8 for everyone")
    assert ticket.claimable and ticket.owner_id is None
    member = session_client(soprano_member)
    assert 'name="claimable"' not in member.get(f"/app/t/{team.pk}/tickets/new").content.decode()
    refused = member.post(f"/app/t/{team.pk}/tickets/new", ticket_body(title="Sneaky"))
    assert refused.status_code == 403
    assert alerts(refused) == [CLAIMABLE_NEEDS_LEADER]
    assert not Ticket.objects.filter(title="Sneaky").exists()


def test_reassign_offers_only_members_who_can_see_the_ticket(
    team, admin, soprano_leader, alto_leader, soprano_member, alto_member, soprano_ticket
):
    page = session_client(soprano_leader).get(f"/app/tickets/{soprano_ticket.pk}")
    assert "Reassign" in buttons(page)
    # A SECTION ticket of Soprano: the Soprano leader and the ADMIN can see it (the owner is
    # left out); the Alto people cannot.
    assert sorted(owner_options(page)) == ["Ada Admin", "Sam Soprano-Leader"]
    # The Alto leader cannot even see it; a member is offered no Reassign.
    assert session_client(alto_leader).get(f"/app/tickets/{soprano_ticket.pk}").status_code == 404
    assert "Reassign" not in buttons(
        session_client(soprano_member).get(f"/app/tickets/{soprano_ticket.pk}")
    )


@pytest.mark.parametrize("htmx", [False, True])
def test_reassign_and_its_refusal(
    team, soprano_leader, soprano_member, alto_member, soprano_ticket, htmx
):
    client = session_client(soprano_leader)
    extra = HTMX if htmx else {}
    refused = client.post(
        f"/app/tickets/{soprano_ticket.pk}/assign", {"owner_id": str(alto_member.user.pk)}, **extra
    )
    assert refused.status_code == (200 if htmx else 422)
    assert alerts(refused) == [OWNER_CANNOT_VIEW]
    soprano_ticket.refresh_from_db()
    assert soprano_ticket.owner_id == soprano_member.user.pk
    response = client.post(
        f"/app/tickets/{soprano_ticket.pk}/assign",
        {"owner_id": str(soprano_leader.user.pk)},
        **extra,
    )
    assert response.status_code == (200 if htmx else 302)
    soprano_ticket.refresh_from_db()
    assert soprano_ticket.owner_id == soprano_leader.user.pk


def test_member_cannot_reassign(team, soprano_member, alto_member, cycle):
    ticket = TicketFactory(cycle=cycle, created_by=alto_member.user, visibility="TEAM")
    response = session_client(soprano_member).post(
        f"/app/tickets/{ticket.pk}/assign", {"owner_id": str(soprano_member.user.pk)}
    )
    assert response.status_code == 403
    assert alerts(response) == [LEADER_REQUIRED]
    ticket.refresh_from_db()
    assert ticket.owner_id == alto_member.user.pk


def test_reopen_on_the_ticket_page(team, soprano_leader, soprano_ticket):
    Ticket.objects.filter(pk=soprano_ticket.pk).update(status=TicketStatus.RESOLVED)
    client = session_client(soprano_leader)
    assert {"Verify", "Reopen"} <= set(buttons(client.get(f"/app/tickets/{soprano_ticket.pk}")))
    refused = client.post(f"/app/tickets/{soprano_ticket.pk}/reopen", {"reason": ""})
    assert refused.status_code == 422
    assert alerts(refused) == ["This field may not be blank."]
    assert (
        client.post(
            f"/app/tickets/{soprano_ticket.pk}/reopen", {"reason": "Still flat"}
        ).status_code
        == 302
    )
    soprano_ticket.refresh_from_db()
    assert soprano_ticket.status == TicketStatus.IN_PROGRESS


def test_edit_fields_where_allowed(
    team, soprano_leader, alto_leader, alto_member, soprano_ticket, cycle
):
    client = session_client(soprano_leader)
    page = client.get(f"/app/tickets/{soprano_ticket.pk}")
    assert "Edit ticket" in page.content.decode()
    response = client.post(
        f"/app/tickets/{soprano_ticket.pk}/edit",
        {
            "title": "Soprano run, bars 20-28",
            "category": "RHYTHM",
            "visibility": "SECTION",
            "section": "Soprano",
            "priority": "BLOCKING",
            "due": "2030-01-15",
        },
    )
    assert response.status_code == 302
    soprano_ticket.refresh_from_db()
    assert (soprano_ticket.title, soprano_ticket.priority) == (
        "Soprano run, bars 20-28",
        "BLOCKING",
    )
    assert soprano_ticket.due_at.isoformat() == "2030-01-15T00:00:00+00:00"
    # A TEAM ticket of an Alto member: the Soprano leader may not edit it; no Edit offered,
    # and the POST is refused with the API's message, nothing changed.
    team_ticket = TicketFactory(cycle=cycle, created_by=alto_member.user, visibility="TEAM")
    assert "Edit ticket" not in client.get(f"/app/tickets/{team_ticket.pk}").content.decode()
    denied = client.post(
        f"/app/tickets/{team_ticket.pk}/edit",
        {"title": "Mine now", "category": "PITCH", "visibility": "TEAM", "priority": "LOW"},
    )
    assert denied.status_code == 403
    assert alerts(denied) == [EDIT_FORBIDDEN]
    team_ticket.refresh_from_db()
    assert team_ticket.title != "Mine now"


# --- assignments --------------------------------------------------------------------------------


def assignment_body(**overrides):  # type: ignore[no-untyped-def]
    body = {
        "title": "Learn the alto line",
        "type": "SONG_WORK",
        "scope": "SECTION",
        "section": "Soprano",
        "priority": "MEDIUM",
    }
    body.update(overrides)
    return body


def test_assignments_page_offers_by_role(team, cycle, admin, soprano_leader, soprano_member):
    Assignment.objects.create(
        cycle=cycle, created_by=admin.user, title="Whole team", type="LISTENING", scope="TEAM"
    )
    member = session_client(soprano_member).get(f"/app/t/{team.pk}/assignments").content.decode()
    assert "New assignment" not in member and "Edit" not in member and ">Delete<" not in member
    leader = session_client(soprano_leader).get(f"/app/t/{team.pk}/assignments").content.decode()
    assert "New assignment" in leader
    assert ">Delete<" not in leader  # deleting is for ADMINs
    assert "/edit" not in leader  # the ADMIN's assignment is not the leader's to edit
    whole = session_client(admin).get(f"/app/t/{team.pk}/assignments").content.decode()
    assert "New assignment" in whole and ">Delete<" in whole and "/edit" in whole


def test_assignment_create_edit_delete(team, cycle, admin, soprano_leader, soprano_member):
    leader = session_client(soprano_leader)
    assert leader.post(f"/app/t/{team.pk}/assignments/new", assignment_body()).status_code == 302
    assignment = Assignment.objects.get(title="Learn the alto line")
    assert (assignment.scope, assignment.section, assignment.cycle_id) == (
        "SECTION",
        "Soprano",
        cycle.pk,
    )
    refused = leader.post(
        f"/app/t/{team.pk}/assignments/new", assignment_body(title="Alto", section="Alto")
    )
    assert refused.status_code == 403
    assert alerts(refused) == [SECTION_ASSIGNMENTS_ONLY]
    assert not Assignment.objects.filter(title="Alto").exists()
    edit = leader.post(
        f"/app/assignments/{assignment.pk}/edit", assignment_body(title="Learn the soprano line")
    )
    assert edit.status_code == 302
    assignment.refresh_from_db()
    assert assignment.title == "Learn the soprano line"
    # A member may not edit; a leader may not delete; the ADMIN may.
    member = session_client(soprano_member)
    denied = member.post(f"/app/assignments/{assignment.pk}/edit", assignment_body(title="Mine"))
    assert denied.status_code == 403
    assert alerts(denied) == [NOT_ASSIGNMENT_EDITOR]
    refused = leader.post(f"/app/assignments/{assignment.pk}/delete")
    assert refused.status_code == 403
    assert alerts(refused) == [ADMIN_REQUIRED]
    assert Assignment.objects.filter(pk=assignment.pk).exists()
    assert session_client(admin).post(f"/app/assignments/{assignment.pk}/delete").status_code == 302
    assert not Assignment.objects.filter(pk=assignment.pk).exists()


def test_member_cannot_open_new_assignment(team, cycle, soprano_member):
    response = session_client(soprano_member).get(f"/app/t/{team.pk}/assignments/new")
    assert response.status_code == 403
    assert alerts(response) == [LEADER_REQUIRED]


# --- practice for leaders ------------------------------------------------------------------------


def test_practice_for_leaders_scoped_with_csv(
    team, cycle, admin, soprano_leader, soprano_member, alto_member
):
    PracticeLogFactory(user=soprano_member.user, team=team, cycle=cycle, duration_minutes=25)
    PracticeLogFactory(user=alto_member.user, team=team, cycle=cycle, duration_minutes=35)
    leader = session_client(soprano_leader)
    page = leader.get(f"/app/t/{team.pk}/practice?who=team").content.decode()
    assert "25 min" in page and "35 min" not in page
    assert f"/app/t/{team.pk}/practice.csv" in page
    csv = leader.get(f"/app/t/{team.pk}/practice.csv")
    assert csv.status_code == 200
    body = b"".join(csv.streaming_content).decode() if csv.streaming else csv.content.decode()
    assert "25" in body and "35" not in body.split("\n", 1)[1]
    refused = leader.get(f"/app/t/{team.pk}/practice?who=team&section=Alto")
    assert alerts(refused)  # the API's own-section refusal
    whole = session_client(admin).get(f"/app/t/{team.pk}/practice?who=team").content.decode()
    assert "25 min" in whole and "35 min" in whole
    member = session_client(soprano_member).get(f"/app/t/{team.pk}/practice.csv")
    assert member.status_code == 403
