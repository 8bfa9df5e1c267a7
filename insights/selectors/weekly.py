"""Set-based numbers for the weekly digests, from the same definitions as the dashboards.

A digest job hands in a batch of memberships (any number of teams) and gets every reader's
numbers back with a bounded number of queries: a few per distinct team timezone in the batch,
never one per team, member or ticket.
"""

from __future__ import annotations

import datetime
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone

from insights.selectors.common import (
    Window,
    current_streak,
    leader_ticket_scope_q,
    scoped_members_q,
)
from insights.selectors.leader import RISK_FIELDS, risk_counts
from insights.selectors.practice_stats import member_practice_qs
from practice.models import PracticeDay
from teams.models import Membership
from tickets.models import CLOSED_STATUSES, Ticket, TicketStatus
from tickets.selectors import verifiable_tickets_q


def _by_timezone(memberships: Iterable[Membership]) -> dict[str, list[Membership]]:
    groups: dict[str, list[Membership]] = defaultdict(list)
    for membership in memberships:
        groups[membership.team.tzinfo.key].append(membership)
    return groups


def leader_digest_numbers(
    leaders: Sequence[Membership], *, now: datetime.datetime | None = None
) -> dict[uuid.UUID, dict[str, Any]]:
    """Per leader membership id: the leader-dashboard numbers of their scope for a digest.

    ``leaders`` must have ``team`` loaded (``select_related("team")``). Each entry holds
    ``logged_last_7_days_pct``, ``total_practice_minutes_7d``, ``member_count``,
    ``members_without_practice`` ([{member_id, name, section}]), ``blocking_due_count``,
    ``blocked_count``, ``resolved_not_verified_count`` and ``verifiable_count`` (the RESOLVED
    tickets this leader may verify). Two queries per distinct team timezone.
    """
    now = now or timezone.now()
    result: dict[uuid.UUID, dict[str, Any]] = {}
    for group in _by_timezone(leaders).values():
        tz = group[0].team.tzinfo
        window = Window.last_days(now.astimezone(tz).date(), tz)
        team_ids = {leader.team_id for leader in group}

        members_by_team: dict[uuid.UUID, list[dict[str, Any]]] = defaultdict(list)
        for row in member_practice_qs(Membership.objects.filter(team_id__in=team_ids), window, tz):
            members_by_team[row["team_id"]].append(row)

        # Tickets grouped by what the scope rules look at; each leader's scope is a sum of groups.
        ticket_groups = list(
            Ticket.objects.filter(team_id__in=team_ids)
            .exclude(status=TicketStatus.VERIFIED)
            .values("team_id", "visibility", "section")
            .annotate(**risk_counts(now))
            .order_by()
        )
        for leader in group:
            scope = scoped_members_q(leader)
            members = [
                row
                for row in members_by_team[leader.team_id]
                if _q_matches(scope, Membership(team_id=row["team_id"], section=row["section"]))
            ]
            in_scope = [
                g for g in ticket_groups if g["team_id"] == leader.team_id and _in_scope(leader, g)
            ]
            verifiable = [
                g
                for g in ticket_groups
                if g["team_id"] == leader.team_id and _may_verify(leader, g)
            ]
            practised = sum(1 for row in members if row["days_logged"] > 0)
            result[leader.id] = {
                "member_count": len(members),
                "logged_last_7_days_pct": round(practised / len(members), 2) if members else 0.0,
                "total_practice_minutes_7d": sum(row["minutes"] for row in members),
                "members_without_practice": [
                    {
                        "member_id": row["user_id"],
                        "name": row["user__display_name"],
                        "section": row["section"],
                    }
                    for row in members
                    if row["days_logged"] == 0
                ],
                **{f"{name}_count": sum(g[name] for g in in_scope) for name in RISK_FIELDS},
                "verifiable_count": sum(g["resolved_not_verified"] for g in verifiable),
            }
    return result


def _matches(q: Q, group: dict[str, Any]) -> bool:
    """Whether a ticket group satisfies a scope filter, checked on a stand-in ticket."""
    ticket = Ticket(
        team_id=group["team_id"],
        visibility=group["visibility"],
        section=group["section"],
        status=TicketStatus.RESOLVED,
    )
    return _q_matches(q, ticket)


def _q_matches(q: Q, obj: Any) -> bool:
    """Evaluate a scope filter on an object in memory.

    The scope rules stay written once, as the Q objects the dashboards filter with; a digest
    sorts its grouped rows by matching stand-in objects against them instead of restating
    the rules. Only the lookups those rules use (equality, ``__in``) are supported.
    """
    results = []
    for child in q.children:
        if isinstance(child, Q):
            results.append(_q_matches(child, obj))
            continue
        lookup, expected = child
        field, _, op = lookup.partition("__")
        value = getattr(obj, field)
        if op == "in":
            matched = value in list(expected)
        elif op == "":
            matched = value == expected
        else:  # pragma: no cover - the scope rules use equality and membership only
            raise ValueError(f"unsupported lookup {lookup}")
        results.append(matched)
    combined = all(results) if q.connector == Q.AND else any(results)
    return not combined if q.negated else combined


def _in_scope(leader: Membership, group: dict[str, Any]) -> bool:
    return _matches(leader_ticket_scope_q(leader), group)


def _may_verify(leader: Membership, group: dict[str, Any]) -> bool:
    return _matches(verifiable_tickets_q(leader), group)


def member_week_numbers(
    members: Sequence[Membership], *, now: datetime.datetime | None = None
) -> dict[uuid.UUID, dict[str, Any]]:
    """Per membership id: this Monday-to-Sunday week's practice days and minutes, the current
    streak, and the open and claimed tickets the member owns, for the member digest.

    ``members`` must have ``team`` loaded. Two queries per distinct team timezone.
    """
    now = now or timezone.now()
    result: dict[uuid.UUID, dict[str, Any]] = {}
    for group in _by_timezone(members).values():
        tz = group[0].team.tzinfo
        today = now.astimezone(tz).date()
        week = Window.week_of(today, tz)
        team_ids = {m.team_id for m in group}
        user_ids = {m.user_id for m in group}

        # The practice rollups are per day in each team's timezone: this group's ``tz``.
        days: dict[tuple[uuid.UUID, uuid.UUID], dict[datetime.date, int]] = defaultdict(dict)
        rows = PracticeDay.objects.filter(team_id__in=team_ids, user_id__in=user_ids).values_list(
            "team_id", "user_id", "day", "minutes"
        )
        for team_id, user_id, day, minutes in rows:
            days[(team_id, user_id)][day] = minutes

        tickets = {
            (row["team_id"], row["owner_id"]): row
            for row in Ticket.objects.filter(team_id__in=team_ids, owner_id__in=user_ids)
            .exclude(status__in=CLOSED_STATUSES)
            .values("team_id", "owner_id")
            .annotate(
                open_count=Count("id"),
                claimed_count=Count("id", filter=Q(claimed_by_id__isnull=False)),
            )
            .order_by()
        }
        for member in group:
            mine = days.get((member.team_id, member.user_id), {})
            this_week = {
                day: minutes
                for day, minutes in mine.items()
                if week.first_day <= day <= week.last_day
            }
            counts = tickets.get((member.team_id, member.user_id), {})
            result[member.id] = {
                "practice_days_this_week": len(this_week),
                "minutes_this_week": sum(this_week.values()),
                "streak_days": current_streak((day for day in mine if day <= today), today),
                "open_ticket_count": counts.get("open_count", 0),
                "claimed_ticket_count": counts.get("claimed_count", 0),
            }
    return result
