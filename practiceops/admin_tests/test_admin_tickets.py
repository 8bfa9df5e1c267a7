"""Tickets: status read-only; every workflow move goes through the state machine.

Each action and button is exercised once for a move that happens and once for one the rules
refuse, which must show the rule's message and leave the ticket and its activity untouched.
"""

from __future__ import annotations

import pytest
from django.utils import timezone

from practiceops.admin_tests.conftest import assert_constant_queries, messages_of
from practiceops.core.errors import Forbidden, NotFound, ValidationFailed
from teams.models import Role
from tickets import staff_services
from tickets.models import Ticket, TicketActivity, TicketStatus, TicketVisibility
from tickets.tests.factories import TicketFactory

TICKETS = "/admin/tickets/ticket/"


def change_url(ticket: Ticket) -> str:
    return f"{TICKETS}{ticket.pk}/change/"


def snapshot(ticket: Ticket) -> tuple:
    ticket.refresh_from_db()
    return (
        ticket.status,
        ticket.owner_id,
        ticket.claimed_by_id,
        ticket.resolved_note,
        ticket.verified_at,
        ticket.updated_at,
        TicketActivity.objects.filter(ticket=ticket).count(),
    )


def run_action(client, action: str, tickets, note: str = ""):
    return client.post(
        TICKETS,
        {"action": action, "_selected_action": [str(t.pk) for t in tickets], "note": note},
        follow=True,
    )


@pytest.fixture
def ticket(cycle, soprano_member):
    return TicketFactory(cycle=cycle, created_by=soprano_member.user, title="Bars 9-16")


def test_changelist_change_form_and_activity_inline(staff_client, ticket, soprano_member):
    TicketActivity.objects.create(
        ticket=ticket, user=soprano_member.user, type="COMMENT", content="Tricky leap"
    )
    listing = staff_client.get(TICKETS)
    assert listing.status_code == 200
    assert [t.pk for t in listing.context["cl"].result_list] == [ticket.pk]
    assert listing.context["cl"].date_hierarchy == "created_at"
    page = staff_client.get(change_url(ticket))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Tricky leap" in html
    assert 'id="ticket-workflow"' in html
    # From OPEN the machine allows IN_PROGRESS only.
    assert page.context["workflow"]["targets"] == [{"value": "IN_PROGRESS", "label": "In progress"}]
    assert 'name="status"' not in html


def test_filters_and_search(staff_client, cycle, soprano_member):
    blocked = TicketFactory(cycle=cycle, status=TicketStatus.BLOCKED, title="Stuck on the run")
    TicketFactory(cycle=cycle, owner=soprano_member.user, title="Other")
    by_status = staff_client.get(TICKETS, {"status__exact": "BLOCKED"})
    assert [t.pk for t in by_status.context["cl"].result_list] == [blocked.pk]
    by_title = staff_client.get(TICKETS, {"q": "stuck"})
    assert [t.pk for t in by_title.context["cl"].result_list] == [blocked.pk]
    by_owner = staff_client.get(TICKETS, {"q": soprano_member.user.display_name})
    assert [t.title for t in by_owner.context["cl"].result_list] == ["Other"]


def test_status_is_read_only_in_the_change_form(staff_client, ticket):
    response = staff_client.post(
        change_url(ticket),
        {
            "title": "Bars 9-24",
            "category": ticket.category,
            "priority": "MEDIUM",
            "visibility": ticket.visibility,
            "section": "",
            "status": "VERIFIED",
            "activities-TOTAL_FORMS": "0",
            "activities-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    ticket.refresh_from_db()
    assert (ticket.title, ticket.priority, ticket.status) == ("Bars 9-24", "MEDIUM", "OPEN")


def test_tickets_are_not_added_in_the_admin(staff_client):
    assert staff_client.get(f"{TICKETS}add/").status_code == 403


def test_transition_action_moves_along_the_machine(staff_client, staff_user, ticket):
    response = run_action(staff_client, "transition_to_in_progress", [ticket])
    assert "1 ticket(s) moved to In progress." in messages_of(response)
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.IN_PROGRESS
    activity = TicketActivity.objects.get(ticket=ticket)
    assert (activity.type, activity.old_status, activity.new_status, activity.user_id) == (
        "STATUS_CHANGE",
        "OPEN",
        "IN_PROGRESS",
        staff_user.pk,
    )


def test_refused_transition_shows_the_error_and_changes_nothing(staff_client, ticket):
    before = snapshot(ticket)
    response = run_action(staff_client, "transition_to_blocked", [ticket])
    shown = messages_of(response)
    assert "“Bars 9-16”: Invalid transition from OPEN to BLOCKED" in shown
    assert not any("moved to" in message for message in shown)
    assert snapshot(ticket) == before


def test_resolve_needs_a_note(staff_client, cycle):
    ticket = TicketFactory(cycle=cycle, status=TicketStatus.IN_PROGRESS, title="Pitch")
    before = snapshot(ticket)
    refused = run_action(staff_client, "transition_to_resolved", [ticket], note="  ")
    assert "“Pitch”: A note is required to resolve a ticket" in messages_of(refused)
    assert snapshot(ticket) == before
    done = run_action(staff_client, "transition_to_resolved", [ticket], note="In tune now")
    assert "1 ticket(s) moved to Resolved." in messages_of(done)
    ticket.refresh_from_db()
    assert (ticket.status, ticket.resolved_note) == ("RESOLVED", "In tune now")
    assert ticket.resolved_at is not None


def test_mixed_selection_moves_what_it_may(staff_client, cycle):
    open_ticket = TicketFactory(cycle=cycle, title="A open")
    resolved = TicketFactory(cycle=cycle, title="B resolved", status=TicketStatus.RESOLVED)
    response = run_action(staff_client, "transition_to_in_progress", [open_ticket, resolved])
    shown = messages_of(response)
    assert "1 ticket(s) moved to In progress." in shown
    assert "“B resolved”: Invalid transition from RESOLVED to IN_PROGRESS" in shown
    open_ticket.refresh_from_db()
    resolved.refresh_from_db()
    assert (open_ticket.status, resolved.status) == ("IN_PROGRESS", "RESOLVED")


def test_move_to_open_action(staff_client, cycle):
    ticket = TicketFactory(cycle=cycle, status=TicketStatus.IN_PROGRESS)
    run_action(staff_client, "transition_to_open", [ticket])
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.OPEN


def test_verify_action(staff_client, staff_user, cycle):
    ticket = TicketFactory(
        cycle=cycle, status=TicketStatus.RESOLVED, resolved_note="done", title="Verify me"
    )
    response = run_action(staff_client, "verify_tickets", [ticket], note="Heard it")
    assert "1 ticket(s) verified." in messages_of(response)
    ticket.refresh_from_db()
    assert (ticket.status, ticket.verified_by_id, ticket.verified_note) == (
        "VERIFIED",
        staff_user.pk,
        "Heard it",
    )
    again = run_action(staff_client, "verify_tickets", [ticket])
    assert "“Verify me”: Ticket is already verified" in messages_of(again)


def test_verify_action_refuses_an_unresolved_ticket(staff_client, ticket):
    before = snapshot(ticket)
    response = run_action(staff_client, "verify_tickets", [ticket])
    assert "“Bars 9-16”: Only RESOLVED tickets can be verified" in messages_of(response)
    assert snapshot(ticket) == before


@pytest.fixture
def claimed(cycle, soprano_leader, soprano_member):
    return TicketFactory(
        cycle=cycle,
        created_by=soprano_leader.user,
        owner=soprano_member.user,
        claimed_by=soprano_member.user,
        claimed_at=timezone.now(),
        claimable=True,
        status=TicketStatus.IN_PROGRESS,
        title="Claimed one",
    )


def test_unclaim_action(staff_client, claimed):
    response = run_action(staff_client, "unclaim_tickets", [claimed])
    assert "1 ticket(s) unclaimed." in messages_of(response)
    claimed.refresh_from_db()
    assert (claimed.status, claimed.owner_id, claimed.claimed_by_id) == ("OPEN", None, None)
    activity = TicketActivity.objects.get(ticket=claimed)
    assert (activity.type, activity.content) == ("REASSIGNED", "Unclaimed")


def test_unclaim_action_refusals(staff_client, ticket, claimed):
    Ticket.objects.filter(pk=claimed.pk).update(status=TicketStatus.RESOLVED)
    before = (snapshot(ticket), snapshot(claimed))
    response = run_action(staff_client, "unclaim_tickets", [ticket, claimed])
    shown = messages_of(response)
    assert "“Bars 9-16”: Only a claimed ticket can be unclaimed" in shown
    assert "“Claimed one”: A resolved or verified ticket cannot be unclaimed" in shown
    assert (snapshot(ticket), snapshot(claimed)) == before


def test_reassign_action_opens_the_reassign_page(staff_client, ticket, cycle):
    response = staff_client.post(
        TICKETS, {"action": "reassign_ticket", "_selected_action": [str(ticket.pk)]}
    )
    assert response.status_code == 302
    assert response["Location"] == f"{TICKETS}{ticket.pk}/workflow/reassign/"
    two = run_action(staff_client, "reassign_ticket", [ticket, TicketFactory(cycle=cycle)])
    assert "Select exactly one ticket to reassign." in messages_of(two)


def test_reassign_page_offers_members_who_can_see_the_ticket(
    staff_client, cycle, admin, soprano_leader, soprano_member, alto_member, outsider
):
    ticket = TicketFactory(
        cycle=cycle,
        created_by=soprano_member.user,
        visibility=TicketVisibility.SECTION,
        section="Soprano",
    )
    page = staff_client.get(f"{TICKETS}{ticket.pk}/workflow/reassign/")
    assert page.status_code == 200
    offered = {m.user_id for m in page.context["form"].fields["owner"].queryset}
    assert offered == {admin.user.pk, soprano_leader.user.pk, soprano_member.user.pk}
    refused = staff_client.post(
        f"{TICKETS}{ticket.pk}/workflow/reassign/", {"owner": str(alto_member.membership.pk)}
    )
    assert refused.status_code == 200
    assert "owner" in refused.context["form"].errors
    done = staff_client.post(
        f"{TICKETS}{ticket.pk}/workflow/reassign/",
        {"owner": str(soprano_leader.membership.pk)},
        follow=True,
    )
    assert f"Ticket assigned to {soprano_leader.user.display_name}." in messages_of(done)
    ticket.refresh_from_db()
    assert ticket.owner_id == soprano_leader.user.pk
    activity = TicketActivity.objects.get(ticket=ticket)
    assert activity.content == f"Assigned to {soprano_leader.user.display_name}"


def test_reassign_of_a_verified_ticket_is_refused(staff_client, cycle, admin):
    ticket = TicketFactory(cycle=cycle, status=TicketStatus.VERIFIED)
    before = snapshot(ticket)
    response = staff_client.post(
        f"{TICKETS}{ticket.pk}/workflow/reassign/",
        {"owner": str(admin.membership.pk)},
        follow=True,
    )
    assert "A verified ticket cannot be reassigned" in messages_of(response)
    assert snapshot(ticket) == before


def test_transition_button(staff_client, ticket):
    response = staff_client.post(
        f"{TICKETS}{ticket.pk}/workflow/transition/", {"to_status": "IN_PROGRESS"}, follow=True
    )
    assert response.redirect_chain[-1][0] == change_url(ticket)
    assert "Ticket moved to In progress." in messages_of(response)
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.IN_PROGRESS


@pytest.mark.parametrize(
    ("to_status", "message"),
    [
        ("RESOLVED", "Invalid transition from OPEN to RESOLVED"),
        ("VERIFIED", "Use /verify instead"),
        ("DONE", "Unknown status: DONE"),
    ],
)
def test_refused_transition_button(staff_client, ticket, to_status, message):
    before = snapshot(ticket)
    response = staff_client.post(
        f"{TICKETS}{ticket.pk}/workflow/transition/",
        {"to_status": to_status, "content": "note"},
        follow=True,
    )
    assert messages_of(response) == [message]
    assert snapshot(ticket) == before


def test_verify_and_unclaim_buttons(staff_client, cycle, claimed):
    resolved = TicketFactory(cycle=cycle, status=TicketStatus.RESOLVED)
    page = staff_client.get(change_url(resolved))
    assert page.context["workflow"]["can_verify"] is True
    assert page.context["workflow"]["targets"] == []
    response = staff_client.post(
        f"{TICKETS}{resolved.pk}/workflow/verify/", {"content": "ok"}, follow=True
    )
    assert "Ticket verified." in messages_of(response)
    resolved.refresh_from_db()
    assert resolved.status == TicketStatus.VERIFIED

    assert staff_client.get(change_url(claimed)).context["workflow"]["can_unclaim"] is True
    response = staff_client.post(f"{TICKETS}{claimed.pk}/workflow/unclaim/", follow=True)
    assert "Ticket unclaimed." in messages_of(response)
    claimed.refresh_from_db()
    assert claimed.owner_id is None


def test_workflow_urls_refuse_get(staff_client, ticket):
    for name in ("transition", "verify", "unclaim"):
        assert staff_client.get(f"{TICKETS}{ticket.pk}/workflow/{name}/").status_code == 405
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.OPEN


def test_workflow_urls_are_staff_only(ticket, soprano_member):
    from django.test import Client

    client = Client()
    client.force_login(soprano_member.user)
    response = client.post(
        f"{TICKETS}{ticket.pk}/workflow/transition/", {"to_status": "IN_PROGRESS"}
    )
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.OPEN


def test_staff_services_refuse_non_staff_and_unknown_tickets(ticket, soprano_member):
    with pytest.raises(Forbidden):
        staff_services.ticket_transition_by_staff(
            staff_user=soprano_member.user, ticket_id=ticket.pk, to_status="IN_PROGRESS"
        )
    import uuid

    from accounts.tests.factories import UserFactory

    staff = UserFactory(is_staff=True)
    with pytest.raises(NotFound):
        staff_services.ticket_verify_by_staff(staff_user=staff, ticket_id=uuid.uuid4())
    with pytest.raises(ValidationFailed, match="Owner must be a member of this team"):
        staff_services.ticket_assign_by_staff(
            staff_user=staff, ticket_id=ticket.pk, owner_id=staff.pk
        )
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.OPEN


def test_changelist_query_count_is_constant(staff_client, cycle, soprano_member):
    from teams.tests.factories import MembershipFactory

    def make_rows(n):
        for _ in range(n):
            owner = MembershipFactory(team=cycle.team, role=Role.MEMBER).user
            TicketFactory(cycle=cycle, created_by=owner)

    assert_constant_queries(staff_client, TICKETS, make_rows, rows_shown="tickets")


def test_change_form_query_count_does_not_grow_with_activity(staff_client, ticket):
    from practiceops.admin_tests.conftest import queries_for

    def add_activity(n):
        for _ in range(n):
            TicketActivity.objects.create(ticket=ticket, user=ticket.created_by, type="COMMENT")

    add_activity(5)
    small = queries_for(staff_client, change_url(ticket))
    add_activity(45)
    assert queries_for(staff_client, change_url(ticket)) == small


def test_an_overlong_note_is_refused(staff_client, cycle):
    ticket = TicketFactory(cycle=cycle, status=TicketStatus.IN_PROGRESS)
    before = snapshot(ticket)
    response = staff_client.post(
        f"{TICKETS}{ticket.pk}/workflow/transition/",
        {"to_status": "RESOLVED", "content": "x" * 2001},
        follow=True,
    )
    assert messages_of(response) == [
        "Note: Ensure this value has at most 2000 characters (it has 2001)."
    ]
    assert snapshot(ticket) == before
    # The list's note field has the same limit.
    refused = run_action(staff_client, "transition_to_resolved", [ticket], note="x" * 2001)
    assert messages_of(refused) == ["No action selected."]
    assert snapshot(ticket) == before


def test_reopen_button(staff_client, staff_user, cycle, soprano_member):
    resolved = TicketFactory(
        cycle=cycle,
        created_by=soprano_member.user,
        status=TicketStatus.RESOLVED,
        resolved_at=timezone.now(),
        resolved_note="fixed",
    )
    page = staff_client.get(change_url(resolved))
    assert page.context["workflow"]["can_reopen"] is True
    assert b'id="ticket-reopen-form"' in page.content

    # No reason: refused before the service runs, nothing changes.
    before = snapshot(resolved)
    response = staff_client.post(
        f"{TICKETS}{resolved.pk}/workflow/reopen/", {"reason": "   "}, follow=True
    )
    assert messages_of(response) == ["Reason: This field is required."]
    assert snapshot(resolved) == before

    response = staff_client.post(
        f"{TICKETS}{resolved.pk}/workflow/reopen/", {"reason": "Bar 12 slips"}, follow=True
    )
    assert "Ticket reopened." in messages_of(response)
    resolved.refresh_from_db()
    assert (resolved.status, resolved.resolved_at) == (TicketStatus.IN_PROGRESS, None)
    (activity,) = TicketActivity.objects.filter(ticket=resolved)
    assert (activity.type, activity.old_status, activity.new_status, activity.content) == (
        "STATUS_CHANGE",
        "RESOLVED",
        "IN_PROGRESS",
        "Bar 12 slips",
    )
    assert activity.user_id == staff_user.pk
    # The page no longer offers it; a second reopen is the state machine's refusal.
    assert staff_client.get(change_url(resolved)).context["workflow"]["can_reopen"] is False
    before = snapshot(resolved)
    response = staff_client.post(
        f"{TICKETS}{resolved.pk}/workflow/reopen/", {"reason": "again"}, follow=True
    )
    assert messages_of(response) == ["Only RESOLVED tickets can be reopened"]
    assert snapshot(resolved) == before
    assert staff_client.get(f"{TICKETS}{resolved.pk}/workflow/reopen/").status_code == 405
