"""Every (from, to) pair of the five statuses through /transition and /verify."""

import itertools

import pytest
from django.utils import timezone

from conftest import assert_error
from tickets.models import TicketActivity
from tickets.tests.factories import TicketFactory

STATUSES = ["OPEN", "IN_PROGRESS", "BLOCKED", "RESOLVED", "VERIFIED"]

# Written out again (not imported) so a change to the machine has to change this test too.
ALLOWED = {
    ("OPEN", "IN_PROGRESS"),
    ("IN_PROGRESS", "OPEN"),
    ("IN_PROGRESS", "BLOCKED"),
    ("IN_PROGRESS", "RESOLVED"),
    ("BLOCKED", "IN_PROGRESS"),
    ("BLOCKED", "RESOLVED"),
}


def ticket_in(status, *, cycle, owner):
    extra = {}
    if status in ("RESOLVED", "VERIFIED"):
        extra.update(resolved_at=timezone.now(), resolved_note="fixed")
    if status == "VERIFIED":
        extra.update(verified_at=timezone.now(), verified_note="ok")
    return TicketFactory(cycle=cycle, created_by=owner.user, status=status, **extra)


@pytest.mark.parametrize(("from_status", "to_status"), list(itertools.product(STATUSES, STATUSES)))
def test_transition_pairs(soprano_member, cycle, from_status, to_status):
    ticket = ticket_in(from_status, cycle=cycle, owner=soprano_member)
    response = soprano_member.client.post(
        f"/tickets/{ticket.id}/transition",
        {"to_status": to_status, "content": "Sounds right now"},
        format="json",
    )
    ticket.refresh_from_db()
    activities = list(TicketActivity.objects.filter(ticket=ticket))
    if to_status == "VERIFIED":
        assert_error(response, 422, "VALIDATION_ERROR", "Use /verify instead", field="to_status")
    elif (from_status, to_status) in ALLOWED:
        assert response.status_code == 200, response.content
        body = response.json()["ticket"]
        assert body["status"] == to_status == ticket.status
        assert len(activities) == 1
        activity = activities[0]
        assert (activity.type, activity.old_status, activity.new_status) == (
            "STATUS_CHANGE",
            from_status,
            to_status,
        )
        assert activity.user_id == soprano_member.user.id
        assert activity.content == "Sounds right now"
        if to_status == "RESOLVED":
            assert body["resolved_note"] == "Sounds right now"
            assert body["resolved_at"] is not None
        return
    else:
        assert_error(
            response,
            422,
            "VALIDATION_ERROR",
            f"Invalid transition from {from_status} to {to_status}",
            field="to_status",
        )
    assert ticket.status == from_status
    assert activities == []


@pytest.mark.parametrize("from_status", STATUSES)
@pytest.mark.parametrize("to_status", STATUSES)
def test_verify_from_every_status(admin, soprano_member, cycle, from_status, to_status):
    """/verify only ever targets VERIFIED; the walk over ``to`` checks the body is not read as one."""
    ticket = ticket_in(from_status, cycle=cycle, owner=soprano_member)
    response = admin.client.post(
        f"/tickets/{ticket.id}/verify",
        {"content": "Clean at rehearsal", "to_status": to_status},
        format="json",
    )
    ticket.refresh_from_db()
    activities = list(TicketActivity.objects.filter(ticket=ticket))
    if from_status == "RESOLVED":
        assert response.status_code == 200, response.content
        body = response.json()["ticket"]
        assert body["status"] == "VERIFIED" == ticket.status
        assert body["verified_by"] == admin.id
        assert body["verified_note"] == "Clean at rehearsal"
        assert body["verified_at"] is not None
        assert len(activities) == 1
        activity = activities[0]
        assert (activity.type, activity.old_status, activity.new_status) == (
            "VERIFIED",
            "RESOLVED",
            "VERIFIED",
        )
        assert (activity.user_id, activity.content) == (admin.user.id, "Clean at rehearsal")
        return
    message = (
        "Ticket is already verified"
        if from_status == "VERIFIED"
        else "Only RESOLVED tickets can be verified"
    )
    assert_error(response, 422, "VALIDATION_ERROR", message, field=None)
    assert ticket.status == from_status
    assert activities == []


@pytest.mark.parametrize("content", [None, "", "   "])
def test_resolving_needs_a_note(soprano_member, cycle, content):
    ticket = ticket_in("IN_PROGRESS", cycle=cycle, owner=soprano_member)
    payload = {"to_status": "RESOLVED"}
    if content is not None:
        payload["content"] = content
    response = soprano_member.client.post(
        f"/tickets/{ticket.id}/transition", payload, format="json"
    )
    assert_error(
        response, 422, "VALIDATION_ERROR", "A note is required to resolve a ticket", field="content"
    )
    ticket.refresh_from_db()
    assert ticket.status == "IN_PROGRESS"


def test_transition_body_validation(soprano_member, cycle):
    ticket = ticket_in("OPEN", cycle=cycle, owner=soprano_member)
    url = f"/tickets/{ticket.id}/transition"
    assert_error(
        soprano_member.client.post(url, {}, format="json"),
        422,
        "VALIDATION_ERROR",
        field="to_status",
    )
    assert_error(
        soprano_member.client.post(url, {"to_status": "DONE"}, format="json"),
        422,
        "VALIDATION_ERROR",
        field="to_status",
    )
    assert_error(
        soprano_member.client.post(url, {"to_status": "IN_PROGRESS", "content": 3}, format="json"),
        422,
        "VALIDATION_ERROR",
        field="content",
    )


def test_who_may_transition(admin, soprano_leader, soprano_member, alto_member, outsider, cycle):
    """Owner or creator, whatever their role; nobody else, not even an ADMIN."""
    ticket = TicketFactory(cycle=cycle, created_by=soprano_leader.user, owner=soprano_member.user)
    url = f"/tickets/{ticket.id}/transition"
    for persona in (admin, alto_member):
        assert_error(
            persona.client.post(url, {"to_status": "IN_PROGRESS"}, format="json"),
            403,
            "FORBIDDEN",
            "Only the ticket's owner or creator can change its status",
            field=None,
        )
    assert_error(
        outsider.client.post(url, {"to_status": "IN_PROGRESS"}, format="json"),
        403,
        "FORBIDDEN",
        "Not a member of this team",
    )
    assert (
        soprano_member.client.post(url, {"to_status": "IN_PROGRESS"}, format="json").status_code
        == 200
    )
    assert (
        soprano_leader.client.post(url, {"to_status": "BLOCKED"}, format="json").status_code == 200
    )
    ticket.refresh_from_db()
    assert ticket.status == "BLOCKED"
    assert TicketActivity.objects.filter(ticket=ticket).count() == 2


def test_patch_cannot_change_status(soprano_member, cycle):
    ticket = ticket_in("OPEN", cycle=cycle, owner=soprano_member)
    response = soprano_member.client.patch(
        f"/tickets/{ticket.id}", {"status": "RESOLVED", "title": "New"}, format="json"
    )
    assert_error(
        response,
        422,
        "VALIDATION_ERROR",
        "Status can only be changed with /transition or /verify",
        field="status",
    )
    ticket.refresh_from_db()
    assert (ticket.status, ticket.title) != ("RESOLVED", "New")
    assert ticket.status == "OPEN"


def test_verify_roles(soprano_leader, alto_leader, soprano_member, cycle):
    """A member never verifies; a leader sees but may not verify another section's private ticket."""
    ticket = ticket_in("RESOLVED", cycle=cycle, owner=soprano_member)
    assert_error(
        soprano_member.client.post(f"/tickets/{ticket.id}/verify", {}, format="json"),
        403,
        "FORBIDDEN",
        "Section leader or admin role required",
        field=None,
    )
    # alto_leader created it, so sees it; it belongs to the Soprano section.
    private = TicketFactory(
        cycle=cycle,
        created_by=alto_leader.user,
        owner=soprano_member.user,
        visibility="PRIVATE",
        section="Soprano",
        status="RESOLVED",
    )
    assert_error(
        alto_leader.client.post(f"/tickets/{private.id}/verify", {}, format="json"),
        403,
        "FORBIDDEN",
        "Section leaders can only verify TEAM tickets and tickets of their own section",
        field=None,
    )
    response = soprano_leader.client.post(f"/tickets/{private.id}/verify", {}, format="json")
    assert response.status_code == 200
    assert response.json()["ticket"]["verified_note"] is None
