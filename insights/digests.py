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

from insights.selectors.catch_up import practise_next_items, practise_next_tickets_q
from insights.selectors.common import Window as DayWindow
from insights.selectors.outcomes import leader_week_outcomes
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
    outcomes = leader_week_outcomes(leaders, now=now)
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
            "outcome": _outcome_rows(outcomes[leader.id]),
            "week_before_label": (
                f"{_day(today - datetime.timedelta(days=13))} – "
                f"{_day(today - datetime.timedelta(days=7))}"
            ),
        }
    return digests


OUTCOME_LABELS = (
    ("opened", "Tickets opened"),
    ("verified", "Fixes verified"),
    ("reopened", "Fixes reopened"),
    ("median_hours_to_verify", "Median hours to verify"),
    ("p90_hours_to_verify", "90th percentile hours to verify"),
    ("open_now", "Open now"),
    ("stale_claims_released", "Stale claims released"),
    ("practice_minutes_linked", "Practice minutes on tickets"),
)


def _outcome_rows(weeks: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """The leader's outcome as table rows: this week's figure beside the week before's."""
    this_week, before = weeks["this_week"], weeks["week_before"]
    return [
        {"label": label, "this_week": this_week[name], "week_before": before[name]}
        for name, label in OUTCOME_LABELS
    ]


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
    active = {
        team_id: cycle
        for team_id, cycle in cycles_active_for_teams(teams).items()
        if cycle is not None
    }
    upcoming = {
        team_id: cycle for team_id, cycle in active.items() if cycle.date >= todays[team_id]
    }
    assignments = _assignments_by_cycle([cycle.pk for cycle in active.values()])
    tickets = _open_tickets(members)
    next_tickets = _practise_next_tickets(members, active)
    digests = {}
    for member in members:
        n = numbers[member.id]
        today = todays[member.team_id]
        week = DayWindow.week_of(today, member.team.tzinfo)
        cycle = upcoming.get(member.team_id)
        visible = visible_assignments_q(member)
        seen = [a for a in assignments.get(cycle.pk, []) if q_matches(visible, a)] if cycle else []
        active_cycle = active.get(member.team_id)
        practise_next = practise_next_items(
            (
                _next_row(t)
                for t in next_tickets.get((member.team_id, member.user_id), [])
                if active_cycle is not None
                and q_matches(practise_next_tickets_q(member, active_cycle.pk), t)
            ),
            (
                _next_row(a)
                for a in (assignments.get(active_cycle.pk, []) if active_cycle else [])
                if q_matches(visible, a)
            ),
        )
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
            "practise_next": [
                {
                    "kind": item["kind"],
                    "id": str(item["id"]),
                    "title": item["title"],
                    "priority": item["priority"],
                    "due_label": _day(item["due_at"].astimezone(member.team.tzinfo).date())
                    if item["due_at"]
                    else None,
                }
                for item in practise_next
            ],
        }
    return digests


def _next_row(obj: Any) -> dict[str, Any]:
    return {
        "id": obj.id,
        "title": obj.title,
        "priority": obj.priority,
        "due_at": obj.due_at,
        "created_at": obj.created_at,
    }


def _practise_next_tickets(
    members: Sequence[Membership], active: dict[Any, RehearsalCycle]
) -> dict[tuple[Any, Any], list[Ticket]]:
    """Unresolved tickets of each team's active cycle owned or claimed by a member of the
    batch, in one query; each member's own filter (``practise_next_tickets_q``, visibility
    included) is applied in memory by the caller."""
    pairs = Q()
    for team_id, user_ids in _users_by_team(members).items():
        cycle = active.get(team_id)
        if cycle is not None:
            pairs |= Q(team_id=team_id, cycle_id=cycle.pk) & (
                Q(owner_id__in=user_ids) | Q(claimed_by_id__in=user_ids)
            )
    if not pairs:
        return {}
    result: dict[tuple[Any, Any], list[Ticket]] = defaultdict(list)
    for ticket in Ticket.objects.filter(pairs).exclude(status__in=CLOSED_STATUSES):
        for user_id in {ticket.owner_id, ticket.claimed_by_id} - {None}:
            result[(ticket.team_id, user_id)].append(ticket)
    return result


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
