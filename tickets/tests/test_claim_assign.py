import uuid

import pytest
from django.utils import timezone

from conftest import assert_error
from tickets.models import TicketActivity
from tickets.tests.factories import TicketFactory


@pytest.fixture
def pool_ticket(cycle, soprano_leader):
    return TicketFactory(cycle=cycle, created_by=soprano_leader.user, owner=None, claimable=True)


def activities(ticket, type_):
    return list(TicketActivity.objects.filter(ticket=ticket, type=type_))


def test_claim_sets_owner_and_claimed_by(soprano_member, pool_ticket):
    response = soprano_member.client.post(f"/tickets/{pool_ticket.id}/claim")
    assert response.status_code == 200
    body = response.json()["ticket"]
    assert body["owner_id"] == body["claimed_by"] == soprano_member.id
    assert body["claimed_at"].endswith("Z")
    assert body["status"] == "OPEN"  # claiming does not move the ticket
    (claimed,) = activities(pool_ticket, "CLAIMED")
    assert claimed.user_id == soprano_member.user.id
    assert (claimed.old_status, claimed.new_status) == (None, None)


def test_claim_already_claimed_is_409(soprano_member, alto_member, pool_ticket):
    assert soprano_member.client.post(f"/tickets/{pool_ticket.id}/claim").status_code == 200
    for persona in (alto_member, soprano_member):
        assert_error(
            persona.client.post(f"/tickets/{pool_ticket.id}/claim"),
            409,
            "CONFLICT",
            "Ticket has already been claimed",
            field=None,
        )
    pool_ticket.refresh_from_db()
    assert pool_ticket.owner_id == soprano_member.user.id
    assert len(activities(pool_ticket, "CLAIMED")) == 1


def test_claim_non_claimable_is_403(soprano_member, cycle):
    ticket = TicketFactory(cycle=cycle, created_by=soprano_member.user)
    assert_error(
        soprano_member.client.post(f"/tickets/{ticket.id}/claim"),
        403,
        "FORBIDDEN",
        "This ticket is not claimable",
        field=None,
    )


def test_claim_resolved_ticket_is_refused(soprano_member, cycle, soprano_leader):
    ticket = TicketFactory(
        cycle=cycle,
        created_by=soprano_leader.user,
        owner=None,
        claimable=True,
        status="RESOLVED",
        resolved_note="x",
    )
    assert_error(
        soprano_member.client.post(f"/tickets/{ticket.id}/claim"),
        422,
        "VALIDATION_ERROR",
        "A resolved or verified ticket cannot be claimed",
        field=None,
    )


def test_claim_unknown_and_malformed_ids(soprano_member):
    assert_error(
        soprano_member.client.post(f"/tickets/{uuid.uuid4()}/claim"),
        404,
        "NOT_FOUND",
        "Ticket not found",
    )
    assert_error(
        soprano_member.client.post("/tickets/xyz/claim"), 422, "VALIDATION_ERROR", field="ticket_id"
    )


def test_unclaim_returns_ticket_to_the_pool(soprano_member, alto_member, pool_ticket):
    soprano_member.client.post(f"/tickets/{pool_ticket.id}/claim")
    soprano_member.client.post(
        f"/tickets/{pool_ticket.id}/transition", {"to_status": "IN_PROGRESS"}, format="json"
    )
    response = soprano_member.client.post(f"/tickets/{pool_ticket.id}/unclaim")
    assert response.status_code == 200
    body = response.json()["ticket"]
    assert (body["owner_id"], body["claimed_by"], body["claimed_at"], body["status"]) == (
        None,
        None,
        None,
        "OPEN",
    )
    (reassigned,) = activities(pool_ticket, "REASSIGNED")
    assert (reassigned.old_status, reassigned.new_status) == ("IN_PROGRESS", "OPEN")
    assert reassigned.user_id == soprano_member.user.id
    # Back in the pool: someone else can claim it now.
    assert alto_member.client.post(f"/tickets/{pool_ticket.id}/claim").status_code == 200


def test_unclaim_refusals(soprano_member, alto_member, soprano_leader, pool_ticket, cycle):
    assert_error(
        soprano_member.client.post(f"/tickets/{pool_ticket.id}/unclaim"),
        403,
        "FORBIDDEN",
        "Only the current owner of a claimed ticket can unclaim it",
        field=None,
    )
    soprano_member.client.post(f"/tickets/{pool_ticket.id}/claim")
    for persona in (alto_member, soprano_leader):
        assert_error(persona.client.post(f"/tickets/{pool_ticket.id}/unclaim"), 403, "FORBIDDEN")
    owned = TicketFactory(cycle=cycle, created_by=soprano_member.user)
    assert_error(soprano_member.client.post(f"/tickets/{owned.id}/unclaim"), 403, "FORBIDDEN")
    resolved = TicketFactory(
        cycle=cycle,
        created_by=soprano_leader.user,
        owner=soprano_member.user,
        claimed_by=soprano_member.user,
        claimed_at=timezone.now(),
        claimable=True,
        status="RESOLVED",
        resolved_note="done",
    )
    assert_error(
        soprano_member.client.post(f"/tickets/{resolved.id}/unclaim"),
        422,
        "VALIDATION_ERROR",
        "A resolved or verified ticket cannot be unclaimed",
        field=None,
    )
    resolved.refresh_from_db()
    assert (resolved.owner_id, resolved.status) == (soprano_member.user.id, "RESOLVED")


def test_assign_role_matrix(
    admin, soprano_leader, alto_leader, soprano_member, alto_member, outsider, cycle
):
    """ADMIN and the leader of the ticket's section; others 403; outsider not a member."""
    ticket = TicketFactory(
        cycle=cycle, created_by=soprano_member.user, visibility="TEAM", section="Soprano"
    )
    url = f"/tickets/{ticket.id}/assign"
    assert_error(
        soprano_member.client.post(url, {"owner_id": alto_member.id}, format="json"),
        403,
        "FORBIDDEN",
        "Section leader or admin role required",
        field=None,
    )
    assert_error(
        alto_leader.client.post(url, {"owner_id": alto_member.id}, format="json"),
        403,
        "FORBIDDEN",
        "Only an admin or the section leader of this ticket's section can reassign it",
        field=None,
    )
    assert_error(
        outsider.client.post(url, {"owner_id": alto_member.id}, format="json"),
        403,
        "FORBIDDEN",
        "Not a member of this team",
    )
    response = soprano_leader.client.post(url, {"owner_id": alto_member.id}, format="json")
    assert response.status_code == 200
    assert response.json()["ticket"]["owner_id"] == alto_member.id
    response = admin.client.post(url, {"owner_id": soprano_member.id}, format="json")
    assert response.json()["ticket"]["owner_id"] == soprano_member.id
    reassigned = TicketActivity.objects.filter(ticket=ticket, type="REASSIGNED").order_by(
        "created_at"
    )
    assert [(a.user_id, a.content) for a in reassigned] == [
        (soprano_leader.user.id, "Assigned to Alice Alto"),
        (admin.user.id, "Assigned to Sue Soprano"),
    ]


def test_assign_new_owner_rules(admin, soprano_member, alto_member, outsider, cycle):
    ticket = TicketFactory(
        cycle=cycle, created_by=soprano_member.user, visibility="SECTION", section="Soprano"
    )
    url = f"/tickets/{ticket.id}/assign"
    assert_error(
        admin.client.post(url, {"owner_id": alto_member.id}, format="json"),
        422,
        "VALIDATION_ERROR",
        "The owner must be able to see this ticket",
        field="owner_id",
    )
    for owner_id in (outsider.id, str(uuid.uuid4())):
        assert_error(
            admin.client.post(url, {"owner_id": owner_id}, format="json"),
            422,
            "VALIDATION_ERROR",
            "Owner must be a member of this team",
            field="owner_id",
        )
    for bad in ({}, {"owner_id": None}, {"owner_id": "nope"}, {"owner_id": 7}):
        assert_error(
            admin.client.post(url, bad, format="json"), 422, "VALIDATION_ERROR", field="owner_id"
        )
    ticket.refresh_from_db()
    assert ticket.owner_id == soprano_member.user.id
    assert not TicketActivity.objects.filter(ticket=ticket).exists()


def test_assign_claimed_ticket_clears_the_claim(admin, soprano_member, alto_member, pool_ticket):
    soprano_member.client.post(f"/tickets/{pool_ticket.id}/claim")
    response = admin.client.post(
        f"/tickets/{pool_ticket.id}/assign", {"owner_id": alto_member.id}, format="json"
    )
    body = response.json()["ticket"]
    assert (body["owner_id"], body["claimed_by"], body["claimed_at"]) == (
        alto_member.id,
        None,
        None,
    )
    # The new owner holds a claimable ticket and may give it back.
    assert alto_member.client.post(f"/tickets/{pool_ticket.id}/unclaim").status_code == 200


def test_assign_to_current_owner_changes_nothing(admin, soprano_member, cycle):
    ticket = TicketFactory(cycle=cycle, created_by=soprano_member.user)
    response = admin.client.post(
        f"/tickets/{ticket.id}/assign", {"owner_id": soprano_member.id}, format="json"
    )
    assert response.status_code == 200
    assert not TicketActivity.objects.filter(ticket=ticket).exists()


def test_assign_verified_ticket_is_refused(admin, soprano_member, alto_member, cycle):
    ticket = TicketFactory(cycle=cycle, created_by=soprano_member.user, status="VERIFIED")
    assert_error(
        admin.client.post(
            f"/tickets/{ticket.id}/assign", {"owner_id": alto_member.id}, format="json"
        ),
        422,
        "VALIDATION_ERROR",
        "A verified ticket cannot be reassigned",
        field=None,
    )
