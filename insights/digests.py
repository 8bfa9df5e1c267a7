"""What the weekly digests say, for a batch of readers at once.

The numbers come from the dashboards' own selectors (``insights.selectors.weekly``), the
active cycle from ``teams.selectors``, the visibility of assignments from
``practice.visibility``: a digest reports exactly what its reader's dashboard shows. Each
function costs a bounded number of queries per batch (a few per distinct team timezone),
never one per team, member or ticket, and returns JSON-ready dicts (the outbox stores them).
"""

from __future__ import annotations

import datetime
import uuid
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from django.db.models import F, Q, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from insights.selectors.common import Window as DayWindow
from insights.selectors.weekly import leader_digest_numbers, member_week_numbers
from practice.models import Assignment, priority_rank
from practice.visibility import visible_assignments_q
from teams.access import is_admin, own_section
from teams.models import Membership, RehearsalCycle, Team
from teams.selectors import cycles_active_for_teams
from tickets.models import CLOSED_STATUSES, Ticket

NAMES_LIMIT = 25
TICKETS_LIMIT = 5
ASSIGNMENTS_LIMIT = 10


def _day(value: datetime.date) -> str:
    return value.strftime("%a %b %d, %Y")


def _teams(memberships: Sequence[Membership]) -> list[Team]:
    return list({m.team_id: m.team for m in memberships}.values())


def _cycle(cycle: RehearsalCycle | None, today: datetime.date) -> dict[str, Any] | None:
    if cycle is None:
        return None
    return {
        "id": str(cycle.id),
        "label": cycle.name,
        "date": cycle.date.isoformat(),
        "date_label": _day(cycle.date),
        "days_away": (cycle.date - today).days,
    }


def leader_digests(
    leaders: Sequence[Membership], *, now: datetime.datetime | None = None
) -> dict[uuid.UUID, dict[str, Any]]:
    """Per leader membership id: the digest of their leader dashboard's scope.

    ``leaders`` must have ``team`` loaded. Practice share (as a percentage), minutes and the
    members without practice in the last 7 days; BLOCKING tickets due or overdue, BLOCKED
    tickets and RESOLVED tickets awaiting verification (and how many the reader may verify).
    """
    now = now or timezone.now()
    numbers = leader_digest_numbers(leaders, now=now)
    cycles = cycles_active_for_teams(_teams(leaders))
    digests = {}
    for leader in leaders:
        n = numbers[leader.id]
        today = now.astimezone(leader.team.tzinfo).date()
        section = own_section(leader)
        without = n["members_without_practice"]
        digests[leader.id] = {
            "scope": "the whole team"
            if is_admin(leader)
            else (f"the {section} section" if section else None),
            "cycle": _cycle(cycles.get(leader.team_id), today),
            "window_label": f"{_day(today - datetime.timedelta(days=6))} – {_day(today)}",
            "member_count": n["member_count"],
            "practised_pct": round(n["logged_last_7_days_pct"] * 100),
            "practised_count": n["member_count"] - len(without),
            "minutes_7d": n["total_practice_minutes_7d"],
            "members_without_practice": [
                {"name": row["name"], "section": row["section"]} for row in without[:NAMES_LIMIT]
            ],
            "members_without_practice_count": len(without),
            "blocking_due_count": n["blocking_due_count"],
            "blocked_count": n["blocked_count"],
            "resolved_not_verified_count": n["resolved_not_verified_count"],
            "verifiable_count": n["verifiable_count"],
        }
    return digests


def member_digests(
    members: Sequence[Membership], *, now: datetime.datetime | None = None
) -> dict[uuid.UUID, dict[str, Any]]:
    """Per membership id: the member's week (practice days, minutes, streak), their open and
    claimed tickets, and the next rehearsal with the assignments they see.

    ``members`` must have ``team`` loaded.
    """
    now = now or timezone.now()
    numbers = member_week_numbers(members, now=now)
    teams = _teams(members)
    todays = {team.pk: now.astimezone(team.tzinfo).date() for team in teams}
    upcoming = {
        team_id: cycle
        for team_id, cycle in cycles_active_for_teams(teams).items()
        if cycle is not None and cycle.date >= todays[team_id]
    }
    assignments = _assignments_by_cycle([cycle.pk for cycle in upcoming.values()])
    tickets = _open_tickets(members)
    digests = {}
    for member in members:
        n = numbers[member.id]
        today = todays[member.team_id]
        week = DayWindow.week_of(today, member.team.tzinfo)
        cycle = upcoming.get(member.team_id)
        visible = visible_assignments_q(member)
        seen = [a for a in assignments.get(cycle.pk, []) if q_matches(visible, a)] if cycle else []
        digests[member.id] = {
            "week_label": f"{_day(week.first_day)} – {_day(week.last_day)}",
            "practice_days": n["practice_days_this_week"],
            "minutes": n["minutes_this_week"],
            "streak_days": n["streak_days"],
            "weekly_goal_days": member.team.weekly_goal_days,
            "weekly_goal_met": n["practice_days_this_week"] >= member.team.weekly_goal_days,
            "open_ticket_count": n["open_ticket_count"],
            "claimed_ticket_count": n["claimed_ticket_count"],
            "tickets": tickets.get((member.team_id, member.user_id), []),
            "next_rehearsal": _cycle(cycle, today),
            "assignments": [
                {
                    "title": a.title,
                    "priority": a.priority,
                    "type": a.type,
                    "section": a.section,
                }
                for a in seen[:ASSIGNMENTS_LIMIT]
            ],
        }
    return digests


def _assignments_by_cycle(cycle_ids: list[uuid.UUID]) -> dict[uuid.UUID, list[Assignment]]:
    """The cycles' assignments in the dashboard's order (priority, due date), in one query."""
    grouped: dict[uuid.UUID, list[Assignment]] = defaultdict(list)
    if not cycle_ids:
        return grouped
    rows = (
        Assignment.objects.filter(cycle_id__in=cycle_ids)
        .select_related("cycle")
        .order_by(priority_rank(), F("due_at").asc(nulls_last=True), "-created_at", "id")
    )
    for assignment in rows:
        grouped[assignment.cycle_id].append(assignment)
    return grouped


def _open_tickets(members: Sequence[Membership]) -> dict[tuple[Any, Any], list[dict[str, Any]]]:
    """Up to five open tickets each member owns in their team, soonest due first: one query."""
    if not members:
        return {}
    pairs = Q()
    for team_id, user_ids in _users_by_team(members).items():
        pairs |= Q(team_id=team_id, owner_id__in=user_ids)
    rows = (
        Ticket.objects.filter(pairs)
        .exclude(status__in=CLOSED_STATUSES)
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("team_id"), F("owner_id")],
                order_by=[F("due_at").asc(nulls_last=True), F("created_at").asc(), F("id").asc()],
            )
        )
        .filter(rank__lte=TICKETS_LIMIT)
        .select_related("team")
        .order_by("team_id", "owner_id", "rank")
    )
    result: dict[tuple[Any, Any], list[dict[str, Any]]] = defaultdict(list)
    for ticket in rows:
        due = ticket.due_at.astimezone(ticket.team.tzinfo).date() if ticket.due_at else None
        result[(ticket.team_id, ticket.owner_id)].append(
            {
                "title": ticket.title,
                "status": ticket.status,
                "priority": ticket.priority,
                "claimed": ticket.claimed_by_id is not None,
                "due_label": _day(due) if due else None,
            }
        )
    return result


def _users_by_team(members: Sequence[Membership]) -> dict[Any, list[Any]]:
    grouped: dict[Any, list[Any]] = defaultdict(list)
    for member in members:
        grouped[member.team_id].append(member.user_id)
    return grouped


def q_matches(q: Q, obj: Any) -> bool:
    """Evaluate a visibility filter (equality lookups, ``a__b`` paths) on an object in memory,
    so the rule stays written once, as the Q object the API filters with."""
    results = []
    for child in q.children:
        if isinstance(child, Q):
            results.append(q_matches(child, obj))
            continue
        lookup, expected = child
        *path, last = lookup.split("__")
        op = "exact"
        if last in ("in", "exact"):
            op = last
        else:
            path.append(last)
        value = obj
        for name in path:
            value = getattr(value, name)
        results.append(value in list(expected) if op == "in" else value == expected)
    combined = all(results) if q.connector == Q.AND else any(results)
    return not combined if q.negated else combined
