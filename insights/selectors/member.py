"""The member dashboard: the caller's own week, streaks, assignments and tickets."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Count, F, Q
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
from teams.models import Membership, RehearsalCycle, Team
from tickets.models import CLOSED_STATUSES, Ticket, TicketStatus
from tickets.visibility import visible_tickets_q

DUE_SOON_LIMIT = 10
QUICK_LOG_DURATION_MIN = 20


def practice_days_for_user(team: Team, user_id: Any) -> dict[datetime.date, tuple[int, int]]:
    """Every day (team timezone) the user practised in this team → (sessions, minutes).

    One query over the user's practice rollups (one row per day practised), never their logs.
    """
    rows = PracticeDay.objects.filter(team=team, user_id=user_id).values_list(
        "day", "sessions", "minutes"
    )
    return {day: (sessions, minutes) for day, sessions, minutes in rows}


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
    *, team: Team, membership: Membership, cycle: RehearsalCycle | None
) -> dict[str, Any]:
    """The member dashboard of api.md for ``membership`` (a fixed number of queries)."""
    now = timezone.now()
    today = team.today()
    user_id = membership.user_id

    assignments: list[dict[str, Any]] = []
    progress = {"tickets_resolved_this_cycle": 0, "tickets_verified_this_cycle": 0}
    if cycle is not None:
        assignments = list(
            Assignment.objects.filter(visible_assignments_q(membership), cycle=cycle)
            .order_by(priority_rank(), F("due_at").asc(nulls_last=True), "-created_at", "id")
            .values("id", "title", "priority", "type", "scope", "section", "due_at")
        )
        progress = Ticket.objects.filter(team=team, cycle=cycle, owner_id=user_id).aggregate(
            tickets_resolved_this_cycle=Count("id", filter=Q(status__in=CLOSED_STATUSES)),
            tickets_verified_this_cycle=Count("id", filter=Q(status=TicketStatus.VERIFIED)),
        )

    due_soon = list(
        Ticket.objects.filter(
            visible_tickets_q(membership),
            Q(owner_id=user_id) | Q(created_by_id=user_id),
            due_at__isnull=False,
            due_at__lte=now + datetime.timedelta(days=WINDOW_DAYS),
        )
        .exclude(status__in=CLOSED_STATUSES)
        .order_by("due_at", priority_rank(), "id")
        .values("id", "title", "priority", "status", "due_at", "visibility")[:DUE_SOON_LIMIT]
    )

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
