"""Fix outcomes for leaders (api.md → "Catch-up and outcomes"): per team, section and song,
how many fixes were opened, verified and reopened in a window, how long verification took,
what is still open, what the stale-claim job released and how much practice went into fixes.

Scope is the leader dashboard's (``common.leader_ticket_scope_q`` for TEAM/SECTION tickets,
``common.private_aggregate_scope_q`` for PRIVATE ones). PRIVATE tickets only ever count in
groups: per (section, song_ref) cell, the finest grouping of the leader dashboard's PRIVATE
aggregates, a figure counts its PRIVATE tickets only when PRIVATE_GROUP_MIN or more of them are
behind it; team, section and song rows are sums of whole cells (see ``_Rows``).

Four queries whatever the team's size (five for an ADMIN, who also gets the sections of
members without tickets): tickets grouped by (section, song, visibility); the durations of
the tickets verified in the window; the window's reopen and release activities per ticket;
the window's practice-log links. Medians and p90s are computed from the fetched durations with
the same linear interpolation as PostgreSQL's ``percentile_cont`` (SQLite has none).
"""

from __future__ import annotations

import datetime
import functools
import math
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import groupby
from operator import itemgetter
from typing import Any

from django.db.models import CharField, Count, DurationField, ExpressionWrapper, F, Q, QuerySet
from django.db.models.functions import Cast

from insights.selectors.common import (
    PRIVATE_GROUP_MIN,
    Window,
    leader_ticket_scope_q,
    private_aggregate_scope_q,
)
from insights.selectors.weekly import _q_matches
from practiceops.core import prepared
from practiceops.core.errors import ValidationFailed
from teams.access import is_admin, own_section, scope_member, scope_shape, scope_values
from teams.models import Membership, Team
from tickets.models import (
    Ticket,
    TicketActivity,
    TicketActivityType,
    TicketStatus,
    TicketVisibility,
)
from tickets.selectors import stale_release_q

DEFAULT_DAYS = 28
MAX_DAYS = 366
FROM_AFTER_TO = "from must not be after to"
WINDOW_TOO_LONG = f"The window must not be longer than {MAX_DAYS} days"

COUNT_MEASURES = (
    "opened",
    "verified",
    "reopened",
    "open_now",
    "stale_claims_released",
)
OUTCOME_FIELDS = (
    "opened",
    "verified",
    "reopened",
    "median_hours_to_verify",
    "p90_hours_to_verify",
    "open_now",
    "stale_claims_released",
    "practice_minutes_linked",
)

TEAM_KEY = ("team", None)


def outcome_window(
    team: Team, date_from: datetime.date | None, date_to: datetime.date | None, today: datetime.date
) -> Window:
    """The window of whole days (team timezone): the 28 days ending today unless given."""
    if date_to is None:
        date_to = today
    if date_from is None:
        date_from = date_to - datetime.timedelta(days=DEFAULT_DAYS - 1)
    if date_from > date_to:
        raise ValidationFailed(FROM_AFTER_TO, field="from")
    if (date_to - date_from).days + 1 > MAX_DAYS:
        raise ValidationFailed(WINDOW_TOO_LONG, field="to")
    return Window.of_days(date_from, date_to, team.tzinfo)


def percentile(values: list[float], fraction: float) -> float | None:
    """``percentile_cont(fraction)``: linear interpolation between the closest ranks."""
    if not values:
        return None
    ordered = sorted(values)
    position = fraction * (len(ordered) - 1)
    lower = math.floor(position)
    upper = math.ceil(position)
    value = ordered[lower] + (ordered[upper] - ordered[lower]) * (position - lower)
    return round(value, 2)


@dataclass
class _Figures:
    """Figures of one output row, or the PRIVATE contributions of one (section, song) cell."""

    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNT_MEASURES, 0))
    # Distinct tickets behind each count: what the PRIVATE group threshold is about.
    tickets: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNT_MEASURES, 0))
    hours: list[float] = field(default_factory=list)
    logs: dict[Any, int] = field(default_factory=dict)  # log id -> minutes (once per row)
    linked_tickets: set[Any] = field(default_factory=set)

    def outcome(self) -> dict[str, Any]:
        return {
            "opened": self.counts["opened"],
            "verified": self.counts["verified"],
            "reopened": self.counts["reopened"],
            "median_hours_to_verify": percentile(self.hours, 0.5),
            "p90_hours_to_verify": percentile(self.hours, 0.9),
            "open_now": self.counts["open_now"],
            "stale_claims_released": self.counts["stale_claims_released"],
            "practice_minutes_linked": sum(self.logs.values()),
        }


def _keys_of(section: str | None, song_ref: str | None) -> list[tuple[str, Any]]:
    keys = [TEAM_KEY, ("section", section or None)]
    if song_ref:
        keys.append(("song", song_ref))
    return keys


class _Rows:
    """Every fetched row adds to one cell: (PRIVATE or not, section, song_ref), the leader
    dashboard's finest grouping. A TEAM/SECTION cell then adds to the team, section and song
    rows whole; a PRIVATE cell's figure joins them only when PRIVATE_GROUP_MIN tickets or more
    are behind it. Every row is then a sum of whole cells, so no difference between two rows
    isolates a small group."""

    def __init__(self) -> None:
        self.cells: dict[tuple[bool, Any, Any], _Figures] = {}

    def cell(self, section: str | None, song_ref: str | None, visibility: str) -> _Figures:
        key = (visibility == TicketVisibility.PRIVATE, section or None, song_ref or None)
        figures = self.cells.get(key)
        if figures is None:
            figures = self.cells[key] = _Figures()
        return figures

    def add(
        self, section: Any, song_ref: Any, visibility: str, measure: str, value: int, tickets: int
    ) -> None:
        target = self.cell(section, song_ref, visibility)
        target.counts[measure] += value
        target.tickets[measure] += tickets

    def outcomes(self) -> dict[tuple[str, Any], dict[str, Any]]:
        rows: dict[tuple[str, Any], _Figures] = defaultdict(_Figures)
        for (private, section, song_ref), cell in self.cells.items():
            targets = [rows[key] for key in _keys_of(section, song_ref)]
            counted = [
                measure
                for measure in COUNT_MEASURES
                if not private or cell.tickets[measure] >= PRIVATE_GROUP_MIN
            ]
            with_hours = cell.hours and (not private or len(cell.hours) >= PRIVATE_GROUP_MIN)
            with_logs = cell.logs and (not private or len(cell.linked_tickets) >= PRIVATE_GROUP_MIN)
            for row in targets:
                for measure in counted:
                    row.counts[measure] += cell.counts[measure]
                if with_hours:
                    row.hours.extend(cell.hours)
                if with_logs:
                    # A log linked to tickets of several cells of one row counts once in it.
                    row.logs.update(cell.logs)
        return {key: row.outcome() for key, row in rows.items()}


def _prefixed(q: Q, prefix: str) -> Q:
    """``q`` with every lookup taken through the relation ``prefix`` (``"ticket__"``)."""
    clone = Q()
    clone.connector = q.connector
    clone.negated = q.negated
    clone.children = [
        _prefixed(child, prefix) if isinstance(child, Q) else (prefix + child[0], child[1])
        for child in q.children
    ]
    return clone


def scope_q(membership: Membership) -> Q:
    """Every ticket the caller's outcomes consider (PRIVATE ones only for grouped counts)."""
    return leader_ticket_scope_q(membership) | private_aggregate_scope_q(membership)


@dataclass
class _Fetched:
    """The four result sets of one window; every row starts with
    (team_id, visibility, section, song_ref) so a batch can be split by reader afterwards."""

    counts: list[tuple] = field(default_factory=list)  # ..., opened, verified, open_now
    # ..., verified_at - created_at: instants, not wall-clock times (a DST change in between
    # does not add or lose an hour).
    durations: list[tuple] = field(default_factory=list)
    activities: list[tuple] = field(default_factory=list)  # ..., reopened, released
    links: list[tuple] = field(default_factory=list)  # ..., log id, minutes, ticket id


FETCHED = ("counts", "durations", "activities", "links")


def _querysets(tickets_q: Q, start: datetime.datetime, end: datetime.datetime) -> list[QuerySet]:
    """The four queries (in ``FETCHED`` order) over the tickets matching ``tickets_q`` (a
    leader's scope, or whole teams for a digest batch) and the window [start, end)."""
    window = Window(first_day=None, last_day=None, start=start, end=end)  # type: ignore[arg-type]
    head = ("team_id", "visibility", "section", "song_ref")
    counts = (
        Ticket.objects.filter(tickets_q)
        .values(*head)
        .annotate(
            opened=Count("id", filter=window.q("created_at")),
            verified=Count("id", filter=window.q("verified_at")),
            open_now=Count("id", filter=~Q(status=TicketStatus.VERIFIED) & Q(created_at__lt=end)),
        )
        .order_by()
        .values_list(*head, "opened", "verified", "open_now")
    )
    durations = (
        Ticket.objects.filter(tickets_q)
        .filter(window.q("verified_at"), created_at__isnull=False)
        .annotate(
            took=ExpressionWrapper(F("verified_at") - F("created_at"), output_field=DurationField())
        )
        .order_by(*head)
        .values_list(*head, "took")
    )
    through_tickets_q = _prefixed(tickets_q, "ticket__")
    ticket_head = tuple(f"ticket__{name}" for name in head)
    activities = (
        TicketActivity.objects.filter(
            window.q("created_at"), reopen_q() | stale_release_q(), through_tickets_q
        )
        .values("ticket_id", *ticket_head)
        .annotate(
            reopened=Count("id", filter=reopen_q()),
            released=Count("id", filter=stale_release_q()),
        )
        .order_by()
        .values_list(*ticket_head, "reopened", "released")
    )
    # The log and ticket ids only ever serve as keys: as text, not one UUID object each.
    links = (
        Ticket.practice_logs.through.objects.filter(
            window.q("practicelog__occurred_at"), through_tickets_q
        )
        .annotate(
            log_key=Cast("practicelog_id", CharField()),
            ticket_key=Cast("ticket_id", CharField()),
        )
        .order_by(*ticket_head)
        .values_list(*ticket_head, "log_key", "practicelog__duration_minutes", "ticket_key")
    )
    return [counts, durations, activities, links]


def _fetched(results: list[list[tuple]]) -> _Fetched:
    counts, durations, activities, links = results
    return _Fetched(counts=counts, durations=durations, activities=activities, links=links)


def _fetch(tickets_q: Q, window: Window) -> _Fetched:
    """Four queries over the tickets matching ``tickets_q``."""
    return _fetched([list(qs) for qs in _querysets(tickets_q, window.start, window.end)])


def _scoped_qs(
    shape: tuple[str, bool],
    index: int,
    *,
    start: datetime.datetime,
    end: datetime.datetime,
    **scope: Any,
) -> QuerySet:
    return _querysets(scope_q(scope_member(shape, **scope)), start, end)[index]


def _fetch_scoped(membership: Membership, window: Window) -> _Fetched:
    """``_fetch`` over a leader's scope (``scope_q``), through queries compiled once per scope
    shape (practiceops.core.prepared)."""
    shape = scope_shape(membership)
    values = scope_values(membership)
    return _fetched(
        [
            prepared.run(
                (__name__, name, shape),
                functools.partial(_scoped_qs, shape, index),
                **values,
                start=window.start,
                end=window.end,
            )
            for index, name in enumerate(FETCHED)
        ]
    )


# (visibility, section, song_ref): what a cell is keyed by. Grouping is right in any order;
# the order only makes the runs long.
_HEAD = itemgetter(1, 2, 3)
_LOG, _MINUTES, _TICKET = itemgetter(4), itemgetter(5), itemgetter(6)


def _accumulate(fetched: _Fetched, keep: Callable[[tuple], bool] | None = None) -> _Rows:
    """The cells' figures from fetched result sets, keeping only the rows ``keep`` accepts."""
    acc = _Rows()

    def kept(rows: list[tuple]) -> list[tuple]:
        return rows if keep is None else [row for row in rows if keep(row)]

    for _, visibility, section, song_ref, opened, verified, open_now in kept(fetched.counts):
        figures = acc.cell(section, song_ref, visibility)
        counts, tickets = figures.counts, figures.tickets
        counts["opened"] += opened
        counts["verified"] += verified
        counts["open_now"] += open_now
        tickets["opened"] += opened
        tickets["verified"] += verified
        tickets["open_now"] += open_now
    # Durations and links come ordered by their head: one cell lookup per run of equal heads.
    for head, run in groupby(kept(fetched.durations), key=_HEAD):
        acc.cell(head[1], head[2], head[0]).hours.extend(
            took.total_seconds() / 3600 for *_, took in run
        )
    for _, visibility, section, song_ref, reopened, released in kept(fetched.activities):
        # One row per ticket: each counts as one ticket behind its events.
        for name, value in (("reopened", reopened), ("stale_claims_released", released)):
            if value:
                acc.add(section, song_ref, visibility, name, value, 1)
    for head, run in groupby(kept(fetched.links), key=_HEAD):
        target = acc.cell(head[1], head[2], head[0])
        rows = list(run)
        # A log linked to several tickets of one cell counts once in it.
        target.logs.update(zip(map(_LOG, rows), map(_MINUTES, rows), strict=True))
        target.linked_tickets.update(map(_TICKET, rows))
    return acc


def reopen_q(*, prefix: str = "") -> Q:
    """A /reopen move: the only way from RESOLVED back to IN_PROGRESS (the state machine)."""
    return Q(
        **{
            f"{prefix}type": TicketActivityType.STATUS_CHANGE,
            f"{prefix}old_status": TicketStatus.RESOLVED,
            f"{prefix}new_status": TicketStatus.IN_PROGRESS,
        }
    )


def _has_figures(outcome: dict[str, Any]) -> bool:
    return any(outcome[name] for name in OUTCOME_FIELDS)


def _member_sections_qs(*, team_id: Any) -> QuerySet:
    return (
        Membership.objects.filter(team_id=team_id, section__isnull=False)
        .exclude(section="")
        .values_list("section")
        .distinct()
    )


def outcomes_get(
    *,
    team: Team,
    membership: Membership,
    date_from: datetime.date | None,
    date_to: datetime.date | None,
    today: datetime.date | None = None,
) -> dict[str, Any]:
    """The outcomes of api.md for a leader's ``membership`` over whole days of the team's
    timezone (default: the 28 days ending today). A fixed number of queries."""
    today = today or team.today()
    window = outcome_window(team, date_from, date_to, today)
    outcomes = _accumulate(_fetch_scoped(membership, window)).outcomes()
    empty = _Figures().outcome()
    if is_admin(membership):
        member_sections = {
            section
            for (section,) in prepared.run(
                (__name__, "member_sections"), _member_sections_qs, team_id=team.pk
            )
        }
        named = member_sections | {
            key[1] for key in outcomes if key[0] == "section" and key[1] is not None
        }
        sections: list[str | None] = sorted(named)
        # Tickets without a section get a row of their own, last, when there are any.
        if ("section", None) in outcomes and _has_figures(outcomes[("section", None)]):
            sections.append(None)
    else:
        section = own_section(membership)
        sections = [section] if section else []
    songs = sorted(
        key[1] for key, outcome in outcomes.items() if key[0] == "song" and _has_figures(outcome)
    )
    return {
        "from": window.first_day,
        "to": window.last_day,
        "team": outcomes.get(TEAM_KEY, empty),
        "sections": [
            {"section": section, **outcomes.get(("section", section), empty)}
            for section in sections
        ],
        "songs": [{"song_ref": song, **outcomes[("song", song)]} for song in songs],
    }


def _in_scope_of(leader: Membership) -> Callable[[tuple], bool]:
    """Whether a fetched row (team_id, visibility, section, ...) is in the leader's scope:
    ``scope_q`` itself, evaluated on a stand-in ticket (memoized per distinct head)."""
    scope = scope_q(leader)
    matches: dict[tuple, bool] = {}

    def keep(row: tuple) -> bool:
        key = row[:3]
        if key not in matches:
            team_id, visibility, section = key
            stand_in = Ticket(team_id=team_id, visibility=visibility, section=section)
            matches[key] = team_id == leader.team_id and _q_matches(scope, stand_in)
        return matches[key]

    return keep


def leader_week_outcomes(
    leaders: Sequence[Membership], *, now: datetime.datetime
) -> dict[Any, dict[str, dict[str, Any]]]:
    """Per leader membership id: ``{"this_week", "week_before"}`` outcomes of their section (a
    SECTION_LEADER) or of the team (an ADMIN), over the last 7 days and the 7 before them.

    For the weekly leader digest: ``leaders`` must have ``team`` loaded. Eight queries per
    distinct team timezone in the batch (two windows of four), never one per leader or team;
    each leader's share is picked from the batch's rows with the same scope rule as the
    endpoint (``scope_q``) evaluated on each row.
    """
    result: dict[Any, dict[str, dict[str, Any]]] = {}
    by_zone: dict[str, list[Membership]] = defaultdict(list)
    for leader in leaders:
        by_zone[leader.team.tzinfo.key].append(leader)
    for group in by_zone.values():
        tz = group[0].team.tzinfo
        today = now.astimezone(tz).date()
        team_ids = Q(team_id__in={leader.team_id for leader in group})
        windows = {
            "this_week": Window.last_days(today, tz, 7),
            "week_before": Window.last_days(today - datetime.timedelta(days=7), tz, 7),
        }
        fetched = {name: _fetch(team_ids, window) for name, window in windows.items()}
        for leader in group:
            keep = _in_scope_of(leader)
            section = own_section(leader)
            row_key = TEAM_KEY if is_admin(leader) else ("section", section)
            result[leader.id] = {}
            for name, rows in fetched.items():
                outcomes = _accumulate(rows, keep).outcomes()
                result[leader.id][name] = outcomes.get(row_key, _Figures().outcome())
    return result
