import datetime
import uuid

import pytest

from conftest import assert_error
from teams.tests.factories import CycleFactory
from tickets.models import Ticket
from tickets.tests.factories import TicketFactory

NOW = datetime.datetime(2030, 3, 1, 12, tzinfo=datetime.UTC)


def ids(response):
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["items"]]


def test_order_priority_due_nulls_last_updated_desc_id(soprano_member, cycle):
    day = datetime.timedelta(days=1)
    make = lambda **kw: TicketFactory(cycle=cycle, created_by=soprano_member.user, **kw)  # noqa: E731
    low_soon = make(priority="LOW", due_at=NOW + day)
    blocking_late = make(priority="BLOCKING", due_at=NOW + 5 * day)
    blocking_none = make(priority="BLOCKING", due_at=None)
    blocking_soon = make(priority="BLOCKING", due_at=NOW + day)
    medium_none = make(priority="MEDIUM", due_at=None)
    medium_late = make(priority="MEDIUM", due_at=NOW + 9 * day)
    # Same priority and due date: the most recently updated comes first, then id.
    tie_old, tie_new = (
        make(priority="LOW", due_at=NOW + 3 * day),
        make(priority="LOW", due_at=NOW + 3 * day),
    )
    Ticket.objects.filter(pk=tie_old.pk).update(updated_at=NOW - day)
    Ticket.objects.filter(pk=tie_new.pk).update(updated_at=NOW)
    same_a, same_b = sorted(
        [make(priority="LOW", due_at=None), make(priority="LOW", due_at=None)],
        key=lambda t: str(t.pk),
    )
    Ticket.objects.filter(pk__in=[same_a.pk, same_b.pk]).update(updated_at=NOW - 2 * day)
    expected = [
        blocking_soon,
        blocking_late,
        blocking_none,
        medium_late,
        medium_none,
        low_soon,
        tie_new,
        tie_old,
        same_a,
        same_b,
    ]
    assert ids(soprano_member.client.get(f"/cycles/{cycle.id}/tickets")) == [
        str(t.pk) for t in expected
    ]

    # Walking the pages returns the same rows once each, in the same order.
    walked, cursor = [], None
    while True:
        url = f"/cycles/{cycle.id}/tickets?limit=3" + (f"&cursor={cursor}" if cursor else "")
        body = soprano_member.client.get(url).json()
        walked += [item["id"] for item in body["items"]]
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert walked == [str(t.pk) for t in expected]


@pytest.mark.parametrize(
    ("param", "value", "field"),
    [
        ("status", "BLOCKED", "status"),
        ("priority", "BLOCKING", "priority"),
        ("category", "RHYTHM", "category"),
        ("visibility", "SECTION", "visibility"),
        ("section", "Soprano", "section"),
        ("song_ref", "Ave Maria", "song_ref"),
    ],
)
def test_filters(soprano_member, cycle, param, value, field):
    plain = TicketFactory(cycle=cycle, created_by=soprano_member.user)
    match = TicketFactory(
        cycle=cycle,
        created_by=soprano_member.user,
        visibility="SECTION" if param in ("visibility", "section") else "TEAM",
        section="Soprano" if param in ("visibility", "section") else None,
        **{field: value} if field not in ("visibility", "section") else {},
    )
    assert plain.pk != match.pk
    assert ids(soprano_member.client.get(f"/cycles/{cycle.id}/tickets?{param}={value}")) == [
        str(match.pk)
    ]


@pytest.mark.parametrize("param", ["status", "priority", "category", "visibility"])
def test_bad_enum_filters_are_422(soprano_member, cycle, param):
    assert_error(
        soprano_member.client.get(f"/cycles/{cycle.id}/tickets?{param}=NOPE"),
        422,
        "VALIDATION_ERROR",
        field=param,
    )


def test_owner_me(soprano_member, alto_member, cycle):
    mine = TicketFactory(cycle=cycle, created_by=alto_member.user, owner=soprano_member.user)
    TicketFactory(cycle=cycle, created_by=soprano_member.user, owner=alto_member.user)
    assert ids(soprano_member.client.get(f"/cycles/{cycle.id}/tickets?owner=me")) == [str(mine.pk)]
    assert_error(
        soprano_member.client.get(f"/cycles/{cycle.id}/tickets?owner={alto_member.id}"),
        422,
        "VALIDATION_ERROR",
        "owner must be one of: me",
        field="owner",
    )


def test_cycle_list_only_has_that_cycle(soprano_member, cycle, team):
    other_cycle = CycleFactory(team=team)
    here = TicketFactory(cycle=cycle, created_by=soprano_member.user)
    TicketFactory(cycle=other_cycle, created_by=soprano_member.user)
    assert ids(
        soprano_member.client.get(f"/cycles/{cycle.id}/tickets?cycle_id={other_cycle.id}")
    ) == [str(here.pk)]


def test_team_list_across_cycles(soprano_member, cycle, team, other_team):
    other_cycle = CycleFactory(team=team)
    first = TicketFactory(cycle=cycle, created_by=soprano_member.user, priority="BLOCKING")
    second = TicketFactory(cycle=other_cycle, created_by=soprano_member.user)
    cycleless = TicketFactory(cycle=other_cycle, created_by=soprano_member.user, priority="MEDIUM")
    Ticket.objects.filter(pk=cycleless.pk).update(cycle=None)
    foreign_cycle = CycleFactory(team=other_team)
    TicketFactory(cycle=foreign_cycle)  # another team's ticket never shows
    url = f"/teams/{team.id}/tickets"
    assert ids(soprano_member.client.get(url)) == [str(first.pk), str(cycleless.pk), str(second.pk)]
    assert ids(soprano_member.client.get(f"{url}?cycle_id={other_cycle.id}")) == [str(second.pk)]
    for cycle_id in (foreign_cycle.id, uuid.uuid4()):
        assert_error(
            soprano_member.client.get(f"{url}?cycle_id={cycle_id}"),
            404,
            "NOT_FOUND",
            "Cycle not found",
            field=None,
        )
    assert_error(
        soprano_member.client.get(f"{url}?cycle_id=abc"), 422, "VALIDATION_ERROR", field="cycle_id"
    )


def test_list_refusals(soprano_member, outsider, anon, cycle, team):
    assert_error(
        soprano_member.client.get(f"/cycles/{uuid.uuid4()}/tickets"),
        404,
        "NOT_FOUND",
        "Cycle not found",
    )
    assert_error(soprano_member.client.get(f"/teams/{uuid.uuid4()}/tickets"), 404, "NOT_FOUND")
    assert_error(
        soprano_member.client.get("/teams/nope/tickets"), 422, "VALIDATION_ERROR", field="team_id"
    )
    assert_error(
        soprano_member.client.get(f"/cycles/{cycle.id}/tickets?cursor=%%%"),
        422,
        "VALIDATION_ERROR",
        field="cursor",
    )
    assert_error(
        soprano_member.client.get(f"/cycles/{cycle.id}/tickets?limit=0"),
        422,
        "VALIDATION_ERROR",
        field="limit",
    )
    assert_error(
        outsider.client.get(f"/teams/{team.id}/tickets"),
        403,
        "FORBIDDEN",
        "Not a member of this team",
    )
    assert_error(anon.get(f"/teams/{team.id}/tickets"), 401, "UNAUTHORIZED")


def _populate(cycle, creators, count):
    kinds = [("TEAM", None), ("SECTION", "Soprano"), ("PRIVATE", "Soprano"), ("SECTION", "Alto")]
    for i in range(count):
        visibility, section = kinds[i % len(kinds)]
        TicketFactory(
            cycle=cycle,
            created_by=creators[i % len(creators)].user,
            visibility=visibility,
            section=section,
            priority=["LOW", "MEDIUM", "BLOCKING"][i % 3],
            due_at=None if i % 5 == 0 else NOW + datetime.timedelta(hours=i),
        )


# auth user, the cycle (or team) with the membership, page (+ the cycle check for ?cycle_id=)
LIST_QUERIES = {"cycle": 3, "team": 4}


@pytest.mark.parametrize("path", ["cycle", "team"])
@pytest.mark.parametrize("size", [4, 40])
def test_list_query_count_is_constant(
    soprano_leader, soprano_member, alto_member, cycle, team, path, size, django_assert_num_queries
):
    url = (
        f"/cycles/{cycle.id}/tickets"
        if path == "cycle"
        else f"/teams/{team.id}/tickets?cycle_id={cycle.id}"
    )
    _populate(cycle, [soprano_member, alto_member, soprano_leader], size)
    with django_assert_num_queries(LIST_QUERIES[path]):
        response = soprano_leader.client.get(url)
    assert response.status_code == 200
    assert len(response.json()["items"]) == size * 3 // 4
