import datetime

import time_machine
from django.utils import timezone

from conftest import assert_error
from tickets.models import Ticket, TicketActivity
from tickets.tests.factories import TicketFactory


def test_patch_edits_fields_and_ignores_unknown_ones(soprano_member, cycle):
    ticket = TicketFactory(cycle=cycle, created_by=soprano_member.user, song_ref="Old song")
    later = timezone.now() + datetime.timedelta(minutes=5)
    with time_machine.travel(later, tick=False):
        response = soprano_member.client.patch(
            f"/tickets/{ticket.id}",
            {
                "title": "Bars 1-8",
                "description": "Breath before bar 5",
                "category": "RHYTHM",
                "song_ref": None,
                "measures": "1-8",
                "priority": "BLOCKING",
                "visibility": "PRIVATE",
                "section": "Soprano",
                "due_at": None,
                "owner_id": "ignored",
                "claimable": "ignored",
            },
            format="json",
        )
    assert response.status_code == 200, response.content
    body = response.json()["ticket"]
    assert {
        k: body[k] for k in ("title", "description", "category", "song_ref", "measures", "priority")
    } == {
        "title": "Bars 1-8",
        "description": "Breath before bar 5",
        "category": "RHYTHM",
        "song_ref": None,
        "measures": "1-8",
        "priority": "BLOCKING",
    }
    assert (body["visibility"], body["section"], body["due_at"]) == ("PRIVATE", "Soprano", None)
    assert body["owner_id"] == soprano_member.id and body["claimable"] is False
    assert body["updated_at"] == later.isoformat().replace("+00:00", "Z")
    stored = Ticket.objects.get(pk=ticket.pk)
    assert (stored.title, stored.priority, stored.due_at) == ("Bars 1-8", "BLOCKING", None)
    # The edit is in the ticket's history, in the same transaction, naming what changed.
    edit = TicketActivity.objects.get(ticket=ticket)
    assert (edit.type, edit.user_id, edit.old_status, edit.new_status) == (
        "COMMENT",
        soprano_member.user.pk,
        None,
        None,
    )
    assert edit.content == (
        "Edited: title, description, category, song_ref, measures, priority, visibility, "
        "section, due_at"
    )
    assert edit.created_at == later


def test_patch_that_changes_nothing_writes_no_activity(soprano_member, cycle):
    ticket = TicketFactory(cycle=cycle, created_by=soprano_member.user, title="Same")
    response = soprano_member.client.patch(
        f"/tickets/{ticket.id}", {"title": "Same"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert not TicketActivity.objects.filter(ticket=ticket).exists()


def test_patch_section_rules(soprano_member, cycle):
    ticket = TicketFactory(
        cycle=cycle, created_by=soprano_member.user, visibility="TEAM", section=None
    )
    url = f"/tickets/{ticket.id}"
    assert_error(
        soprano_member.client.patch(url, {"visibility": "SECTION"}, format="json"),
        422,
        "VALIDATION_ERROR",
        "A section is required for SECTION visibility",
        field="section",
    )
    response = soprano_member.client.patch(
        url, {"visibility": "SECTION", "section": "Soprano"}, format="json"
    )
    assert response.json()["ticket"]["section"] == "Soprano"
    assert_error(
        soprano_member.client.patch(url, {"section": ""}, format="json"),
        422,
        "VALIDATION_ERROR",
        field="section",
    )
    ticket.refresh_from_db()
    assert (ticket.visibility, ticket.section) == ("SECTION", "Soprano")


def test_patch_type_errors(soprano_member, cycle):
    ticket = TicketFactory(cycle=cycle, created_by=soprano_member.user)
    url = f"/tickets/{ticket.id}"
    for payload, field in (
        ({"title": ""}, "title"),
        ({"title": None}, "title"),
        ({"priority": 2}, "priority"),
        ({"due_at": True}, "due_at"),
        ({"measures": "1" * 51}, "measures"),
    ):
        assert_error(
            soprano_member.client.patch(url, payload, format="json"),
            422,
            "VALIDATION_ERROR",
            field=field,
        )
    assert_error(soprano_member.client.patch(url, "text", format="json"), 422, "VALIDATION_ERROR")


def test_comment_and_activity_feed(soprano_member, soprano_leader, cycle):
    response = soprano_member.client.post(
        f"/cycles/{cycle.id}/tickets",
        {"title": "Bar 12", "category": "BLEND", "priority": "LOW", "visibility": "SECTION"},
        format="json",
    )
    ticket_id = response.json()["ticket"]["id"]
    response = soprano_leader.client.post(
        f"/tickets/{ticket_id}/comments", {"content": "Listen to the altos"}, format="json"
    )
    assert response.status_code == 201
    activity = response.json()["activity"]
    assert set(activity) == {
        "id",
        "ticket_id",
        "user_id",
        "user_name",
        "type",
        "content",
        "old_status",
        "new_status",
        "created_at",
    }
    assert (activity["ticket_id"], activity["user_id"], activity["user_name"]) == (
        ticket_id,
        soprano_leader.id,
        "Sam Soprano-Leader",
    )
    assert (
        activity["type"],
        activity["content"],
        activity["old_status"],
        activity["new_status"],
    ) == (
        "COMMENT",
        "Listen to the altos",
        None,
        None,
    )
    soprano_member.client.post(
        f"/tickets/{ticket_id}/transition", {"to_status": "IN_PROGRESS"}, format="json"
    )
    feed = soprano_member.client.get(f"/tickets/{ticket_id}/activity").json()
    assert feed["next_cursor"] is None
    assert [(a["type"], a["user_name"]) for a in feed["items"]] == [
        ("CREATED", "Sue Soprano"),
        ("COMMENT", "Sam Soprano-Leader"),
        ("STATUS_CHANGE", "Sue Soprano"),
    ]
    assert (
        feed["items"][2]["old_status"] == "OPEN" and feed["items"][2]["new_status"] == "IN_PROGRESS"
    )


def test_comment_validation(soprano_member, cycle):
    ticket = TicketFactory(cycle=cycle, created_by=soprano_member.user)
    url = f"/tickets/{ticket.id}/comments"
    for payload in (
        {},
        {"content": ""},
        {"content": "  "},
        {"content": 12},
        {"content": "x" * 2001},
    ):
        assert_error(
            soprano_member.client.post(url, payload, format="json"),
            422,
            "VALIDATION_ERROR",
            field="content",
        )
    assert not TicketActivity.objects.exists()


def test_activity_pages_and_constant_queries(soprano_member, cycle, django_assert_num_queries):
    ticket = TicketFactory(cycle=cycle, created_by=soprano_member.user)
    start = timezone.now()
    for i in range(25):
        TicketActivity.objects.create(
            ticket=ticket,
            user=soprano_member.user if i % 2 else None,
            type="COMMENT",
            content=f"c{i}",
            created_at=start + datetime.timedelta(seconds=i),
        )
    url = f"/tickets/{ticket.id}/activity"
    # auth user, ticket, membership, page: whatever the page size.
    for limit in (3, 25):
        with django_assert_num_queries(4):
            body = soprano_member.client.get(f"{url}?limit={limit}").json()
        assert [a["content"] for a in body["items"]] == [f"c{i}" for i in range(limit)]
    assert body["items"][0]["user_id"] is None and body["items"][0]["user_name"] is None
    walked, cursor = [], None
    while True:
        page = soprano_member.client.get(
            f"{url}?limit=10" + (f"&cursor={cursor}" if cursor else "")
        ).json()
        walked += [a["content"] for a in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert walked == [f"c{i}" for i in range(25)]


def test_detail_query_count(soprano_member, cycle, django_assert_num_queries):
    ticket = TicketFactory(cycle=cycle, created_by=soprano_member.user)
    with django_assert_num_queries(3):
        response = soprano_member.client.get(f"/tickets/{ticket.id}")
    assert response.json()["ticket"]["id"] == str(ticket.id)
