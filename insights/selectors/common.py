"""Building blocks shared by the dashboards and the weekly digests.

Everything here is a query expression or a pure function over dates, so each dashboard can
compose a fixed number of queries whatever the team's size.
"""

from __future__ import annotations

import datetime
import uuid
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Case, CharField, Q, Value, When

from practice.models import Priority
from practiceops.core.errors import NotFound
from teams.access import is_admin, own_section
from teams.models import Membership, RehearsalCycle, Role, Team
from teams.selectors import cycle_active_for_team
from tickets.models import DueBucket, TicketStatus, TicketVisibility

WINDOW_DAYS = 7
# Domain rule (spec/domain.md): PRIVATE tickets reach leader views only as groups this large.
PRIVATE_GROUP_MIN = 3
UNASSIGNED_SECTION = "Unassigned"


def local_midnight(day: datetime.date, tz: zoneinfo.ZoneInfo) -> datetime.datetime:
    """The instant a calendar day starts in ``tz`` (DST-safe: zoneinfo resolves the offset)."""
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=tz)


@dataclass(frozen=True)
class Window:
    """A span of whole calendar days in a team's timezone, as UTC-comparable instants."""

    first_day: datetime.date
    last_day: datetime.date
    start: datetime.datetime
    end: datetime.datetime  # exclusive: midnight after last_day

    @classmethod
    def of_days(
        cls, first_day: datetime.date, last_day: datetime.date, tz: zoneinfo.ZoneInfo
    ) -> Window:
        return cls(
            first_day=first_day,
            last_day=last_day,
            start=local_midnight(first_day, tz),
            end=local_midnight(last_day + datetime.timedelta(days=1), tz),
        )

    @classmethod
    def last_days(
        cls, today: datetime.date, tz: zoneinfo.ZoneInfo, days: int = WINDOW_DAYS
    ) -> Window:
        """``days`` calendar days ending today (spec: "last 7 days")."""
        return cls.of_days(today - datetime.timedelta(days=days - 1), today, tz)

    @classmethod
    def week_of(cls, day: datetime.date, tz: zoneinfo.ZoneInfo) -> Window:
        """The Monday-to-Sunday week holding ``day``."""
        monday = day - datetime.timedelta(days=day.weekday())
        return cls.of_days(monday, monday + datetime.timedelta(days=6), tz)

    def q(self, field: str) -> Q:
        return Q(**{f"{field}__gte": self.start, f"{field}__lt": self.end})


# --- cycles --------------------------------------------------------------------------------------


def dashboard_cycle(team: Team, cycle_id: uuid.UUID | None) -> RehearsalCycle | None:
    """The cycle a dashboard shows: the one asked for (404 unless of this team) or the active one."""
    if cycle_id is None:
        return cycle_active_for_team(team)
    cycle = RehearsalCycle.objects.filter(pk=cycle_id, team=team).first()
    if cycle is None:
        raise NotFound("Cycle not found")
    return cycle


def cycle_json(cycle: RehearsalCycle | None) -> dict[str, Any] | None:
    if cycle is None:
        return None
    return {"id": cycle.id, "date": cycle.date_as_datetime, "label": cycle.name}


# --- streaks -------------------------------------------------------------------------------------


def current_streak(days: Iterable[datetime.date], today: datetime.date) -> int:
    """Consecutive practice days ending today, or yesterday when nothing is logged yet today."""
    seen = set(days)
    one = datetime.timedelta(days=1)
    day = today if today in seen else today - one
    streak = 0
    while day in seen:
        streak += 1
        day -= one
    return streak


def longest_streak(days: Iterable[datetime.date]) -> int:
    longest = run = 0
    previous: datetime.date | None = None
    for day in sorted(set(days)):
        run = run + 1 if previous is not None and (day - previous).days == 1 else 1
        longest = max(longest, run)
        previous = day
    return longest


# --- who a leader looks after --------------------------------------------------------------------


def scoped_members_q(membership: Membership, *, prefix: str = "") -> Q:
    """Members a leader's dashboard covers: the whole team for an ADMIN, else their section.

    A SECTION_LEADER with no section has no own section and so looks after nobody.
    """
    p = prefix
    team_q = Q(**{f"{p}team_id": membership.team_id})
    if is_admin(membership):
        return team_q
    section = own_section(membership)
    if section is None:
        return Q(pk__in=[])
    return team_q & Q(**{f"{p}section": section})


def leader_ticket_scope_q(membership: Membership) -> Q:
    """Non-PRIVATE tickets a leader's counts consider (api.md → Dashboards).

    ADMIN: TEAM and SECTION tickets of the team. SECTION_LEADER: TEAM tickets and SECTION
    tickets of their own section. PRIVATE tickets only ever reach leader views as aggregates.
    """
    team_q = Q(team_id=membership.team_id)
    if is_admin(membership):
        return team_q & Q(visibility__in=[TicketVisibility.TEAM, TicketVisibility.SECTION])
    rule = Q(visibility=TicketVisibility.TEAM)
    section = own_section(membership)
    if section:
        rule |= Q(visibility=TicketVisibility.SECTION, section=section)
    return team_q & rule


def private_aggregate_scope_q(membership: Membership) -> Q:
    """PRIVATE tickets a leader's aggregates count: the team's, or only their own section's."""
    team_q = Q(team_id=membership.team_id, visibility=TicketVisibility.PRIVATE)
    if is_admin(membership):
        return team_q
    section = own_section(membership)
    if membership.role != Role.SECTION_LEADER or section is None:
        return Q(pk__in=[])
    return team_q & Q(section=section)


# --- ticket measures -----------------------------------------------------------------------------


def blocking_due_q(now: datetime.datetime, *, days: int = WINDOW_DAYS) -> Q:
    """BLOCKING, not VERIFIED, due within ``days`` days or overdue."""
    return blocking_due_until_q(now + datetime.timedelta(days=days))


def blocking_due_until_q(due_limit: datetime.datetime) -> Q:
    """BLOCKING, not VERIFIED, due at ``due_limit`` or before."""
    return Q(
        priority=Priority.BLOCKING,
        due_at__isnull=False,
        due_at__lte=due_limit,
    ) & ~Q(status=TicketStatus.VERIFIED)


def due_bucket_bounds(today: datetime.date, tz: zoneinfo.ZoneInfo) -> dict[str, datetime.datetime]:
    """The instants ``due_bucket_case`` compares with: today's and tomorrow's local midnight,
    and the end of this Monday-to-Sunday week."""
    return {
        "start_today": local_midnight(today, tz),
        "start_tomorrow": local_midnight(today + datetime.timedelta(days=1), tz),
        "week_end": Window.week_of(today, tz).end,
    }


def due_bucket_expr(today: datetime.date, tz: zoneinfo.ZoneInfo, field: str = "due_at") -> Case:
    """The DueBucket of a due date, by calendar day in the team's timezone, computed in SQL.

    overdue: a day before today; due_today: today; due_this_week: later this Monday-to-Sunday
    week; future: after this week; no_due_date: none.
    """
    return due_bucket_case(**due_bucket_bounds(today, tz), field=field)


def due_bucket_case(
    *,
    start_today: datetime.datetime,
    start_tomorrow: datetime.datetime,
    week_end: datetime.datetime,
    field: str = "due_at",
) -> Case:
    """``due_bucket_expr`` over the instants of ``due_bucket_bounds``."""
    return Case(
        When(**{f"{field}__isnull": True}, then=Value(DueBucket.NO_DUE_DATE.value)),
        When(**{f"{field}__lt": start_today}, then=Value(DueBucket.OVERDUE.value)),
        When(**{f"{field}__lt": start_tomorrow}, then=Value(DueBucket.DUE_TODAY.value)),
        When(**{f"{field}__lt": week_end}, then=Value(DueBucket.DUE_THIS_WEEK.value)),
        default=Value(DueBucket.FUTURE.value),
        output_field=CharField(),
    )
