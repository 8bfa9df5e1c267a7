"""Practice figures per member and per section, aggregated in the database.

Shared by the leader dashboard, compliance insights and the weekly digests, so a digest
reports exactly what the dashboard shows.
"""

from __future__ import annotations

import datetime
import functools
from typing import Any

from django.db.models import (
    Count,
    F,
    FilteredRelation,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce

from insights.selectors.common import (
    UNASSIGNED_SECTION,
    Window,
    scoped_members_q,
)
from practice.models import PracticeDay, PracticeLog
from practiceops.core import prepared
from teams.access import scope_member, scope_shape, scope_values
from teams.models import Membership


def member_practice_qs(members: QuerySet[Membership], window: Window, tz: Any) -> QuerySet:
    """One row per membership: days practised and minutes in ``window``, last log ever.

    ``members`` may span several teams sharing ``tz`` (the timezone ``window`` was drawn in):
    practice counts only in the membership's own team. Ordered by section (none last), name,
    user id.

    The window's figures come from the practice rollups (one row per member per local day,
    practice/rollups.py), joined restricted to the window's days (a FilteredRelation, so the
    join reads the window from the rollups' (team, user, day) key, not a member's history);
    the last log ever is a correlated subquery that reads one row of the logs' team/user/time
    index per member.
    """
    in_window = Q(
        user__practice_days__team_id=F("team_id"),
        user__practice_days__day__gte=window.first_day,
        user__practice_days__day__lte=window.last_day,
    )
    latest = (
        PracticeLog.objects.filter(team_id=OuterRef("team_id"), user_id=OuterRef("user_id"))
        .order_by("-occurred_at")
        .values("occurred_at")[:1]
    )
    return (
        members.annotate(window_days=FilteredRelation("user__practice_days", condition=in_window))
        .annotate(
            # One rollup row per day practised.
            days_logged=Count("window_days"),
            minutes=Coalesce(Sum("window_days__minutes"), 0),
            last_logged_at=Subquery(latest),
        )
        .order_by(F("section").asc(nulls_last=True), "user__display_name", "user_id")
        .values(
            "id",
            "team_id",
            "user_id",
            "role",
            "section",
            "user__display_name",
            "user__email",
            "days_logged",
            "minutes",
            "last_logged_at",
        )
    )


MEMBER_PRACTICE_COLUMNS = (
    "user_id",
    "user__display_name",
    "section",
    "days_logged",
    "minutes",
    "last_logged_at",
)


def _member_practice_items(rows: Any) -> list[dict[str, Any]]:
    return [
        {
            "member_id": user_id,
            "name": name,
            "section": section,
            "days_logged_7d": days,
            "minutes_7d": minutes,
            "last_logged_at": last,
        }
        for user_id, name, section, days, minutes, last in rows
    ]


def _scoped_member_practice_qs(
    shape: tuple[str, bool],
    *,
    first_day: datetime.date,
    last_day: datetime.date,
    **scope: Any,
) -> QuerySet:
    members = Membership.objects.filter(scoped_members_q(scope_member(shape, **scope)))
    window = Window(first_day=first_day, last_day=last_day, start=None, end=None)  # type: ignore[arg-type]
    return member_practice_qs(members, window, None).values_list(*MEMBER_PRACTICE_COLUMNS)


def scoped_member_practice_rows(membership: Membership, window: Window) -> list[dict[str, Any]]:
    """The dashboard's ``practice_days_by_member`` items for the members a leader looks after
    (``scoped_members_q``), through a query compiled once per scope shape (practiceops.core.prepared)."""
    shape = scope_shape(membership)
    rows = prepared.run(
        (__name__, "scoped_member_practice", shape),
        functools.partial(_scoped_member_practice_qs, shape),
        **scope_values(membership),
        first_day=window.first_day,
        last_day=window.last_day,
    )
    return _member_practice_items(rows)


def _section_days_qs(
    members: QuerySet[Membership], first_day: datetime.date, last_day: datetime.date
) -> QuerySet:
    days = (
        PracticeDay.objects.filter(
            team_id=OuterRef("team_id"),
            user_id=OuterRef("user_id"),
            day__gte=first_day,
            day__lte=last_day,
        )
        .values("user_id")
        .annotate(n=Count("id"))
        .values("n")
    )
    return (
        members.annotate(days=Coalesce(Subquery(days, output_field=IntegerField()), 0))
        .values("section")
        .annotate(member_count=Count("id"), total_days=Sum("days"))
        .order_by()
        .values_list("section", "member_count", "total_days")
    )


def _scoped_section_days_qs(
    shape: tuple[str, bool],
    *,
    first_day: datetime.date,
    last_day: datetime.date,
    **scope: Any,
) -> QuerySet:
    members = Membership.objects.filter(scoped_members_q(scope_member(shape, **scope)))
    return _section_days_qs(members, first_day, last_day)


def scoped_section_practice_rows(membership: Membership, window: Window) -> list[dict[str, Any]]:
    """Per section of the members a leader looks after ("Unassigned" when none): member count
    and practice days in ``window``.

    Each member's practice days in the window (their rollup rows) come from a correlated
    subquery, summed per section in the same statement: one query, whatever the number of
    members or logs. Compiled once per scope shape (practiceops.core.prepared).
    """
    shape = scope_shape(membership)
    rows = prepared.run(
        (__name__, "scoped_section_days", shape),
        functools.partial(_scoped_section_days_qs, shape),
        **scope_values(membership),
        first_day=window.first_day,
        last_day=window.last_day,
    )
    return _section_items(rows)


def _section_items(rows: Any) -> list[dict[str, Any]]:
    merged: dict[str, dict[str, int]] = {}
    for section, member_count, total_days in rows:
        # NULL and "" both mean no section; they merge into one "Unassigned" row.
        label = section or UNASSIGNED_SECTION
        entry = merged.setdefault(label, {"member_count": 0, "total_days": 0})
        entry["member_count"] += member_count
        entry["total_days"] += total_days or 0
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
