"""The member dashboard: the caller's own week, streaks, assignments and tickets."""

from __future__ import annotations

import datetime
import functools
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from insights.selectors.common import (
    WINDOW_DAYS,
    Window,
    current_streak,
    cycle_json,
    longest_streak,
)
from practice.models import Assignment, PracticeDay, priority_rank
from practice.visibility import visible_assignments_q
from practiceops.core import prepared
from teams.access import scope_member, scope_shape, scope_values
from teams.models import Membership, RehearsalCycle, Team
from tickets.models import CLOSED_STATUSES, Ticket, TicketStatus
from tickets.visibility import visible_tickets_q

DUE_SOON_LIMIT = 10
QUICK_LOG_DURATION_MIN = 20


def _practice_days_qs(*, team_id: Any, user_id: Any) -> QuerySet:
    return PracticeDay.objects.filter(team_id=team_id, user_id=user_id).values_list(
        "day", "sessions", "minutes"
    )


def practice_days_for_user(team: Team, user_id: Any) -> dict[datetime.date, tuple[int, int]]:
    """Every day (team timezone) the user practised in this team → (sessions, minutes).

    One query over the user's practice rollups (one row per day practised), never their logs.
    """
    rows = prepared.run(
        (__name__, "practice_days"), _practice_days_qs, team_id=team.pk, user_id=user_id
    )
    return {day: (sessions, minutes) for day, sessions, minutes in rows}


# The dashboard's queries, built from the caller's scope values (common.scope_values) and run
# through practiceops.core.prepared: compiled once per shape (teams.access.scope_shape).

ASSIGNMENT_FIELDS = ("id", "title", "priority", "type", "scope", "section", "due_at")
DUE_SOON_FIELDS = ("id", "title", "priority", "status", "due_at", "visibility")


def _assignments_qs(shape: tuple[str, bool], *, cycle_id: Any, **scope: Any) -> QuerySet:
    return (
        Assignment.objects.filter(
            visible_assignments_q(scope_member(shape, **scope)), cycle_id=cycle_id
        )
        .order_by(priority_rank(), F("due_at").asc(nulls_last=True), "-created_at", "id")
        .values_list(*ASSIGNMENT_FIELDS)
    )


def _progress_qs(shape: tuple[str, bool], *, cycle_id: Any, **scope: Any) -> QuerySet:
    # Grouped by the one owner it filters on: one row, or none when they own no ticket.
    return (
        Ticket.objects.filter(
            team_id=scope["team_id"], cycle_id=cycle_id, owner_id=scope["user_id"]
        )
        .values("owner_id")
        .annotate(
            resolved=Count("id", filter=Q(status__in=CLOSED_STATUSES)),
            verified=Count("id", filter=Q(status=TicketStatus.VERIFIED)),
        )
        .order_by()
        .values_list("resolved", "verified")
    )


def _due_soon_qs(
    shape: tuple[str, bool], *, due_limit: datetime.datetime, **scope: Any
) -> QuerySet:
    user_id = scope["user_id"]
    return (
        Ticket.objects.filter(
            visible_tickets_q(scope_member(shape, **scope)),
            Q(owner_id=user_id) | Q(created_by_id=user_id),
            due_at__isnull=False,
            due_at__lte=due_limit,
        )
        .exclude(status__in=CLOSED_STATUSES)
        .order_by("due_at", priority_rank(), "id")
        .values_list(*DUE_SOON_FIELDS)[:DUE_SOON_LIMIT]
    )


def _run(name: str, build: Any, membership: Membership, **values: Any) -> list[tuple]:
    shape = scope_shape(membership)
    return prepared.run(
        (__name__, name, shape),
        functools.partial(build, shape),
        **scope_values(membership),
        **values,
    )


def weekly_summary(
    team: Team, days: dict[datetime.date, tuple[int, int]], today: datetime.date
) -> dict[str, Any]:
    window = Window.last_days(today, team.tzinfo)
    in_window = [value for day, value in days.items() if window.first_day <= day <= window.last_day]
    # A log may be dated up to a day ahead; a streak only counts days that have happened.
    past_days = [day for day in days if day <= today]
    practice_days = len(in_window)
    return {
        "practice_days": practice_days,
        "total_sessions": sum(sessions for sessions, _ in in_window),
        "total_minutes": sum(minutes for _, minutes in in_window),
        "streak_days": current_streak(past_days, today),
        "longest_streak_days": longest_streak(past_days),
        "weekly_goal_days": team.weekly_goal_days,
        "weekly_goal_met": practice_days >= team.weekly_goal_days,
    }


def member_dashboard_get(
    *,
    team: Team,
    membership: Membership,
    cycle: RehearsalCycle | None,
    days: dict[datetime.date, tuple[int, int]] | None = None,
) -> dict[str, Any]:
    """The member dashboard of api.md for ``membership`` (a fixed number of queries).

    ``days``: the member's ``practice_days_for_user``, when the caller has read them already.
    """
    now = timezone.now()
    today = team.today()
    user_id = membership.user_id

    assignments: list[dict[str, Any]] = []
    progress = {"tickets_resolved_this_cycle": 0, "tickets_verified_this_cycle": 0}
    if cycle is not None:
        rows = _run("assignments", _assignments_qs, membership, cycle_id=cycle.pk)
        assignments = [dict(zip(ASSIGNMENT_FIELDS, row, strict=True)) for row in rows]
        for resolved, verified in _run("progress", _progress_qs, membership, cycle_id=cycle.pk):
            progress = {
                "tickets_resolved_this_cycle": resolved,
                "tickets_verified_this_cycle": verified,
            }

    rows = _run(
        "due_soon",
        _due_soon_qs,
        membership,
        due_limit=now + datetime.timedelta(days=WINDOW_DAYS),
    )
    due_soon = [dict(zip(DUE_SOON_FIELDS, row, strict=True)) for row in rows]

    if days is None:
        days = practice_days_for_user(team, user_id)
    return {
        "cycle": cycle_json(cycle),
        "countdown_days": (cycle.date - today).days if cycle is not None else None,
        "assignments": assignments,
        "tickets_due_soon": due_soon,
        "quick_log_defaults": {"duration_min_default": QUICK_LOG_DURATION_MIN},
        "weekly_summary": weekly_summary(team, days, today),
        "progress": progress,
    }
