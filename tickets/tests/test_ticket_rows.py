"""ticket_rows (a query compiled once per shape): the same rows as the selector's queryset,
for every kind of caller, filter and window."""

import itertools

import pytest
from rest_framework.test import APIClient

from accounts.services import token_pair_for_user
from teams.models import Role
from teams.tests.factories import CycleFactory, MembershipFactory, TeamFactory
from tickets import selectors
from tickets.api import views as ticket_views
from tickets.models import TicketStatus, TicketVisibility
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


def test_the_api_lists_first_pages_equal_the_querysets_for_every_caller_and_filter(world):
    compared = 0
    for cycles, members in world.values():
        for membership, filters, cycle_id, limit in itertools.product(
            members, FILTERS, (None, cycles[0].pk), (5, 51)
        ):
            ticket_filters = selectors.TicketFilters(cycle_id=cycle_id, **filters)
            columns = ticket_views._PAGE_COLUMNS
            # What the list was before: the selector, with the real membership.
            expected = list(
                selectors.ticket_list_for_user(membership, ticket_filters)
                .values_list(*columns)
                .order_by(*selectors.TICKET_ORDERING)[:limit]
            )
            rows = selectors.ticket_rows(membership, ticket_filters, columns, 0, limit)
            assert rows == expected, (membership.role, membership.section, filters)
            compared += len(expected)
    assert compared > 500


def test_the_api_list_answers_with_the_same_query_count_and_pages_on(
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
    visible = selectors.ticket_list_for_user(
        leader, selectors.TicketFilters(cycle_id=cycles[0].pk)
    ).order_by(*selectors.TICKET_ORDERING)
    assert [item["id"] for item in first["items"]] == [str(t.pk) for t in visible[:3]]


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
