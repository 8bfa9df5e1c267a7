"""The staff "Team overview": a team's practice and ticket numbers per section, for operators.

Unlike the leader dashboard this is not read on a member's behalf: staff see the whole team,
PRIVATE tickets included, but only as counts. Four queries whatever the team's size.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, DurationField, ExpressionWrapper, F, OuterRef, Q, Subquery, Sum
from django.utils import timezone

from insights.selectors.common import UNASSIGNED_SECTION, Window
from insights.selectors.outcomes import DEFAULT_DAYS as VERIFY_WINDOW_DAYS
from insights.selectors.outcomes import percentile
from practice.models import PracticeDay
from teams.models import Membership, Team
from tickets.models import Ticket, TicketStatus

OVERVIEW_WEEKS = 8

# The three bars of the ticket chart: what is still to do, what is stuck, what is done.
TICKET_GROUPS: dict[str, tuple[str, ...]] = {
    "open": (TicketStatus.OPEN, TicketStatus.IN_PROGRESS),
    "blocked": (TicketStatus.BLOCKED,),
    "resolved": (TicketStatus.RESOLVED, TicketStatus.VERIFIED),
}


@dataclass(frozen=True)
class TeamOverview:
    team: Team
    # Mondays of the last OVERVIEW_WEEKS Monday-to-Sunday weeks in the team's timezone, oldest
    # first; the last one is the current (partial) week.
    weeks: list[datetime.date]
    sections: list[str]
    # section -> minutes per week, aligned with ``weeks``.
    minutes: dict[str, list[int]]
    # [{"section", "open", "blocked", "resolved"}] in ``sections`` order.
    tickets: list[dict[str, object]]
    # [{"section", "verified", "median_hours", "p90_hours"}] in ``sections`` order: tickets
    # verified in the last VERIFY_WINDOW_DAYS days (team timezone), created -> verified.
    verify_hours: list[dict[str, object]]


def _ordered(sections: set[str]) -> list[str]:
    """Named sections alphabetically, "Unassigned" last: the dashboards' order."""
    named = sorted(section for section in sections if section != UNASSIGNED_SECTION)
    return [*named, UNASSIGNED_SECTION] if UNASSIGNED_SECTION in sections else named


def team_overview_get(team: Team, *, now: datetime.datetime | None = None) -> TeamOverview:
    """Practice minutes per section per week (last 8 weeks) and ticket counts per section.

    A log counts toward its author's current section in the team; logs of people with no
    section, or no longer in the team, count as "Unassigned", as do tickets with no section.
    """
    now = now or timezone.now()
    tz = team.tzinfo
    today = now.astimezone(tz).date()
    this_monday = Window.week_of(today, tz).first_day
    weeks = [
        this_monday - datetime.timedelta(weeks=back) for back in range(OVERVIEW_WEEKS - 1, -1, -1)
    ]
    window = Window.of_days(weeks[0], this_monday + datetime.timedelta(days=6), tz)

    sections = {
        section or UNASSIGNED_SECTION
        for section in Membership.objects.filter(team=team)
        .values_list("section", flat=True)
        .distinct()
    }

    author_section = Membership.objects.filter(
        team_id=OuterRef("team_id"), user_id=OuterRef("user_id")
    ).values("section")[:1]
    minutes: dict[str, list[int]] = defaultdict(lambda: [0] * OVERVIEW_WEEKS)
    # From the practice rollups (per member per local day), not the logs.
    rows = (
        PracticeDay.objects.filter(team=team, day__gte=window.first_day, day__lte=window.last_day)
        .annotate(section=Subquery(author_section))
        .values("section", "day")
        .annotate(minutes=Sum("minutes"))
        .order_by()
    )
    for row in rows:
        section = row["section"] or UNASSIGNED_SECTION
        week = (row["day"] - weeks[0]).days // 7
        minutes[section][week] += row["minutes"] or 0
        sections.add(section)

    counts = {
        row["section"] or UNASSIGNED_SECTION: row
        for row in Ticket.objects.filter(team=team)
        .values("section")
        .annotate(
            **{
                name: Count("id", filter=Q(status__in=statuses))
                for name, statuses in TICKET_GROUPS.items()
            }
        )
        .order_by()
    }
    # NULL and "" sections would both map to "Unassigned"; the database stores only NULL.
    sections.update(counts)

    # The outcomes endpoint's "hours to verify", per section over its default window.
    verify_window = Window.last_days(today, tz, VERIFY_WINDOW_DAYS)
    hours: dict[str, list[float]] = defaultdict(list)
    for section, took in (
        Ticket.objects.filter(verify_window.q("verified_at"), team=team)
        .annotate(
            took=ExpressionWrapper(F("verified_at") - F("created_at"), output_field=DurationField())
        )
        .values_list("section", "took")
    ):
        hours[section or UNASSIGNED_SECTION].append(took.total_seconds() / 3600)
    sections.update(hours)

    ordered = _ordered(sections)
    return TeamOverview(
        team=team,
        weeks=weeks,
        sections=ordered,
        minutes={section: list(minutes[section]) for section in ordered},
        tickets=[
            {
                "section": section,
                **{
                    name: counts[section][name] if section in counts else 0
                    for name in TICKET_GROUPS
                },
            }
            for section in ordered
        ],
        verify_hours=[
            {
                "section": section,
                "verified": len(hours[section]),
                "median_hours": percentile(hours[section], 0.5),
                "p90_hours": percentile(hours[section], 0.9),
            }
            for section in ordered
        ],
    )
