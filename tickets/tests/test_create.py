import datetime
import uuid

import pytest

from conftest import assert_error
from tickets.models import Ticket, TicketActivity

TICKET_FIELDS = {
    "id",
    "team_id",
    "cycle_id",
    "owner_id",
    "created_by",
    "claimed_by",
    "claimed_at",
    "claimable",
    "category",
    "priority",
    "status",
    "visibility",
    "section",
    "title",
    "description",
    "song_ref",
    "measures",
    "due_at",
    "created_at",
    "updated_at",
    "resolved_at",
    "resolved_note",
    "verified_at",
    "verified_by",
    "verified_note",
}


def body(**overrides):
    return {
        "title": "Bars 32-40 pitch",
        "category": "PITCH",
        "priority": "MEDIUM",
        "visibility": "TEAM",
        **overrides,
    }


def create(persona, cycle, **overrides):
    return persona.client.post(f"/cycles/{cycle.id}/tickets", body(**overrides), format="json")


def test_create_returns_the_ticket_response_with_defaults(soprano_member, cycle, team):
    response = create(
        soprano_member,
        cycle,
        description="Flat on the leap",
        song_ref="Hallelujah",
        measures="32-40",
        unknown_field="ignored",
    )
    assert response.status_code == 201, response.content
    ticket = response.json()["ticket"]
    assert set(ticket) == TICKET_FIELDS
    assert ticket["team_id"] == str(team.id)
    assert ticket["cycle_id"] == str(cycle.id)
    assert ticket["owner_id"] == soprano_member.id
    assert ticket["created_by"] == soprano_member.id
    assert ticket["claimed_by"] is None and ticket["claimed_at"] is None
    assert ticket["claimable"] is False
    assert ticket["status"] == "OPEN"
    assert ticket["section"] is None  # a TEAM ticket does not take the creator's section
    assert ticket["measures"] == "32-40"
    assert ticket["due_at"] == f"{cycle.date.isoformat()}T00:00:00Z"
    assert ticket["created_at"].endswith("Z")
    activity = TicketActivity.objects.get(ticket_id=ticket["id"])
    assert (activity.type, activity.user_id, activity.new_status) == (
        "CREATED",
        soprano_member.user.id,
        "OPEN",
    )


def test_explicit_due_at_is_kept(soprano_member, cycle):
    response = create(soprano_member, cycle, due_at="2030-01-02T18:30:00+01:00")
    assert response.status_code == 201
    assert response.json()["ticket"]["due_at"] == "2030-01-02T17:30:00Z"


@pytest.mark.parametrize("visibility", ["SECTION", "PRIVATE"])
def test_non_team_ticket_takes_the_creators_section(soprano_member, cycle, visibility):
    response = create(soprano_member, cycle, visibility=visibility)
    assert response.status_code == 201
    assert response.json()["ticket"]["section"] == "Soprano"


def test_explicit_section_wins(soprano_member, cycle):
    response = create(soprano_member, cycle, visibility="SECTION", section="Alto")
    assert response.json()["ticket"]["section"] == "Alto"


def test_section_ticket_needs_a_section(sectionless_member, admin, cycle):
    assert_error(
        create(sectionless_member, cycle, visibility="SECTION"),
        422,
        "VALIDATION_ERROR",
        "A section is required for SECTION visibility",
        field="section",
    )
    assert_error(
        create(admin, cycle, visibility="SECTION", section=""),
        422,
        "VALIDATION_ERROR",
        field="section",
    )
    assert not Ticket.objects.exists()


def test_private_ticket_without_any_section_is_allowed(sectionless_member, cycle):
    response = create(sectionless_member, cycle, visibility="PRIVATE")
    assert response.status_code == 201
    assert response.json()["ticket"]["section"] is None


def test_owner_must_be_a_member_of_the_team(soprano_leader, outsider, cycle):
    for owner_id in (outsider.id, str(uuid.uuid4())):
        assert_error(
            create(soprano_leader, cycle, owner_id=owner_id),
            422,
            "VALIDATION_ERROR",
            "Owner must be a member of this team",
            field="owner_id",
        )
    assert_error(
        create(soprano_leader, cycle, owner_id="nope"), 422, "VALIDATION_ERROR", field="owner_id"
    )
    assert_error(
        create(soprano_leader, cycle, owner_id=5), 422, "VALIDATION_ERROR", field="owner_id"
    )
    assert not Ticket.objects.exists()


def test_owner_must_be_able_to_see_the_ticket(admin, alto_member, soprano_member, cycle):
    assert_error(
        create(admin, cycle, visibility="SECTION", section="Soprano", owner_id=alto_member.id),
        422,
        "VALIDATION_ERROR",
        "The owner must be able to see this ticket",
        field="owner_id",
    )
    response = create(
        admin, cycle, visibility="SECTION", section="Soprano", owner_id=soprano_member.id
    )
    assert response.status_code == 201
    assert response.json()["ticket"]["owner_id"] == soprano_member.id


def test_claimable_ticket_has_no_owner(soprano_leader, cycle):
    response = create(soprano_leader, cycle, claimable=True)
    assert response.status_code == 201
    ticket = response.json()["ticket"]
    assert ticket["claimable"] is True
    assert ticket["owner_id"] is None
    assert ticket["created_by"] == soprano_leader.id


def test_only_leaders_create_claimable_tickets(soprano_member, admin, cycle):
    assert_error(
        create(soprano_member, cycle, claimable=True),
        403,
        "FORBIDDEN",
        "Only section leaders and admins can create claimable tickets",
        field=None,
    )
    assert create(admin, cycle, claimable=True).status_code == 201


def test_claimable_ticket_cannot_have_an_owner(admin, soprano_member, cycle):
    assert_error(
        create(admin, cycle, claimable=True, owner_id=soprano_member.id),
        422,
        "VALIDATION_ERROR",
        "A claimable ticket cannot be created with an owner",
        field="owner_id",
    )


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "   "}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"title": 5}, "title"),
        ({"category": "LOUDNESS"}, "category"),
        ({"priority": "URGENT"}, "priority"),
        ({"priority": 1}, "priority"),
        ({"visibility": "PUBLIC"}, "visibility"),
        ({"measures": "x" * 51}, "measures"),
        ({"song_ref": "x" * 101}, "song_ref"),
        ({"description": "x" * 2001}, "description"),
        ({"description": "nul\x00"}, "description"),
        ({"claimable": "yes"}, "claimable"),
        ({"due_at": "tomorrow"}, "due_at"),
        ({"due_at": 1700000000}, "due_at"),
        ({"section": ["Alto"]}, "section"),
    ],
)
def test_invalid_bodies_are_422(soprano_member, cycle, overrides, field):
    assert_error(create(soprano_member, cycle, **overrides), 422, "VALIDATION_ERROR", field=field)


@pytest.mark.parametrize("missing", ["title", "category", "priority", "visibility"])
def test_required_fields(soprano_member, cycle, missing):
    data = body()
    del data[missing]
    response = soprano_member.client.post(f"/cycles/{cycle.id}/tickets", data, format="json")
    assert_error(response, 422, "VALIDATION_ERROR", field=missing)


def test_body_must_be_an_object(soprano_member, cycle):
    response = soprano_member.client.post(f"/cycles/{cycle.id}/tickets", [body()], format="json")
    assert_error(response, 422, "VALIDATION_ERROR")


def test_create_role_matrix(admin, soprano_leader, alto_member, outsider, anon, cycle):
    for persona in (admin, soprano_leader, alto_member):
        assert create(persona, cycle).status_code == 201
    assert_error(create(outsider, cycle), 403, "FORBIDDEN", "Not a member of this team", field=None)
    assert_error(
        anon.post(f"/cycles/{cycle.id}/tickets", body(), format="json"), 401, "UNAUTHORIZED"
    )
    assert Ticket.objects.count() == 3


def test_unknown_and_malformed_cycle(soprano_member):
    response = soprano_member.client.post(f"/cycles/{uuid.uuid4()}/tickets", body(), format="json")
    assert_error(response, 404, "NOT_FOUND", "Cycle not found", field=None)
    response = soprano_member.client.post("/cycles/not-a-uuid/tickets", body(), format="json")
    assert_error(response, 422, "VALIDATION_ERROR", field="cycle_id")


def test_naive_due_at_is_read_as_utc(soprano_member, cycle):
    response = create(soprano_member, cycle, due_at="2030-05-01T10:00:00")
    assert response.json()["ticket"]["due_at"] == "2030-05-01T10:00:00Z"
    ticket = Ticket.objects.get()
    assert ticket.due_at == datetime.datetime(2030, 5, 1, 10, tzinfo=datetime.UTC)
