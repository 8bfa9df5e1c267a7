"""Tickets of each visibility x section against every kind of caller, for every action.

The owner and the creator are members with no section, so only the owner/creator rule can
let them see a ticket that is not TEAM-wide.
"""

import pytest
from django.utils import timezone

from conftest import assert_error, make_persona
from teams.models import Role
from tickets.models import Ticket, TicketActivity
from tickets.tests.factories import TicketFactory

PERSONAS = [
    "admin",
    "soprano_leader",
    "alto_leader",
    "soprano_member",
    "alto_member",
    "owner",
    "creator",
    "outsider",
]

# (visibility, section) of the ticket -> who can see it. Written out by hand from domain.md.
ALL_MEMBERS = {
    "admin",
    "soprano_leader",
    "alto_leader",
    "soprano_member",
    "alto_member",
    "owner",
    "creator",
}
VISIBLE = {
    ("TEAM", None): ALL_MEMBERS,
    ("TEAM", "Soprano"): ALL_MEMBERS,
    ("SECTION", "Soprano"): {"admin", "soprano_leader", "soprano_member"},
    ("PRIVATE", "Soprano"): {"admin", "soprano_leader", "owner", "creator"},
    ("PRIVATE", None): {"admin", "owner", "creator"},
}
# Claimable tickets have no owner: the "owner" persona is then just a member without section.
VISIBLE_UNOWNED = {
    key: who - {"owner"} if key[0] == "PRIVATE" else who for key, who in VISIBLE.items()
}
EDIT = {
    ("TEAM", None): {"admin", "owner", "creator"},
    ("TEAM", "Soprano"): {"admin", "soprano_leader", "owner", "creator"},
    ("SECTION", "Soprano"): {"admin", "soprano_leader"},
    ("PRIVATE", "Soprano"): {"admin", "soprano_leader", "owner", "creator"},
    ("PRIVATE", None): {"admin", "owner", "creator"},
}
VERIFY = {
    ("TEAM", None): {"admin", "soprano_leader", "alto_leader"},
    ("TEAM", "Soprano"): {"admin", "soprano_leader", "alto_leader"},
    ("SECTION", "Soprano"): {"admin", "soprano_leader"},
    ("PRIVATE", "Soprano"): {"admin", "soprano_leader"},
    ("PRIVATE", None): {"admin"},
}
KINDS = list(VISIBLE)


@pytest.fixture
def people(request, team):
    found = {
        name: request.getfixturevalue(name) for name in PERSONAS if name not in ("owner", "creator")
    }
    found["owner"] = make_persona(team, role=Role.MEMBER, section=None, display_name="Olga Owner")
    found["creator"] = make_persona(
        team, role=Role.MEMBER, section=None, display_name="Carl Creator"
    )
    return found


def make_ticket(people, cycle, kind, **extra):
    visibility, section = kind
    owner = extra.pop("owner", people["owner"].user)
    return TicketFactory(
        cycle=cycle,
        visibility=visibility,
        section=section,
        created_by=people["creator"].user,
        owner=owner,
        **extra,
    )


def assert_refused(response, name, visible):
    if name == "outsider":
        assert_error(response, 403, "FORBIDDEN", "Not a member of this team", field=None)
    elif not visible:
        assert_error(response, 404, "NOT_FOUND", "Ticket not found", field=None)
    else:
        assert_error(response, 403, "FORBIDDEN", field=None)


@pytest.mark.parametrize("kind", KINDS)
def test_list(people, cycle, team, kind):
    ticket = make_ticket(people, cycle, kind)
    for name, persona in people.items():
        for url in (f"/cycles/{cycle.id}/tickets", f"/teams/{team.id}/tickets"):
            response = persona.client.get(url)
            if name == "outsider":
                assert_error(response, 403, "FORBIDDEN", "Not a member of this team", field=None)
                continue
            assert response.status_code == 200
            ids = [item["id"] for item in response.json()["items"]]
            assert ids == ([str(ticket.id)] if name in VISIBLE[kind] else []), (name, url)


@pytest.mark.parametrize("kind", KINDS)
def test_detail_and_activity(people, cycle, kind):
    ticket = make_ticket(people, cycle, kind)
    for name, persona in people.items():
        for url in (f"/tickets/{ticket.id}", f"/tickets/{ticket.id}/activity"):
            response = persona.client.get(url)
            if name in VISIBLE[kind]:
                assert response.status_code == 200, (name, url)
            else:
                assert_refused(response, name, visible=False)


@pytest.mark.parametrize("kind", KINDS)
def test_claim(people, cycle, kind):
    for name, persona in people.items():
        ticket = make_ticket(people, cycle, kind, owner=None, claimable=True)
        response = persona.client.post(f"/tickets/{ticket.id}/claim")
        ticket.refresh_from_db()
        if name in VISIBLE_UNOWNED[kind]:
            assert response.status_code == 200, (name, response.content)
            assert ticket.owner_id == persona.user.id
        else:
            assert_refused(response, name, visible=False)
            assert ticket.owner_id is None


@pytest.mark.parametrize("kind", KINDS)
def test_comment(people, cycle, kind):
    ticket = make_ticket(people, cycle, kind)
    for name, persona in people.items():
        response = persona.client.post(
            f"/tickets/{ticket.id}/comments", {"content": f"from {name}"}, format="json"
        )
        if name in VISIBLE[kind]:
            assert response.status_code == 201, (name, response.content)
        else:
            assert_refused(response, name, visible=False)
    commenters = set(
        TicketActivity.objects.filter(ticket=ticket, type="COMMENT").values_list(
            "content", flat=True
        )
    )
    assert commenters == {f"from {name}" for name in VISIBLE[kind]}


@pytest.mark.parametrize("kind", KINDS)
def test_verify(people, cycle, kind):
    for name, persona in people.items():
        ticket = make_ticket(
            people, cycle, kind, status="RESOLVED", resolved_at=timezone.now(), resolved_note="ok"
        )
        response = persona.client.post(f"/tickets/{ticket.id}/verify", {}, format="json")
        ticket.refresh_from_db()
        if name in VERIFY[kind]:
            assert response.status_code == 200, (name, response.content)
            assert ticket.status == "VERIFIED"
        else:
            assert_refused(response, name, visible=name in VISIBLE[kind])
            assert ticket.status == "RESOLVED"


@pytest.mark.parametrize("kind", KINDS)
def test_patch(people, cycle, kind):
    for name, persona in people.items():
        ticket = make_ticket(people, cycle, kind)
        response = persona.client.patch(
            f"/tickets/{ticket.id}", {"title": f"edited by {name}"}, format="json"
        )
        title = Ticket.objects.get(pk=ticket.pk).title
        if name in EDIT[kind]:
            assert response.status_code == 200, (name, response.content)
            assert title == f"edited by {name}"
        else:
            assert_refused(response, name, visible=name in VISIBLE[kind])
            assert title == ticket.title


def test_refusal_messages(people, cycle):
    ticket = make_ticket(people, cycle, ("TEAM", None))
    assert_error(
        people["alto_member"].client.patch(f"/tickets/{ticket.id}", {"title": "x"}, format="json"),
        403,
        "FORBIDDEN",
        "You do not have permission to edit this ticket",
        field=None,
    )
    assert_error(
        people["alto_member"].client.post(f"/tickets/{ticket.id}/claim"),
        403,
        "FORBIDDEN",
        "This ticket is not claimable",
        field=None,
    )
