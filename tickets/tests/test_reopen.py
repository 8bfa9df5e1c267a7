"""POST /tickets/{id}/reopen: RESOLVED -> IN_PROGRESS with a reason, by whoever may verify."""

from collections import Counter

import pytest
from django.utils import timezone

from conftest import assert_error, authed_client
from tickets import services
from tickets.models import TicketActivity
from tickets.tests.factories import TicketFactory
from tickets.tests.test_concurrency import run_together, team_setup  # noqa: F401 - fixture
from tickets.tests.test_state_machine import STATUSES, ticket_in
from tickets.tests.test_visibility_matrix import (  # noqa: F401 - fixture
    KINDS,
    VERIFY,
    VISIBLE,
    assert_refused,
    make_ticket,
    people,
)


def test_reopen_sends_a_resolved_ticket_back(admin, soprano_member, cycle):
    ticket = ticket_in("RESOLVED", cycle=cycle, owner=soprano_member)
    response = admin.client.post(
        f"/tickets/{ticket.id}/reopen", {"reason": "  Bar 34 is flat again  "}, format="json"
    )
    assert response.status_code == 200, response.content
    ticket.refresh_from_db()
    body = response.json()["ticket"]
    assert body["status"] == "IN_PROGRESS" == ticket.status
    assert body["resolved_at"] is None and ticket.resolved_at is None
    # The old note stays (the activity history keeps it too); verification fields untouched.
    assert body["resolved_note"] == "fixed"
    assert (body["verified_at"], body["verified_by"], body["verified_note"]) == (None, None, None)
    assert body["owner_id"] == str(soprano_member.user.id)
    (activity,) = TicketActivity.objects.filter(ticket=ticket)
    assert (
        activity.type,
        activity.old_status,
        activity.new_status,
        activity.content,
        activity.user_id,
    ) == ("STATUS_CHANGE", "RESOLVED", "IN_PROGRESS", "Bar 34 is flat again", admin.user.id)
    # The owner can resolve it again, and a leader verify it after that.
    response = soprano_member.client.post(
        f"/tickets/{ticket.id}/transition",
        {"to_status": "RESOLVED", "content": "Really fixed"},
        format="json",
    )
    assert response.json()["ticket"]["resolved_at"] is not None


@pytest.mark.parametrize("from_status", [s for s in STATUSES if s != "RESOLVED"])
def test_only_resolved_tickets_reopen(admin, soprano_member, cycle, from_status):
    ticket = ticket_in(from_status, cycle=cycle, owner=soprano_member)
    response = admin.client.post(
        f"/tickets/{ticket.id}/reopen", {"reason": "Not holding"}, format="json"
    )
    assert_error(
        response, 422, "VALIDATION_ERROR", "Only RESOLVED tickets can be reopened", field=None
    )
    ticket.refresh_from_db()
    assert ticket.status == from_status
    assert not TicketActivity.objects.filter(ticket=ticket).exists()


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({}, "This field is required."),
        ({"reason": ""}, "This field may not be blank."),
        ({"reason": "   "}, "This field may not be blank."),
        ({"reason": None}, "This field may not be null."),
        ({"reason": 12}, "Not a valid string."),
        ({"reason": ["x"]}, "Not a valid string."),
        ({"reason": "x" * 2001}, "Ensure this field has no more than 2000 characters."),
    ],
)
def test_reopen_reason_validation(admin, soprano_member, cycle, payload, message):
    ticket = ticket_in("RESOLVED", cycle=cycle, owner=soprano_member)
    response = admin.client.post(f"/tickets/{ticket.id}/reopen", payload, format="json")
    assert_error(response, 422, "VALIDATION_ERROR", message, field="reason")
    ticket.refresh_from_db()
    assert ticket.status == "RESOLVED"


def test_reopen_body_must_be_an_object(admin, soprano_member, cycle):
    ticket = ticket_in("RESOLVED", cycle=cycle, owner=soprano_member)
    response = admin.client.post(f"/tickets/{ticket.id}/reopen", ["reason"], format="json")
    assert_error(response, 422, "VALIDATION_ERROR")


def test_reopen_unknown_and_malformed_ids(admin):
    assert_error(
        admin.client.post(
            "/tickets/00000000-0000-0000-0000-000000000000/reopen", {"reason": "x"}, format="json"
        ),
        404,
        "NOT_FOUND",
        "Ticket not found",
        field=None,
    )
    assert_error(
        admin.client.post("/tickets/nope/reopen", {"reason": "x"}, format="json"),
        422,
        "VALIDATION_ERROR",
        "Must be a valid UUID",
        field="ticket_id",
    )


def test_reopen_needs_authentication(anon, soprano_member, cycle):
    ticket = ticket_in("RESOLVED", cycle=cycle, owner=soprano_member)
    assert_error(
        anon.post(f"/tickets/{ticket.id}/reopen", {"reason": "x"}, format="json"),
        401,
        "UNAUTHORIZED",
        "Missing authorization header",
        field=None,
    )


def test_reopen_refusals_name_the_verify_rule(soprano_leader, alto_leader, soprano_member, cycle):
    ticket = ticket_in("RESOLVED", cycle=cycle, owner=soprano_member)
    assert_error(
        soprano_member.client.post(f"/tickets/{ticket.id}/reopen", {"reason": "x"}, format="json"),
        403,
        "FORBIDDEN",
        "Section leader or admin role required",
        field=None,
    )
    private = TicketFactory(
        cycle=cycle,
        created_by=alto_leader.user,
        owner=soprano_member.user,
        visibility="PRIVATE",
        section="Soprano",
        status="RESOLVED",
        resolved_at=timezone.now(),
    )
    assert_error(
        alto_leader.client.post(f"/tickets/{private.id}/reopen", {"reason": "x"}, format="json"),
        403,
        "FORBIDDEN",
        "Section leaders can only verify TEAM tickets and tickets of their own section",
        field=None,
    )
    response = soprano_leader.client.post(
        f"/tickets/{private.id}/reopen", {"reason": "x"}, format="json"
    )
    assert response.status_code == 200


@pytest.mark.parametrize("kind", KINDS)
def test_reopen_role_matrix_is_verifys(people, cycle, kind):  # noqa: F811 - fixture
    """Every persona against every kind of ticket: reopen succeeds exactly where verify does."""
    for name, persona in people.items():
        ticket = make_ticket(
            people, cycle, kind, status="RESOLVED", resolved_at=timezone.now(), resolved_note="ok"
        )
        response = persona.client.post(
            f"/tickets/{ticket.id}/reopen", {"reason": f"from {name}"}, format="json"
        )
        ticket.refresh_from_db()
        if name in VERIFY[kind]:
            assert response.status_code == 200, (name, response.content)
            assert ticket.status == "IN_PROGRESS"
        else:
            assert_refused(response, name, visible=name in VISIBLE[kind])
            assert ticket.status == "RESOLVED"
            assert not TicketActivity.objects.filter(ticket=ticket).exists()


def test_service_refuses_a_blank_reason(admin, soprano_member, cycle):
    """The state machine holds the rule even for callers that skip the serializer."""
    from practiceops.core.errors import ValidationFailed

    ticket = ticket_in("RESOLVED", cycle=cycle, owner=soprano_member)
    with pytest.raises(ValidationFailed) as caught:
        services.ticket_reopen(membership=admin.membership, ticket_id=ticket.pk, reason="  ")
    assert (caught.value.message, caught.value.field) == (
        "A reason is required to reopen a ticket",
        "reason",
    )


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_reopens_one_wins(require_postgres, team_setup):  # noqa: F811
    cycle, leader, members = team_setup
    owner = members[0]
    clients = [authed_client(leader.user), authed_client(leader.user)]
    outcomes = Counter()
    for _ in range(10):
        ticket = TicketFactory(
            cycle=cycle,
            created_by=leader.user,
            owner=owner.user,
            status="RESOLVED",
            resolved_at=timezone.now(),
            resolved_note="fixed",
        )
        url = f"/tickets/{ticket.id}/reopen"
        results = run_together(
            [
                lambda c=c, i=i: c.post(url, {"reason": f"r{i}"}, format="json")
                for i, c in enumerate(clients)
            ]
        )
        assert not [r for r in results if isinstance(r, Exception)], results
        codes = sorted(r.status_code for r in results)
        assert codes == [200, 422], [r.content for r in results]
        (loser,) = [r for r in results if r.status_code == 422]
        assert_error(
            loser, 422, "VALIDATION_ERROR", "Only RESOLVED tickets can be reopened", field=None
        )
        ticket.refresh_from_db()
        assert ticket.status == "IN_PROGRESS"
        history = list(TicketActivity.objects.filter(ticket=ticket))
        assert len(history) == 1
        outcomes[history[0].content] += 1
    assert sum(outcomes.values()) == 10
