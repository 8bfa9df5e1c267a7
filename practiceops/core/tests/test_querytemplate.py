"""QueryTemplate: the same rows as building the queryset, whatever the shape and the values."""

import itertools

import pytest
from django.db import connection, connections
from django.db.models import Q
from rest_framework.test import APIClient

from accounts.services import token_pair_for_user
from practiceops.core.querytemplate import QueryTemplate
from teams.models import Role
from teams.tests.factories import CycleFactory, MembershipFactory, TeamFactory
from tickets import selectors
from tickets.api import views as ticket_views
from tickets.models import Ticket, TicketStatus, TicketVisibility
from tickets.tests.factories import TicketFactory

pytestmark = pytest.mark.django_db

SECTIONS = ("Soprano", "Alto", None)


@pytest.fixture
def world():
    """Two teams with tickets of every visibility, section, status and priority, and members of
    every kind (admin, leaders and members with and without a section)."""
    teams = [TeamFactory(name="A"), TeamFactory(name="B")]
    people = {}
    for team in teams:
        cycles = [CycleFactory(team=team), CycleFactory(team=team)]
        members = [
            MembershipFactory(team=team, role=Role.ADMIN, section=None),
            MembershipFactory(team=team, role=Role.SECTION_LEADER, section="Soprano"),
            MembershipFactory(team=team, role=Role.SECTION_LEADER, section=None),
            MembershipFactory(team=team, role=Role.MEMBER, section="Soprano"),
            MembershipFactory(team=team, role=Role.MEMBER, section="Alto"),
            MembershipFactory(team=team, role=Role.MEMBER, section=None),
        ]
        people[team.pk] = (cycles, members)
        combos = itertools.product(
            TicketVisibility.values, SECTIONS, ("LOW", "MEDIUM", "BLOCKING"), range(2)
        )
        for n, (visibility, section, priority, cycle_index) in enumerate(combos):
            if visibility == TicketVisibility.SECTION and section is None:
                continue
            author = members[n % len(members)].user
            TicketFactory(
                cycle=cycles[cycle_index],
                created_by=author,
                owner=members[(n + 1) % len(members)].user if n % 3 else author,
                visibility=visibility,
                section=section,
                priority=priority,
                status=[TicketStatus.OPEN, TicketStatus.IN_PROGRESS, TicketStatus.RESOLVED][n % 3],
                song_ref=["Ave Maria", "Hallelujah"][n % 2],
                due_at=None if n % 4 == 0 else cycles[cycle_index].date_as_datetime,
            )
    return people


FILTERS = [
    {},
    {"status": TicketStatus.OPEN},
    {"section": "Soprano"},
    {"visibility": TicketVisibility.PRIVATE, "priority": "BLOCKING"},
    {"song_ref": "Ave Maria", "status": TicketStatus.RESOLVED},
    {"owner_me": True},
    {"owner_me": True, "section": "Alto"},
    {"category": "PITCH"},
    {"visibility": TicketVisibility.SECTION},
    {"visibility": TicketVisibility.TEAM, "section": "Soprano"},
    {"section": "Nobody"},
]


def _values(membership, cycle_id, filters, limit):
    return {
        "team_id": membership.team_id,
        "user_id": membership.user_id,
        "role": membership.role,
        "member_section": membership.section,
        **{name: None for name in ticket_views._FILTER_NAMES},
        "owner_me": False,
        "cycle_id": cycle_id,
        **filters,
        "limit": limit,
    }


def test_the_ticket_lists_first_pages_equal_the_querysets_for_every_caller_and_filter(world):
    compared = 0
    for cycles, members in world.values():
        for membership, filters, cycle_id, limit in itertools.product(
            members, FILTERS, (None, cycles[0].pk), (5, 51)
        ):
            values = _values(membership, cycle_id, filters, limit)
            # What the list was before templates: the selector, with the real membership.
            expected = list(
                selectors.ticket_list_for_user(
                    membership, selectors.TicketFilters(cycle_id=cycle_id, **filters)
                )
                .values(*ticket_views._PAGE_COLUMNS)
                .order_by(*selectors.TICKET_ORDERING)[:limit]
            )
            assert ticket_views._FIRST_PAGE.rows(values) == expected, (membership.role, values)
            compared += 1
    assert compared == 2 * 6 * len(FILTERS) * 2 * 2
    if connection.vendor == "postgresql":
        # Templated, not built each time: one compiled entry per shape on this connection.
        cache = connections["default"].__dict__["_po_query_templates"]
        assert any(isinstance(entry, tuple) for entry in cache.values())


def test_a_value_a_lookup_transforms_is_never_filled_in_and_the_rows_stay_right(world):
    template = QueryTemplate(
        lambda v: (
            Ticket.objects.filter(Q(title__icontains=v["word"]) | Q(song_ref=v["song"]))
            .order_by("id")
            .values("id", "title")[: v["limit"]]
        ),
        structural=frozenset({"limit"}),
    )
    for word, song in (("Bars 1", "Nothing"), ("bars 2", "Hallelujah"), ("zzz", "Ave Maria")):
        values = {"word": word, "song": song, "limit": 500}
        expected = list(
            Ticket.objects.filter(Q(title__icontains=word) | Q(song_ref=song))
            .order_by("id")
            .values("id", "title")[:500]
        )
        assert template.rows(values) == expected
    if connection.vendor == "postgresql":
        entries = [
            entry
            for key, entry in connections["default"].__dict__["_po_query_templates"].items()
            if key[0] == template.key
        ]
        assert entries and not any(isinstance(entry, tuple) for entry in entries)


def test_the_api_list_answers_from_the_template_with_the_same_query_count(
    world, django_assert_num_queries
):
    cycles, members = next(iter(world.values()))
    leader = members[1]
    client = APIClient()
    client.credentials(
        HTTP_AUTHORIZATION=f"Bearer {token_pair_for_user(leader.user)['access_token']}"
    )
    url = f"/cycles/{cycles[0].pk}/tickets?limit=3"
    first = client.get(url).json()
    # User, cycle with the caller's membership, the page: as before.
    with django_assert_num_queries(3):
        again = client.get(url).json()
    assert again == first
    second = client.get(url + f"&cursor={first['next_cursor']}").json()
    ids = [item["id"] for item in first["items"] + second["items"]]
    assert len(ids) == len(set(ids)) == 6
    assert [item["id"] for item in first["items"]] == [
        str(row["id"])
        for row in ticket_views._page_queryset(_values(leader, cycles[0].pk, {}, 3))[:3]
    ]


def test_the_web_ticket_lists_pages_equal_the_querysets(world):
    from django.db.models import F

    from web.views.tickets import LIST_COLUMNS, list_rows

    for cycles, members in world.values():
        for membership, filters, (start, stop) in itertools.product(
            members,
            [{}, {"status": TicketStatus.OPEN}, {"section": "Alto"}, {"owner_me": True}],
            [(0, 4), (3, 9), (0, 51)],
        ):
            ticket_filters = selectors.TicketFilters(cycle_id=cycles[1].pk, **filters)
            expected = list(
                selectors.ticket_list_for_user(membership, ticket_filters)
                .annotate(owner_name=F("owner__display_name"))
                .order_by(*selectors.TICKET_ORDERING)
                .values_list(*LIST_COLUMNS, named=True)[start:stop]
            )
            assert list_rows(membership, ticket_filters, start, stop) == expected


def test_this_weeks_open_tickets_equal_the_querysets(world):
    from web.pages import TeamContext
    from web.views.week import my_open_tickets

    seen = 0
    for _, members in world.values():
        for membership in members:
            expected = list(
                selectors.ticket_list_for_user(membership, selectors.TicketFilters(owner_me=True))
                .exclude(status__in=["RESOLVED", "VERIFIED"])
                .order_by(*selectors.TICKET_ORDERING)
                .values_list("pk", "title", "status", "due_at", named=True)[:20]
            )
            ctx = TeamContext(team=membership.team, membership=membership)
            assert my_open_tickets(ctx) == expected
            seen += len(expected)
    assert seen > 10
