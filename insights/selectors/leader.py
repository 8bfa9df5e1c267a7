"""The leader dashboard and compliance insights, scoped by the caller's role."""

from __future__ import annotations

import datetime
import functools
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from insights.selectors.common import (
    PRIVATE_GROUP_MIN,
    WINDOW_DAYS,
    Window,
    blocking_due_until_q,
    cycle_json,
    due_bucket_bounds,
    due_bucket_case,
    leader_ticket_scope_q,
    private_aggregate_scope_q,
)
from insights.selectors.practice_stats import (
    scoped_member_practice_rows,
    scoped_section_practice_rows,
)
from practice.models import priority_rank
from practiceops.core import prepared
from teams.access import is_admin, own_section, scope_member, scope_shape, scope_values
from teams.models import Membership, RehearsalCycle, Team
from tickets.models import Ticket, TicketStatus, TicketVisibility
from tickets.selectors import verifiable_tickets_q
from tickets.visibility import visible_tickets_q

TICKETS_VISIBLE_LIMIT = 50
VERIFICATION_QUEUE_LIMIT = 50
RISK_FIELDS = ("blocking_due", "blocked", "resolved_not_verified")


def risk_counts(now: datetime.datetime) -> dict[str, Count]:
    """The three risk measures of api.md → Dashboards, as conditional counts."""
    return risk_counts_until(now + datetime.timedelta(days=WINDOW_DAYS))


def risk_counts_until(due_limit: datetime.datetime) -> dict[str, Count]:
    """``risk_counts`` with BLOCKING tickets due at ``due_limit`` or before."""
    return {
        "blocking_due": Count("id", filter=blocking_due_until_q(due_limit)),
        "blocked": Count("id", filter=Q(status=TicketStatus.BLOCKED)),
        "resolved_not_verified": Count("id", filter=Q(status=TicketStatus.RESOLVED)),
    }


def risk_tickets(membership: Membership) -> QuerySet[Ticket]:
    # VERIFIED tickets carry no risk in any measure; leaving them out keeps songs whose every
    # ticket is verified off the list instead of listing them with zeros forever.
    return Ticket.objects.filter(leader_ticket_scope_q(membership)).exclude(
        status=TicketStatus.VERIFIED
    )


# The dashboard's queries, each built from the caller's scope values (common.scope_values)
# and run through practiceops.core.prepared: compiled once per shape (teams.access.scope_shape).


def _risk_qs(shape: tuple[str, bool], *, due_limit: datetime.datetime, **scope: Any) -> QuerySet:
    return (
        risk_tickets(scope_member(shape, **scope))
        .values("section", "song_ref")
        .annotate(**risk_counts_until(due_limit))
        .order_by("song_ref", "section")
        .values_list("section", "song_ref", *RISK_FIELDS)
    )


PRIVATE_AGGREGATE_KEYS = ("section", "category", "status", "priority", "song_ref", "due_bucket")


def _private_aggregates_qs(
    shape: tuple[str, bool],
    *,
    start_today: datetime.datetime,
    start_tomorrow: datetime.datetime,
    week_end: datetime.datetime,
    **scope: Any,
) -> QuerySet:
    keys = PRIVATE_AGGREGATE_KEYS
    return (
        Ticket.objects.filter(private_aggregate_scope_q(scope_member(shape, **scope)))
        .annotate(
            due_bucket=due_bucket_case(
                start_today=start_today, start_tomorrow=start_tomorrow, week_end=week_end
            )
        )
        .values(*keys)
        .annotate(count=Count("id"))
        .filter(count__gte=PRIVATE_GROUP_MIN)
        .order_by(*(F(key).asc(nulls_first=True) for key in keys))
        .values_list(*keys, "count")
    )


def _member_ticket_counts_qs(shape: tuple[str, bool], **scope: Any) -> QuerySet:
    return (
        Ticket.objects.filter(
            visible_tickets_q(scope_member(shape, **scope)),
            owner_id__isnull=False,
            status__in=[TicketStatus.OPEN, TicketStatus.IN_PROGRESS, TicketStatus.BLOCKED],
        )
        .values("owner_id")
        .annotate(
            open_count=Count(
                "id", filter=Q(status__in=[TicketStatus.OPEN, TicketStatus.IN_PROGRESS])
            ),
            blocked_count=Count("id", filter=Q(status=TicketStatus.BLOCKED)),
        )
        .order_by()
        .values_list("owner_id", "open_count", "blocked_count")
    )


TICKET_VISIBLE_FIELDS = ("id", "title", "priority", "status", "visibility", "section", "due_at")


def _tickets_visible_qs(shape: tuple[str, bool], **scope: Any) -> QuerySet:
    return (
        Ticket.objects.filter(leader_ticket_scope_q(scope_member(shape, **scope)))
        .exclude(visibility=TicketVisibility.PRIVATE)
        .order_by(priority_rank(), F("due_at").asc(nulls_last=True), "-updated_at", "id")
        .values_list(*TICKET_VISIBLE_FIELDS)[:TICKETS_VISIBLE_LIMIT]
    )


VERIFICATION_QUEUE_FIELDS = (
    "id",
    "title",
    "section",
    "song_ref",
    "owner_id",
    "resolved_at",
    "resolved_note",
)


def _verification_queue_qs(shape: tuple[str, bool], **scope: Any) -> QuerySet:
    return (
        Ticket.objects.filter(verifiable_tickets_q(scope_member(shape, **scope)))
        .order_by(F("resolved_at").asc(nulls_last=True), "id")
        .values_list(*VERIFICATION_QUEUE_FIELDS)[:VERIFICATION_QUEUE_LIMIT]
    )


def _run(name: str, build: Any, membership: Membership, **values: Any) -> list[tuple]:
    shape = scope_shape(membership)
    return prepared.run(
        (__name__, name, shape),
        functools.partial(build, shape),
        **scope_values(membership),
        **values,
    )


def risk_summary(
    membership: Membership, member_sections: set[str], now: datetime.datetime
) -> dict[str, Any]:
    """Totals, per section and per song, from one query grouped by (section, song_ref)."""
    by_section_rows: dict[str | None, dict[str, int]] = {}
    by_song_rows: dict[str, dict[str, int]] = {}
    rows = _run("risk", _risk_qs, membership, due_limit=now + datetime.timedelta(days=WINDOW_DAYS))
    for section, song_ref, *counts in rows:
        targets = [by_section_rows.setdefault(section, dict.fromkeys(RISK_FIELDS, 0))]
        if song_ref:
            targets.append(by_song_rows.setdefault(song_ref, dict.fromkeys(RISK_FIELDS, 0)))
        for target in targets:
            for name, value in zip(RISK_FIELDS, counts, strict=True):
                target[name] += value
    totals = {name: sum(row[name] for row in by_section_rows.values()) for name in RISK_FIELDS}
    if is_admin(membership):
        sections = sorted(member_sections | {s for s in by_section_rows if s})
    else:
        section = own_section(membership)
        sections = [section] if section else []
    zero = dict.fromkeys(RISK_FIELDS, 0)
    return {
        "blocking_due_count": totals["blocking_due"],
        "blocked_count": totals["blocked"],
        "resolved_not_verified_count": totals["resolved_not_verified"],
        "by_section": [
            {"section": section, **by_section_rows.get(section, zero)} for section in sections
        ],
        # Songs in the database's order of song_ref (the query's ordering).
        "by_song": [{"song_ref": song, **counts} for song, counts in by_song_rows.items()],
    }


def private_ticket_aggregates(
    membership: Membership, team: Team, today: datetime.date
) -> list[dict[str, Any]]:
    """Counts of PRIVATE tickets per (section, category, status, priority, song_ref, due_bucket).

    Only groups of PRIVATE_GROUP_MIN or more leave the database, and the rows carry no id,
    title, owner or creator: a leader learns how many, never whose.
    """
    rows = _run(
        "private_aggregates",
        _private_aggregates_qs,
        membership,
        **due_bucket_bounds(today, team.tzinfo),
    )
    keys = (*PRIVATE_AGGREGATE_KEYS, "count")
    return [dict(zip(keys, row, strict=True)) for row in rows]


def member_ticket_counts(membership: Membership) -> dict[Any, tuple[int, int]]:
    """Per owner: (OPEN + IN_PROGRESS, BLOCKED) tickets, among those the caller may view."""
    rows = _run("member_ticket_counts", _member_ticket_counts_qs, membership)
    return {owner_id: (open_count, blocked) for owner_id, open_count, blocked in rows}


def tickets_visible(membership: Membership) -> list[dict[str, Any]]:
    rows = _run("tickets_visible", _tickets_visible_qs, membership)
    return [dict(zip(TICKET_VISIBLE_FIELDS, row, strict=True)) for row in rows]


def verification_queue(membership: Membership) -> list[dict[str, Any]]:
    """RESOLVED tickets the caller may verify, oldest resolution first (at most 50: the
    dashboard shows what to verify next; ``resolved_not_verified_count`` gives the backlog)."""
    rows = _run("verification_queue", _verification_queue_qs, membership)
    return [dict(zip(VERIFICATION_QUEUE_FIELDS, row, strict=True)) for row in rows]


def leader_dashboard_get(
    *, team: Team, membership: Membership, cycle: RehearsalCycle | None
) -> dict[str, Any]:
    """The leader dashboard of api.md for a leader's ``membership`` (a fixed number of queries)."""
    now = timezone.now()
    today = team.today()
    window = Window.last_days(today, team.tzinfo)

    members = scoped_member_practice_rows(membership, window)
    practised = sum(1 for row in members if row["days_logged_7d"] > 0)
    compliance = {
        "logged_last_7_days_pct": round(practised / len(members), 2) if members else 0.0,
        "practice_days_by_member": members,
        "total_practice_minutes_7d": sum(row["minutes_7d"] for row in members),
    }

    counts = member_ticket_counts(membership)
    no_tickets = (0, 0)
    drilldown_members = []
    for row in members:
        open_count, blocked_count = counts.get(row["member_id"], no_tickets)
        drilldown_members.append(
            {
                "member_id": row["member_id"],
                "name": row["name"],
                "section": row["section"],
                "open_ticket_count": open_count,
                "blocked_count": blocked_count,
            }
        )
    member_sections = {row["section"] for row in members if row["section"]}
    return {
        "cycle": cycle_json(cycle),
        "compliance": compliance,
        "risk_summary": risk_summary(membership, member_sections, now),
        "private_ticket_aggregates": private_ticket_aggregates(membership, team, today),
        "drilldown": {"members": drilldown_members, "tickets_visible": tickets_visible(membership)},
        "verification_queue": verification_queue(membership),
    }


def _days(value: float) -> str:
    return f"{value:.1f}"


def compliance_summary(sections: list[dict[str, Any]]) -> str:
    """A deterministic sentence naming the top and lowest section and the overall average.

    Sections come ordered alphabetically ("Unassigned" last); ties on the average go to the
    section that comes first in that order, for the top and for the lowest alike.
    """
    members = sum(row["member_count"] for row in sections)
    if not members:
        return f"No members to report on over the last {WINDOW_DAYS} days."
    days = sum(row["total_practice_days_7d"] for row in sections)
    average = f"Team average: {_days(days / members)} days per member."
    per_member = {
        row["section"]: row["total_practice_days_7d"] / row["member_count"] for row in sections
    }
    top = max(per_member, key=lambda name: per_member[name])  # first maximum in order
    low = min(per_member, key=lambda name: per_member[name])  # first minimum in order
    if len(sections) == 1:
        return (
            f"{top} averages {_days(per_member[top])} practice days per member over the last "
            f"{WINDOW_DAYS} days. {average}"
        )
    if per_member[top] == per_member[low]:
        return (
            f"All {len(sections)} sections average {_days(per_member[top])} practice days per member "
            f"over the last {WINDOW_DAYS} days. {average}"
        )
    return (
        f"{top} leads with {_days(per_member[top])} practice days per member over the last "
        f"{WINDOW_DAYS} days; {low} is lowest with {_days(per_member[low])}. {average}"
    )


def compliance_insights_get(*, team: Team, membership: Membership) -> dict[str, Any]:
    window = Window.last_days(team.today(), team.tzinfo)
    sections = scoped_section_practice_rows(membership, window)
    return {
        "sections": sections,
        "summary": compliance_summary(sections),
        "summary_source": "fallback",
        "window_days": WINDOW_DAYS,
    }
