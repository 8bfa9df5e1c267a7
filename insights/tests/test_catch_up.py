"""GET /teams/{id}/catch-up: frozen time in America/New_York.

Frozen at Fri 2026-03-20 23:45 local (03:45 UTC on Mar 21). The latest rehearsal before today
is Sat Mar 14, so ``since`` defaults to Mar 14 00:00 EDT = 04:00 UTC; the active cycle is
Mar 27. A ticket created at exactly 04:00 UTC is not "after since"; one a minute later is.
"""

from __future__ import annotations

import datetime
from types import SimpleNamespace

import pytest
import time_machine

from conftest import assert_error, make_persona
from insights.selectors import catch_up_get
from insights.tests.factories import AssignmentFactory, PracticeLogFactory, TicketFactory
from practice.models import AssignmentScope, Priority
from teams.models import Role
from teams.tests.factories import CycleFactory, MembershipFactory, TeamFactory
from tickets.models import STALE_RELEASE_NOTE, TicketActivity

NOW = datetime.datetime(2026, 3, 21, 3, 45, tzinfo=datetime.UTC)
SINCE = "2026-03-14T04:00:00Z"


def utc(month, day, hour=12, minute=0):
    return datetime.datetime(2026, month, day, hour, minute, tzinfo=datetime.UTC)


def z(value: datetime.datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def data(frozen, db):
    team = TeamFactory(name="Harmonia", timezone="America/New_York")
    other = TeamFactory(name="Elsewhere")
    p = SimpleNamespace(team=team)
    p.admin = make_persona(team, role=Role.ADMIN, display_name="Ada Admin")
    p.sam = make_persona(team, role=Role.SECTION_LEADER, section="Soprano", display_name="Sam")
    p.al = make_persona(team, role=Role.SECTION_LEADER, section="Alto", display_name="Al")
    p.sue = make_persona(team, section="Soprano", display_name="Sue")
    p.sid = make_persona(team, section="Soprano", display_name="Sid")
    p.alice = make_persona(team, section="Alto", display_name="Alice")
    p.outsider = make_persona(other, role=Role.ADMIN, display_name="Otto")
    MembershipFactory(team=other, user=p.sue.user, section="Soprano")
    CycleFactory(team=team, date=datetime.date(2026, 2, 28))
    p.past = CycleFactory(team=team, date=datetime.date(2026, 3, 14))
    p.cycle = CycleFactory(team=team, date=datetime.date(2026, 3, 27))

    def ticket(**kw):
        kw.setdefault("cycle", p.cycle)
        return TicketFactory(team=team, **kw)

    ticket(title="On the edge", section="Alto", created_by=p.al.user, created_at=utc(3, 14, 4))
    p.n2 = ticket(
        title="Intro tempo",
        created_by=p.alice.user,
        created_at=utc(3, 14, 4, 1),
        song_ref="Ave",
        measures="1-8",
        priority=Priority.MEDIUM,
    )
    p.n3 = ticket(
        title="Soprano breath",
        visibility="SECTION",
        section="Soprano",
        created_by=p.sam.user,
        owner=p.sam.user,
        created_at=utc(3, 15),
    )
    p.n4 = ticket(
        title="Alto blend",
        visibility="SECTION",
        section="Alto",
        created_by=p.al.user,
        created_at=utc(3, 16),
    )
    p.n5 = ticket(
        title="Sue's high B",
        visibility="PRIVATE",
        section="Soprano",
        created_by=p.sam.user,
        owner=p.sue.user,
        created_at=utc(3, 17),
        priority=Priority.MEDIUM,
        due_at=utc(3, 24),
    )
    p.n6 = ticket(
        title="Sid's entry",
        visibility="PRIVATE",
        section="Soprano",
        created_by=p.sid.user,
        owner=p.sid.user,
        created_at=utc(3, 18),
    )
    p.n7 = ticket(
        title="Bars 32-40",
        section="Soprano",
        created_by=p.sam.user,
        owner=p.sue.user,
        created_at=utc(3, 13),
        priority=Priority.BLOCKING,
        due_at=utc(3, 25),
    )
    # Sue's, but resolved, or of an older cycle: not "practise next".
    ticket(title="Done", owner=p.sue.user, created_at=utc(3, 1), status="RESOLVED")
    ticket(title="Old cycle", cycle=p.past, owner=p.sue.user, created_at=utc(3, 1))

    def activity(t, user, type_, when, content=None, old=None, new=None):
        TicketActivity.objects.create(
            ticket=t,
            user=user,
            type=type_,
            content=content,
            old_status=old,
            new_status=new,
            created_at=when,
        )

    activity(p.n7, p.sam.user, "COMMENT", utc(3, 13, 20), "Before since")
    activity(p.n7, p.sam.user, "COMMENT", utc(3, 15, 9), "Check bar 34")
    activity(p.n7, p.sue.user, "COMMENT", utc(3, 16, 9), "My own note")
    activity(p.n5, p.sam.user, "CREATED", utc(3, 17), new="OPEN")
    activity(p.n7, None, "REASSIGNED", utc(3, 18, 9), STALE_RELEASE_NOTE.format(days=10))
    activity(p.n6, p.sam.user, "COMMENT", utc(3, 19), "Sid's business")

    AssignmentFactory(
        cycle=p.cycle, title="Read-through", priority=Priority.LOW, created_at=utc(3, 15)
    )
    AssignmentFactory(
        cycle=p.cycle,
        title="Soprano descant",
        scope=AssignmentScope.SECTION,
        section="Soprano",
        priority=Priority.BLOCKING,
        created_at=utc(3, 12),
    )
    AssignmentFactory(
        cycle=p.cycle,
        title="Alto line",
        scope=AssignmentScope.SECTION,
        section="Alto",
        priority=Priority.MEDIUM,
        created_at=utc(3, 16),
    )

    def log(persona, when, minutes, on=team):
        PracticeLogFactory(user=persona.user, team=on, occurred_at=when, duration_minutes=minutes)

    log(p.sue, utc(3, 14, 3, 59), 100)  # a minute before since
    log(p.sue, utc(3, 15), 30)
    log(p.sid, utc(3, 16), 20)
    log(p.alice, utc(3, 16), 40)
    log(p.sue, utc(3, 17), 60, on=other)
    return p


def ids(items, key="id"):
    return [item[key] for item in items]


def test_member_catch_up_exact_body(data):
    response = data.sue.client.get(f"/teams/{data.team.id}/catch-up")
    assert response.status_code == 200, response.content
    cycle_due = "2026-03-27T00:00:00Z"
    assert response.json() == {
        "since": SINCE,
        "until": "2026-03-21T03:45:00Z",
        "new_tickets": [
            {
                "id": str(data.n5.id),
                "title": "Sue's high B",
                "priority": "MEDIUM",
                "status": "OPEN",
                "section": "Soprano",
                "song_ref": None,
                "measures": None,
                "created_by_name": "Sam",
                "created_at": "2026-03-17T12:00:00Z",
            },
            {
                "id": str(data.n3.id),
                "title": "Soprano breath",
                "priority": "LOW",
                "status": "OPEN",
                "section": "Soprano",
                "song_ref": None,
                "measures": None,
                "created_by_name": "Sam",
                "created_at": "2026-03-15T12:00:00Z",
            },
            {
                "id": str(data.n2.id),
                "title": "Intro tempo",
                "priority": "MEDIUM",
                "status": "OPEN",
                "section": None,
                "song_ref": "Ave",
                "measures": "1-8",
                "created_by_name": "Alice",
                "created_at": "2026-03-14T04:01:00Z",
            },
        ],
        "my_ticket_updates": [
            {
                "ticket_id": str(data.n7.id),
                "title": "Bars 32-40",
                "type": "REASSIGNED",
                "old_status": None,
                "new_status": None,
                "user_name": None,
                "content": STALE_RELEASE_NOTE.format(days=10),
                "created_at": "2026-03-18T09:00:00Z",
            },
            {
                "ticket_id": str(data.n5.id),
                "title": "Sue's high B",
                "type": "CREATED",
                "old_status": None,
                "new_status": "OPEN",
                "user_name": "Sam",
                "content": None,
                "created_at": "2026-03-17T12:00:00Z",
            },
            {
                "ticket_id": str(data.n7.id),
                "title": "Bars 32-40",
                "type": "COMMENT",
                "old_status": None,
                "new_status": None,
                "user_name": "Sam",
                "content": "Check bar 34",
                "created_at": "2026-03-15T09:00:00Z",
            },
        ],
        "new_assignments": [
            {
                "id": response.json()["new_assignments"][0]["id"],
                "title": "Read-through",
                "priority": "LOW",
                "type": "SONG_WORK",
                "due_at": cycle_due,
            }
        ],
        "practise_next": [
            {
                "kind": "ticket",
                "id": str(data.n7.id),
                "title": "Bars 32-40",
                "priority": "BLOCKING",
                "due_at": "2026-03-25T12:00:00Z",
            },
            {
                "kind": "assignment",
                "id": response.json()["practise_next"][1]["id"],
                "title": "Soprano descant",
                "priority": "BLOCKING",
                "due_at": cycle_due,
            },
            {
                "kind": "ticket",
                "id": str(data.n5.id),
                "title": "Sue's high B",
                "priority": "MEDIUM",
                "due_at": "2026-03-24T12:00:00Z",
            },
            {
                "kind": "assignment",
                "id": response.json()["practise_next"][3]["id"],
                "title": "Read-through",
                "priority": "LOW",
                "due_at": cycle_due,
            },
        ],
        # Sam, Sue and Sid; the 100 minutes a minute before since and Sue's other team's
        # practice do not count.
        "section": {"name": "Soprano", "minutes": 50, "members_practised": 2, "member_count": 3},
    }


def test_private_tickets_are_listed_only_to_their_owner(data):
    url = f"/teams/{data.team.id}/catch-up"
    sid = data.sid.client.get(url).json()
    assert ids(sid["new_tickets"]) == [str(data.n6.id), str(data.n3.id), str(data.n2.id)]
    # Sam created Sue's private ticket and leads her section: he may open it, but the catch-up
    # lists PRIVATE tickets to their owner only.
    sam = data.sam.client.get(url).json()
    assert ids(sam["new_tickets"]) == [str(data.n3.id), str(data.n2.id)]
    admin = data.admin.client.get(url).json()
    assert ids(admin["new_tickets"]) == [
        str(data.n4.id),
        str(data.n3.id),
        str(data.n2.id),
    ]
    assert admin["section"] is None
    alice = data.alice.client.get(url).json()
    assert ids(alice["new_tickets"]) == [str(data.n4.id), str(data.n2.id)]
    assert alice["my_ticket_updates"] == []
    assert alice["section"] == {
        "name": "Alto",
        "minutes": 40,
        "members_practised": 1,
        "member_count": 2,
    }
    assert [a["title"] for a in alice["new_assignments"]] == ["Alto line", "Read-through"]
    # Sid's own private ticket's activity is his, never Sue's.
    assert str(data.n6.id) not in ids(
        data.sue.client.get(url).json()["my_ticket_updates"], "ticket_id"
    )


@pytest.mark.parametrize(
    "since",
    ["2026-03-16T00:00:00-04:00", "2026-03-16T04:00:00Z", "2026-03-16T00:00:00"],
)
def test_explicit_since(data, since):
    """An offset-less timestamp is read in the team's timezone; "+"/"-" offsets both work."""
    body = data.sue.client.get(f"/teams/{data.team.id}/catch-up", {"since": since}).json()
    assert body["since"] == "2026-03-16T04:00:00Z"
    assert ids(body["new_tickets"]) == [str(data.n5.id)]
    assert body["section"]["minutes"] == 20


def test_unencoded_plus_in_since(data):
    response = data.sue.client.get(
        f"/teams/{data.team.id}/catch-up?since=2026-03-16T05:00:00+01:00"
    )
    assert response.json()["since"] == "2026-03-16T04:00:00Z"


@pytest.mark.parametrize(
    ("since", "message"),
    [
        ("yesterday", "since must be an ISO 8601 timestamp"),
        ("2026-02-30T00:00:00Z", "since must be an ISO 8601 timestamp"),
        ("2026-03-22T00:00:00Z", "since must not be in the future"),
    ],
)
def test_bad_since(data, since, message):
    response = data.sue.client.get(f"/teams/{data.team.id}/catch-up", {"since": since})
    assert_error(response, 422, "VALIDATION_ERROR", message, field="since")


def test_since_defaults_to_seven_days_without_a_past_rehearsal(frozen, db):
    team = TeamFactory(timezone="Europe/Berlin")
    member = make_persona(team, section=None, display_name="Solo")
    body = catch_up_get(team=team, membership=member.membership, since=None)
    assert body["since"] == NOW - datetime.timedelta(days=7)
    assert body["until"] == NOW
    assert body["practise_next"] == body["new_assignments"] == []
    assert body["section"] is None


def test_who_may_read_catch_up(data, api_client):
    url = f"/teams/{data.team.id}/catch-up"
    assert_error(
        data.outsider.client.get(url), 403, "FORBIDDEN", "Not a member of this team", field=None
    )
    assert_error(
        data.sue.client.get("/teams/00000000-0000-0000-0000-000000000000/catch-up"),
        404,
        "NOT_FOUND",
        "Team not found",
        field=None,
    )
    assert_error(api_client.get(url), 401, "UNAUTHORIZED", field=None)
