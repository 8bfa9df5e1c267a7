"""The known data set of the dashboard tests.

Team "Harmonia" in America/New_York, frozen at Wednesday 2026-03-04 10:00 local (15:00 UTC).
The last 7 days are Feb 26 – Mar 4 local; the week is Mon Mar 2 – Sun Mar 8 (DST starts Mar 8).

Practice (local times):
- Sue (Soprano): every day Feb 13 – Mar 4 (a 20-day streak); the Mar 3 log is at 22:00 local,
  already Mar 4 in UTC; two logs today. Last 7 days: 7 days, 8 sessions, 225 min.
- Alice (Alto): Feb 15 – Feb 24 (the Feb 24 log at 23:30 local, Feb 25 in UTC), no log on
  Feb 25, then Feb 26 – Mar 3: streak 6 (ending yesterday), longest 10; 6 days, 120 min.
- Sam (Soprano leader): Mar 1, 45 min. Nora (no section): today 01:00 (25 min) and Feb 25 at
  23:00 local (Feb 26 in UTC, outside the window). Ada (admin): Feb 22. Sid and Al: nothing.
- Sue also belongs to another team and logged 100 min there today: it must count nowhere here.

Tickets: see ``tickets`` below; PRIVATE ones form a Soprano group of 3 (plus a lone one due
next week), an Alto group of 2, an Alto group of 3 (one due at 23:30 local, next day in UTC)
and a lone RESOLVED Alto one.
"""

from __future__ import annotations

import datetime
import zoneinfo
from types import SimpleNamespace

import pytest
import time_machine

from conftest import make_persona
from insights.tests.factories import AssignmentFactory, PracticeLogFactory, TicketFactory
from practice.models import AssignmentScope, Priority
from teams.models import Role
from teams.tests.factories import CycleFactory, MembershipFactory, TeamFactory
from tickets.models import TicketCategory, TicketStatus, TicketVisibility

NY = zoneinfo.ZoneInfo("America/New_York")
NOW = datetime.datetime(2026, 3, 4, 15, 0, tzinfo=datetime.UTC)


def local(month: int, day: int, hour: int = 12, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(2026, month, day, hour, minute, tzinfo=NY)


def utc(month: int, day: int, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(2026, month, day, hour, minute, tzinfo=datetime.UTC)


def iso(value: datetime.datetime) -> str:
    return value.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def days_between(first: datetime.date, last: datetime.date):
    day = first
    while day <= last:
        yield day
        day += datetime.timedelta(days=1)


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def data(frozen, db):
    team = TeamFactory(name="Harmonia", timezone="America/New_York", weekly_goal_days=3)
    other = TeamFactory(name="Other Team", timezone="UTC")
    p = SimpleNamespace(team=team, other_team=other)
    p.admin = make_persona(team, role=Role.ADMIN, display_name="Ada Admin")
    p.sam = make_persona(
        team, role=Role.SECTION_LEADER, section="Soprano", display_name="Sam Soprano-Leader"
    )
    p.al = make_persona(
        team, role=Role.SECTION_LEADER, section="Alto", display_name="Al Alto-Leader"
    )
    p.sue = make_persona(team, section="Soprano", display_name="Sue Soprano")
    p.sid = make_persona(team, section="Soprano", display_name="Sid Soprano")
    p.alice = make_persona(team, section="Alto", display_name="Alice Alto")
    p.nora = make_persona(team, section=None, display_name="Nora Nosection")
    p.outsider = make_persona(other, role=Role.ADMIN, display_name="Otto Outsider")
    MembershipFactory(team=other, user=p.sue.user, role=Role.MEMBER, section="Soprano")

    # --- cycles and assignments
    p.past_cycle = CycleFactory(
        team=team, date=datetime.date(2026, 2, 21), name="Winter Run-through"
    )
    p.cycle = CycleFactory(team=team, date=datetime.date(2026, 3, 7), name="Spring Concert")
    p.next_cycle = CycleFactory(team=team, date=datetime.date(2026, 3, 14), name="Spring Encore")
    p.other_cycle = CycleFactory(team=other, date=datetime.date(2026, 3, 6), name="Elsewhere")
    p.a_team_low = AssignmentFactory(cycle=p.cycle, title="Warm-ups", priority=Priority.LOW)
    p.a_sop = AssignmentFactory(
        cycle=p.cycle,
        title="Soprano bars 32-40",
        scope=AssignmentScope.SECTION,
        section="Soprano",
        priority=Priority.BLOCKING,
    )
    p.a_alto = AssignmentFactory(
        cycle=p.cycle,
        title="Alto harmony",
        scope=AssignmentScope.SECTION,
        section="Alto",
        priority=Priority.MEDIUM,
        due_at=local(3, 5),
    )
    p.a_team_med = AssignmentFactory(
        cycle=p.cycle, title="Listen to the recording", priority=Priority.MEDIUM, due_at=local(3, 6)
    )
    p.a_old = AssignmentFactory(cycle=p.past_cycle, title="Old assignment")

    # --- practice
    def log(persona, when, minutes, team=team):
        PracticeLogFactory(user=persona.user, team=team, occurred_at=when, duration_minutes=minutes)

    for day in days_between(datetime.date(2026, 2, 13), datetime.date(2026, 3, 2)):
        log(p.sue, local(day.month, day.day), 30)
    log(p.sue, local(3, 3, 22), 30)  # 03:00 UTC on Mar 4
    log(p.sue, local(3, 4, 9), 30)
    log(p.sue, local(3, 4, 9, 30), 15)
    log(p.sue, local(3, 4, 10), 100, team=other)

    for day in days_between(datetime.date(2026, 2, 15), datetime.date(2026, 2, 23)):
        log(p.alice, local(day.month, day.day), 20)
    log(p.alice, local(2, 24, 23, 30), 20)  # 04:30 UTC on Feb 25, the day Alice missed
    for day in days_between(datetime.date(2026, 2, 26), datetime.date(2026, 3, 3)):
        log(p.alice, local(day.month, day.day), 20)

    log(p.sam, local(3, 1, 15), 45)
    log(p.nora, local(3, 4, 1), 25)
    log(p.nora, local(2, 25, 23), 40)  # Feb 26 in UTC, but the day before the local window
    log(p.admin, local(2, 22, 10), 60)

    # --- tickets
    def ticket(title, **kwargs):
        kwargs.setdefault("team", team)
        kwargs.setdefault("cycle", p.cycle)
        return TicketFactory(title=title, **kwargs)

    sue, sid, alice, sam, al = p.sue.user, p.sid.user, p.alice.user, p.sam.user, p.al.user
    t = SimpleNamespace()
    t.t1 = ticket(
        "Ave Maria entrance",
        visibility=TicketVisibility.TEAM,
        priority=Priority.BLOCKING,
        song_ref="Ave Maria",
        owner=sue,
        created_by=sam,
        claimed_by=sue,
        claimable=True,
        claimed_at=local(3, 1),
        due_at=local(3, 6),
    )
    t.t2 = ticket(
        "Soprano breath marks",
        visibility=TicketVisibility.SECTION,
        section="Soprano",
        priority=Priority.MEDIUM,
        status=TicketStatus.BLOCKED,
        song_ref="Ave Maria",
        owner=sue,
        due_at=local(3, 10),
    )
    t.t3 = ticket(
        "Alto leap bar 12",
        visibility=TicketVisibility.SECTION,
        section="Alto",
        priority=Priority.BLOCKING,
        status=TicketStatus.RESOLVED,
        resolved_at=local(3, 2, 18),
        resolved_note="Fixed the leap",
        song_ref="Hallelujah",
        owner=alice,
        due_at=local(3, 1),
    )
    t.t4 = ticket(
        "Hallelujah lyrics",
        visibility=TicketVisibility.TEAM,
        priority=Priority.LOW,
        status=TicketStatus.RESOLVED,
        resolved_at=local(3, 1, 18),
        resolved_note="Memorized",
        song_ref="Hallelujah",
        owner=sue,
    )
    t.t5 = ticket(
        "Alto vowels",
        visibility=TicketVisibility.SECTION,
        section="Alto",
        priority=Priority.BLOCKING,
        status=TicketStatus.VERIFIED,
        song_ref="Hallelujah",
        owner=alice,
        due_at=local(2, 28),
        resolved_at=local(2, 27),
        resolved_note="Done",
        verified_at=local(2, 28),
        verified_by=al,
    )
    t.t6 = ticket(
        "Soprano high A",
        visibility=TicketVisibility.SECTION,
        section="Soprano",
        priority=Priority.BLOCKING,
        status=TicketStatus.IN_PROGRESS,
        song_ref="Ave Maria",
        owner=sid,
        created_by=sam,
        due_at=local(3, 20),
    )
    t.t7 = ticket(
        "Warm-up routine",
        visibility=TicketVisibility.TEAM,
        priority=Priority.LOW,
        status=TicketStatus.VERIFIED,
        owner=sue,
        due_at=local(2, 27),
        resolved_at=local(2, 26),
        verified_at=local(2, 27),
        verified_by=sam,
    )
    t.elsewhere = ticket(
        "Other team ticket",
        team=other,
        cycle=p.other_cycle,
        visibility=TicketVisibility.TEAM,
        priority=Priority.BLOCKING,
        status=TicketStatus.RESOLVED,
        resolved_at=local(2, 1),
        owner=p.outsider.user,
        due_at=local(3, 5),
        song_ref="Ave Maria",
    )

    sop_private = dict(
        visibility=TicketVisibility.PRIVATE,
        section="Soprano",
        category=TicketCategory.PITCH,
        priority=Priority.MEDIUM,
        song_ref="Ave Maria",
    )
    t.p1 = ticket("Private soprano 1", owner=sue, due_at=local(3, 6, 13), **sop_private)
    t.p2 = ticket(
        "Private soprano 2", owner=sue, due_at=local(3, 8, 23), **sop_private
    )  # Sunday night
    t.p3 = ticket("Private soprano 3", owner=sid, due_at=local(3, 5, 9), **sop_private)
    t.p4 = ticket("Private soprano 4", owner=sid, due_at=local(3, 9, 9), **sop_private)  # next week
    alto_pair = dict(
        visibility=TicketVisibility.PRIVATE,
        section="Alto",
        category=TicketCategory.RHYTHM,
        priority=Priority.LOW,
        song_ref="Hallelujah",
        owner=alice,
    )
    t.p5 = ticket("Private alto pair 1", **alto_pair)
    t.p6 = ticket("Private alto pair 2", **alto_pair)
    alto_trio = dict(
        visibility=TicketVisibility.PRIVATE,
        section="Alto",
        category=TicketCategory.MEMORY,
        priority=Priority.LOW,
        status=TicketStatus.BLOCKED,
        owner=alice,
    )
    t.p7 = ticket("Private alto trio 1", due_at=local(3, 2), **alto_trio)
    t.p8 = ticket("Private alto trio 2", due_at=local(3, 3), **alto_trio)
    t.p9 = ticket("Private alto trio 3", due_at=local(3, 3, 23, 30), **alto_trio)  # Mar 4 in UTC
    t.p10 = ticket(
        "Private alto resolved",
        cycle=None,
        visibility=TicketVisibility.PRIVATE,
        section="Alto",
        category=TicketCategory.PITCH,
        priority=Priority.LOW,
        status=TicketStatus.RESOLVED,
        resolved_at=local(3, 3, 18),
        resolved_note="Practised slowly",
        owner=alice,
    )
    p.tickets = t
    return p
