"""GET /teams/{id}/dashboards/leader/outcomes: frozen time in America/New_York.

Frozen at Fri 2026-03-20 23:45 local (03:45 UTC on Mar 21). The default window is the 28 days
Feb 21 - Mar 20 local: it starts at 05:00 UTC (EST) and ends at 04:00 UTC (EDT) because DST
starts on Mar 8 inside it. Ticket D is created at 01:30 EST on Mar 8 and verified at 04:30 EDT:
three hours on the wall clock, two real hours.

PRIVATE cells (section, song): Soprano/Ave has 3 (counted), Alto/Gloria 2 (never counted),
Alto/no song 3 (counted).
"""

from __future__ import annotations

import datetime
import zoneinfo
from types import SimpleNamespace

import pytest
import time_machine

from conftest import assert_error, make_persona
from insights.selectors import outcomes_get
from insights.tests.factories import PracticeLogFactory, TicketFactory
from teams.models import Role
from teams.tests.factories import CycleFactory, TeamFactory
from tickets.models import STALE_RELEASE_NOTE, TicketActivity

NY = zoneinfo.ZoneInfo("America/New_York")
NOW = datetime.datetime(2026, 3, 21, 3, 45, tzinfo=datetime.UTC)


def utc(month, day, hour=12, minute=0):
    return datetime.datetime(2026, month, day, hour, minute, tzinfo=datetime.UTC)


def local(month, day, hour=12, minute=0):
    return datetime.datetime(2026, month, day, hour, minute, tzinfo=NY)


def outcome(
    opened=0,
    verified=0,
    reopened=0,
    median=None,
    p90=None,
    open_now=0,
    released=0,
    minutes=0,
):
    return {
        "opened": opened,
        "verified": verified,
        "reopened": reopened,
        "median_hours_to_verify": median,
        "p90_hours_to_verify": p90,
        "open_now": open_now,
        "stale_claims_released": released,
        "practice_minutes_linked": minutes,
    }


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
    p.alice = make_persona(team, section="Alto", display_name="Alice")
    p.outsider = make_persona(other, role=Role.ADMIN, display_name="Otto")
    cycle = CycleFactory(team=team, date=datetime.date(2026, 3, 27))

    def ticket(**kw):
        kw.setdefault("owner", p.sue.user)
        return TicketFactory(team=team, cycle=cycle, **kw)

    # Opened on the window's first instant (local midnight), verified 48 h later.
    p.a = ticket(
        section="Soprano",
        song_ref="Ave",
        created_at=local(2, 21, 0),
        status="VERIFIED",
        verified_at=local(2, 23, 0),
    )
    # Opened a minute before the window; verified inside it after 192 h.
    p.b = ticket(
        section="Soprano",
        song_ref="Ave",
        created_at=local(2, 20, 23, 59),
        status="VERIFIED",
        verified_at=local(2, 28, 23, 59),
    )
    # Opened 15 minutes before the window's end; still open.
    p.c = ticket(
        visibility="SECTION", section="Alto", song_ref="Gloria", created_at=local(3, 20, 23, 30)
    )
    # Across the DST change: 2 real hours.
    p.d = ticket(
        visibility="SECTION",
        section="Alto",
        song_ref="Gloria",
        created_at=utc(3, 8, 6, 30),
        status="VERIFIED",
        verified_at=utc(3, 8, 8, 30),
    )
    p.e = ticket(section=None, song_ref="Ave", created_at=utc(1, 10))
    # Verified an hour before the window starts.
    ticket(
        section="Soprano",
        song_ref="Ave",
        created_at=utc(2, 1),
        status="VERIFIED",
        verified_at=local(2, 20, 23, 0),
    )
    # Reopened once in the window (and once before it).
    p.h = ticket(section="Soprano", song_ref="Ave", created_at=local(2, 25), status="IN_PROGRESS")
    for when in (local(2, 20), local(3, 10)):
        TicketActivity.objects.create(
            ticket=p.h,
            user=p.sam.user,
            type="STATUS_CHANGE",
            old_status="RESOLVED",
            new_status="IN_PROGRESS",
            content="Not holding",
            created_at=when,
        )
    # Released by the stale-claim job, then claimed again; a person's unclaim does not count.
    p.i = ticket(
        section="Soprano",
        song_ref="Credo",
        created_at=utc(2, 1),
        claimable=True,
        claimed_by=p.sue.user,
        claimed_at=utc(3, 13),
    )
    for user, type_, content, when in (
        (p.sue.user, "REASSIGNED", "Unclaimed", utc(3, 11)),
        (None, "REASSIGNED", STALE_RELEASE_NOTE.format(days=10), utc(3, 12)),
        (p.sue.user, "CLAIMED", None, utc(3, 13)),
    ):
        TicketActivity.objects.create(
            ticket=p.i, user=user, type=type_, content=content, created_at=when
        )
    # Practice linked to tickets: one log on two Ave tickets counts once; one before the window.
    log = PracticeLogFactory(
        user=p.sue.user, team=team, occurred_at=local(3, 5), duration_minutes=30
    )
    log.tickets.set([p.a, p.h])
    before = PracticeLogFactory(
        user=p.sue.user, team=team, occurred_at=local(2, 20, 23), duration_minutes=45
    )
    before.tickets.set([p.a])
    alto_log = PracticeLogFactory(
        user=p.alice.user, team=team, occurred_at=local(3, 6), duration_minutes=20
    )
    alto_log.tickets.set([p.d])

    # PRIVATE tickets.
    for _ in range(3):
        ticket(
            visibility="PRIVATE",
            section="Soprano",
            song_ref="Ave",
            created_at=local(3, 2),
            status="RESOLVED",
        )
    p.small_group = [
        ticket(
            visibility="PRIVATE",
            section="Alto",
            song_ref="Gloria",
            owner=p.alice.user,
            created_at=local(3, 3),
            status="VERIFIED",
            verified_at=local(3, 4),
        )
        for _ in range(2)
    ]
    private_log = PracticeLogFactory(
        user=p.alice.user, team=team, occurred_at=local(3, 5), duration_minutes=55
    )
    private_log.tickets.set(p.small_group)
    for _ in range(3):
        ticket(
            visibility="PRIVATE",
            section="Alto",
            song_ref=None,
            owner=p.alice.user,
            created_at=local(3, 4),
        )
    # Another team's ticket counts nowhere here.
    TicketFactory(team=other, section="Soprano", song_ref="Ave", created_at=local(3, 1))
    return p


URL = "/teams/{}/dashboards/leader/outcomes"

SOPRANO = outcome(
    opened=5, verified=2, reopened=1, median=120.0, p90=177.6, open_now=5, released=1, minutes=30
)
ALTO = outcome(opened=5, verified=1, median=2.0, p90=2.0, open_now=4, minutes=20)
AVE = outcome(opened=5, verified=2, reopened=1, median=120.0, p90=177.6, open_now=5, minutes=30)
CREDO = outcome(open_now=1, released=1)
GLORIA = outcome(opened=2, verified=1, median=2.0, p90=2.0, open_now=1, minutes=20)


def test_admin_outcomes_exact_body(data):
    response = data.admin.client.get(URL.format(data.team.id))
    assert response.status_code == 200, response.content
    assert response.json() == {
        "from": "2026-02-21",
        "to": "2026-03-20",
        "team": outcome(
            opened=10,
            verified=3,
            reopened=1,
            median=48.0,
            p90=163.2,
            open_now=10,
            released=1,
            minutes=50,
        ),
        "sections": [
            {"section": "Alto", **ALTO},
            {"section": "Soprano", **SOPRANO},
            {"section": None, **outcome(open_now=1)},
        ],
        "songs": [
            {"song_ref": "Ave", **AVE},
            {"song_ref": "Credo", **CREDO},
            {"song_ref": "Gloria", **GLORIA},
        ],
    }


def test_section_leader_sees_their_scope(data):
    body = data.sam.client.get(URL.format(data.team.id)).json()
    assert body == {
        "from": "2026-02-21",
        "to": "2026-03-20",
        # TEAM tickets of every section and their own section's SECTION/PRIVATE ones.
        "team": outcome(
            opened=5,
            verified=2,
            reopened=1,
            median=120.0,
            p90=177.6,
            open_now=6,
            released=1,
            minutes=30,
        ),
        "sections": [{"section": "Soprano", **SOPRANO}],
        "songs": [{"song_ref": "Ave", **AVE}, {"song_ref": "Credo", **CREDO}],
    }
    alto = data.al.client.get(URL.format(data.team.id)).json()
    assert alto["sections"] == [{"section": "Alto", **ALTO}]
    assert [song["song_ref"] for song in alto["songs"]] == ["Ave", "Credo", "Gloria"]


def test_private_group_of_two_never_shows(data):
    """Making the Alto/Gloria PRIVATE cell 3 tickets large brings it into every figure."""
    before = data.admin.client.get(URL.format(data.team.id)).json()
    third = TicketFactory(
        team=data.team,
        visibility="PRIVATE",
        section="Alto",
        song_ref="Gloria",
        owner=data.alice.user,
        created_at=local(3, 3),
        status="VERIFIED",
        verified_at=local(3, 4),
    )
    after_third = data.admin.client.get(URL.format(data.team.id)).json()
    assert before["team"]["verified"] == 3
    assert after_third["team"]["verified"] == 6
    gloria = next(s for s in after_third["songs"] if s["song_ref"] == "Gloria")
    # The 3 private ones took 24 h each, D 2 h: median 24.
    assert (gloria["opened"], gloria["verified"], gloria["median_hours_to_verify"]) == (
        5,
        4,
        24.0,
    )
    # The private log is linked to two tickets of the cell: still under the group size.
    assert gloria["practice_minutes_linked"] == 20
    third.practice_logs.add(*data.small_group[0].practice_logs.all())
    after_link = data.admin.client.get(URL.format(data.team.id)).json()
    gloria = next(s for s in after_link["songs"] if s["song_ref"] == "Gloria")
    assert gloria["practice_minutes_linked"] == 75


def test_explicit_window_on_the_dst_day(data):
    """Mar 8 local is 23 hours long: 05:00 UTC to 04:00 UTC the next day."""
    body = data.admin.client.get(URL.format(data.team.id) + "?from=2026-03-08&to=2026-03-08").json()
    assert (body["from"], body["to"]) == ("2026-03-08", "2026-03-08")
    # Open now and created before Mar 9: E, H, I and the two counted PRIVATE cells (3 + 3).
    assert body["team"] == outcome(opened=1, verified=1, median=2.0, p90=2.0, open_now=9)
    assert [s["song_ref"] for s in body["songs"]] == ["Ave", "Credo", "Gloria"]


def test_selector_called_directly_matches(data):
    body = outcomes_get(
        team=data.team,
        membership=data.admin.membership,
        date_from=datetime.date(2026, 3, 1),
        date_to=datetime.date(2026, 3, 31),
        today=datetime.date(2026, 3, 20),
    )
    assert (body["from"], body["to"]) == (datetime.date(2026, 3, 1), datetime.date(2026, 3, 31))
    assert body["team"]["verified"] == 1  # D (A and B were verified in February)


@pytest.mark.parametrize(
    ("query", "message", "field"),
    [
        ("from=2026-03-10&to=2026-03-09", "from must not be after to", "from"),
        ("from=2025-03-19&to=2026-03-20", "The window must not be longer than 366 days", "to"),
        ("from=2026-13-01", "from must be a date (YYYY-MM-DD)", "from"),
        ("to=yesterday", "to must be a date (YYYY-MM-DD)", "to"),
        # Only "from": the window runs to today, here more than a year.
        ("from=2025-01-01", "The window must not be longer than 366 days", "to"),
    ],
)
def test_bad_windows(data, query, message, field):
    response = data.admin.client.get(URL.format(data.team.id) + "?" + query)
    assert_error(response, 422, "VALIDATION_ERROR", message, field=field)


def test_window_of_exactly_366_days_is_fine(data):
    response = data.admin.client.get(URL.format(data.team.id) + "?from=2025-03-20&to=2026-03-20")
    assert response.status_code == 200
    assert response.json()["from"] == "2025-03-20"


def test_who_may_read_outcomes(data, api_client):
    url = URL.format(data.team.id)
    assert_error(
        data.sue.client.get(url),
        403,
        "FORBIDDEN",
        "Section leader or admin role required",
        field=None,
    )
    assert_error(
        data.outsider.client.get(url), 403, "FORBIDDEN", "Not a member of this team", field=None
    )
    assert_error(
        data.admin.client.get(URL.format("00000000-0000-0000-0000-000000000000")),
        404,
        "NOT_FOUND",
        "Team not found",
        field=None,
    )
    assert_error(api_client.get(url), 401, "UNAUTHORIZED", field=None)
