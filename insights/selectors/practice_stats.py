"""Practice figures per member and per section, aggregated in the database.

Shared by the leader dashboard, compliance insights and the weekly digests, so a digest
reports exactly what the dashboard shows.
"""

from __future__ import annotations

from typing import Any

from django.db.models import (
    Count,
    F,
    IntegerField,
    OuterRef,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce, TruncDate

from insights.selectors.common import UNASSIGNED_SECTION, Window
from practice.models import PracticeLog
from teams.models import Membership


def member_practice_figures(
    members: QuerySet[Membership], window: Window, tz: Any
) -> list[dict[str, Any]]:
    """One row per membership: days practised and minutes in ``window``, last log ever.

    ``members`` may span several teams sharing ``tz``: logs count only in the membership's
    own team. Ordered by section (none last), name, user id. Two queries, whatever the size.

    The window's figures are grouped per (team, user) straight from the covering index on
    (team, occurred_at) — an index-only scan of the window's logs, never the members' whole
    history — and matched to the members in Python; the last log ever is a correlated
    subquery that reads one row of the team/user/time index per member.
    """
    latest = (
        PracticeLog.objects.filter(team_id=OuterRef("team_id"), user_id=OuterRef("user_id"))
        .order_by("-occurred_at")
        .values("occurred_at")[:1]
    )
    rows = list(
        members.annotate(last_logged_at=Subquery(latest))
        .order_by(F("section").asc(nulls_last=True), "user__display_name", "user_id")
        .values(
            "id",
            "team_id",
            "user_id",
            "role",
            "section",
            "user__display_name",
            "user__email",
            "last_logged_at",
        )
    )
    if not rows:
        return rows
    in_window = (
        PracticeLog.objects.filter(
            window.q("occurred_at"),
            team_id__in={row["team_id"] for row in rows},
            user_id__in=members.values("user_id"),
        )
        .values("team_id", "user_id")
        .annotate(
            days=Count(TruncDate("occurred_at", tzinfo=tz), distinct=True),
            minutes=Sum("duration_minutes"),
        )
        .order_by()
        .values_list("team_id", "user_id", "days", "minutes")
    )
    figures = {(team_id, user_id): (days, minutes) for team_id, user_id, days, minutes in in_window}
    for row in rows:
        row["days_logged"], row["minutes"] = figures.get((row["team_id"], row["user_id"]), (0, 0))
    return rows


def member_practice_rows(
    members: QuerySet[Membership], window: Window, tz: Any
) -> list[dict[str, Any]]:
    """The dashboard's ``practice_days_by_member`` items for ``members``."""
    return [
        {
            "member_id": row["user_id"],
            "name": row["user__display_name"],
            "section": row["section"],
            "days_logged_7d": row["days_logged"],
            "minutes_7d": row["minutes"],
            "last_logged_at": row["last_logged_at"],
        }
        for row in member_practice_figures(members, window, tz)
    ]


def section_practice_rows(
    members: QuerySet[Membership], window: Window, tz: Any
) -> list[dict[str, Any]]:
    """Per section of ``members`` ("Unassigned" when none): member count and practice days.

    Each member's distinct practice days come from a correlated subquery, summed per section
    in the same statement: one query, whatever the number of members or logs.
    """
    days = (
        PracticeLog.objects.filter(team_id=OuterRef("team_id"), user_id=OuterRef("user_id"))
        .filter(window.q("occurred_at"))
        .annotate(day=TruncDate("occurred_at", tzinfo=tz))
        .values("user_id")
        .annotate(n=Count("day", distinct=True))
        .values("n")
    )
    rows = (
        members.annotate(days=Coalesce(Subquery(days, output_field=IntegerField()), 0))
        .values("section")
        .annotate(member_count=Count("id"), total_days=Sum("days"))
        .order_by()
    )
    merged: dict[str, dict[str, int]] = {}
    for row in rows:
        # NULL and "" both mean no section; they merge into one "Unassigned" row.
        label = row["section"] or UNASSIGNED_SECTION
        entry = merged.setdefault(label, {"member_count": 0, "total_days": 0})
        entry["member_count"] += row["member_count"]
        entry["total_days"] += row["total_days"] or 0
    labels = sorted(label for label in merged if label != UNASSIGNED_SECTION)
    if UNASSIGNED_SECTION in merged:
        labels.append(UNASSIGNED_SECTION)
    return [
        {
            "section": label,
            "member_count": merged[label]["member_count"],
            "total_practice_days_7d": merged[label]["total_days"],
            "avg_practice_days_7d": round(
                merged[label]["total_days"] / merged[label]["member_count"], 2
            ),
        }
        for label in labels
    ]
