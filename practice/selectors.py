"""Reads on a member's behalf: assignments and practice logs, visibility applied here once."""

from __future__ import annotations

import datetime
import functools
import uuid
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery

from practice import links
from practice.models import Assignment, PracticeLog, priority_rank
from practice.visibility import assignment_scope_q, visible_assignments_q
from practiceops.core import prepared
from practiceops.core.errors import Forbidden, NotFound
from practiceops.core.pagination import null_flag
from practiceops.core.params import parse_uuid
from teams.access import (
    LEADER_REQUIRED,
    cycle_and_membership,
    is_admin,
    is_leader,
    own_section,
    require_role,
    scope_member,
    scope_shape,
    scope_values,
)
from teams.models import Membership, RehearsalCycle, Role, Team

OWN_SECTION_ONLY = "Section leaders can only view their own section"

ASSIGNMENT_ORDERING = ("priority_rank", "due_at_null", "due_at", "-created_at", "id")
PRACTICE_LOG_ORDERING = ("-occurred_at", "-id")


def cycle_get_for_user(
    user: Any, cycle_id: Any, *, role: str = Role.MEMBER
) -> tuple[RehearsalCycle, Membership]:
    """The cycle (404 when unknown) and the caller's membership in its team (403 otherwise)."""
    return cycle_and_membership(user, cycle_id, role=role)


# --- Assignments -------------------------------------------------------------------------------


def assignment_list_for_user(
    membership: Membership,
    *,
    cycle: RehearsalCycle,
    scope: str | None = None,
    section: str | None = None,
    priority: str | None = None,
    type: str | None = None,  # noqa: A002 - the API's name for the filter
    song_ref: str | None = None,
) -> QuerySet[Assignment]:
    """Visible assignments of ``cycle``, annotated for ``ASSIGNMENT_ORDERING``."""
    filters: dict[str, Any] = {}
    for name, value in (
        ("scope", scope),
        ("section", section),
        ("priority", priority),
        ("type", type),
        ("song_ref", song_ref),
    ):
        if value is not None:
            filters[name] = value
    return (
        Assignment.objects.filter(visible_assignments_q(membership), cycle_id=cycle.pk, **filters)
        .annotate(priority_rank=priority_rank(), due_at_null=null_flag("due_at"))
        .order_by(*ASSIGNMENT_ORDERING)
    )


def assignment_get_for_user(user: Any, assignment_id: Any) -> tuple[Assignment, Membership]:
    """The assignment if the caller may see it: 404 unknown (or hidden), 403 another team's."""
    pk = parse_uuid(assignment_id, field="assignment_id")
    assignment = Assignment.objects.select_related("cycle__team").filter(pk=pk).first()
    if assignment is None:
        raise NotFound("Assignment not found")
    membership = require_role(user, assignment.cycle.team, Role.MEMBER)
    # An assignment of another section is answered like an unknown one: it is not theirs to see.
    if not Assignment.objects.filter(visible_assignments_q(membership), pk=pk).exists():
        raise NotFound("Assignment not found")
    return assignment, membership


# --- Practice logs -----------------------------------------------------------------------------


@dataclass(frozen=True)
class LogScope:
    """Whose logs a request reads: the caller's own, one section's, or the whole team's."""

    user_id: uuid.UUID | None = None
    section: str | None = None


def practice_log_scope(membership: Membership, *, me: bool, section: str | None) -> LogScope:
    """Who may list whose logs (domain.md): members only their own; leaders by section.

    ``section`` only narrows a ``me=false`` listing; the caller's own logs are not split by it.
    """
    if me:
        return LogScope(user_id=membership.user_id)
    if not is_leader(membership):
        raise Forbidden(LEADER_REQUIRED)
    if is_admin(membership):
        return LogScope(section=section)
    mine = own_section(membership)
    if mine is None or (section is not None and section != mine):
        raise Forbidden(OWN_SECTION_ONLY)
    return LogScope(section=mine)


def export_scope(membership: Membership, *, section: str | None) -> LogScope:
    """The CSV export: leaders only, a section leader for their own section."""
    if not is_leader(membership):
        raise Forbidden(LEADER_REQUIRED)
    return practice_log_scope(membership, me=False, section=section)


def _member_of_section(team_id: Any, section: str) -> Exists:
    # A log belongs to the section its author is in now (logs carry no section of their own).
    return Exists(
        Membership.objects.filter(team_id=team_id, user_id=OuterRef("user_id"), section=section)
    )


def _date_bounds(
    team: Team, date_from: datetime.date | None, date_to: datetime.date | None
) -> dict[str, datetime.datetime]:
    """``from``/``to`` are whole days in the team's timezone, both inclusive: the instants
    [start, end) they span, each only when given."""
    bounds = {}
    tz = team.tzinfo
    if date_from is not None:
        bounds["start"] = datetime.datetime.combine(date_from, datetime.time.min, tzinfo=tz)
    if date_to is not None:
        bounds["end"] = datetime.datetime.combine(
            date_to + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz
        )
    return bounds


def _logs_of(
    *,
    team_id: Any,
    cycle_id: Any = None,
    user_id: Any = None,
    section: str | None = None,
    start: datetime.datetime | None = None,
    end: datetime.datetime | None = None,
) -> QuerySet[PracticeLog]:
    # A cycle's logs are all of its team: filtering on both would only make PostgreSQL
    # multiply two selectivities, expect a handful of rows and skip the (cycle, time) index.
    if cycle_id is not None:
        logs = PracticeLog.objects.filter(cycle_id=cycle_id)
    else:
        logs = PracticeLog.objects.filter(team_id=team_id)
    if user_id is not None:
        logs = logs.filter(user_id=user_id)
    if section is not None:
        logs = logs.filter(_member_of_section(team_id, section))
    window = Q()
    if start is not None:
        window &= Q(occurred_at__gte=start)
    if end is not None:
        window &= Q(occurred_at__lt=end)
    return logs.filter(window)


def _scope_filters(
    team: Team,
    scope: LogScope,
    cycle: RehearsalCycle | None,
    date_from: datetime.date | None,
    date_to: datetime.date | None,
) -> dict[str, Any]:
    """``_logs_of``'s arguments: only those that filter."""
    filters: dict[str, Any] = {"team_id": team.pk, **_date_bounds(team, date_from, date_to)}
    if cycle is not None:
        filters["cycle_id"] = cycle.pk
    if scope.user_id is not None:
        filters["user_id"] = scope.user_id
    if scope.section is not None:
        filters["section"] = scope.section
    return filters


def _scoped_logs(
    team: Team,
    scope: LogScope,
    *,
    cycle: RehearsalCycle | None = None,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
) -> QuerySet[PracticeLog]:
    return _logs_of(**_scope_filters(team, scope, cycle, date_from, date_to))


# The columns of a practice log's JSON; lists read them with values(), not model instances.
PRACTICE_LOG_FIELDS = (
    "id",
    "user_id",
    "team_id",
    "cycle_id",
    "duration_minutes",
    "rating_1_5",
    "blocked_flag",
    "notes",
    "occurred_at",
    "created_at",
)


def practice_log_list_for_user(
    membership: Membership,
    *,
    team: Team,
    scope: LogScope,
    cycle: RehearsalCycle | None = None,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
) -> QuerySet:
    """The logs of ``scope`` as dicts of PRACTICE_LOG_FIELDS; links come from
    ``practice_log_links`` for the page actually served."""
    return (
        _scoped_logs(team, scope, cycle=cycle, date_from=date_from, date_to=date_to)
        .order_by(*PRACTICE_LOG_ORDERING)
        .values(*PRACTICE_LOG_FIELDS)
    )


def _first_page_qs(limit: int, **filters: Any) -> QuerySet:
    return (
        _logs_of(**filters)
        .order_by(*PRACTICE_LOG_ORDERING)
        .values_list(*PRACTICE_LOG_FIELDS)[: limit + 1]
    )


def practice_log_first_page(
    *,
    team: Team,
    scope: LogScope,
    limit: int,
    cycle: RehearsalCycle | None = None,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
) -> list[dict[str, Any]]:
    """The first ``limit + 1`` rows of ``practice_log_list_for_user`` (the extra row tells
    whether there is a next page), through a query compiled once per shape (practiceops.core.prepared):
    which filters apply, and the limit."""
    filters = _scope_filters(team, scope, cycle, date_from, date_to)
    rows = prepared.run(
        (__name__, "first_page", tuple(sorted(filters)), limit),
        functools.partial(_first_page_qs, limit),
        **filters,
    )
    return [dict(zip(PRACTICE_LOG_FIELDS, row, strict=True)) for row in rows]


LogLinks = dict[str, list[dict[str, Any]]]


def _assignment_links_qs(shape: tuple[str, bool], count: int, **values: Any) -> QuerySet:
    viewer = scope_member(shape, *_viewer_values(values))
    log_ids = [values[f"log{i}"] for i in range(count)]
    # From the link table, by the page's few log ids. The logs are of the viewer's team and a
    # log links only assignments of its own cycle (services._resolve_assignments), so only the
    # scope rule applies: joining the team's cycles as well led PostgreSQL to start from them
    # and read every link of every assignment of the team.
    return (
        PracticeLog.assignments.through.objects.filter(
            assignment_scope_q(viewer, prefix="assignment__"), practicelog_id__in=log_ids
        )
        .order_by("assignment__created_at", "assignment_id")
        .values_list("practicelog_id", "assignment_id", "assignment__title", "assignment__type")
    )


def _ticket_links_qs(shape: tuple[str, bool], count: int, **values: Any) -> QuerySet:
    viewer = scope_member(shape, *_viewer_values(values))
    log_ids = [values[f"log{i}"] for i in range(count)]
    ticket_model = PracticeLog._meta.get_field("tickets").related_model
    tickets = ticket_model.objects.filter(team_id=viewer.team_id, practice_logs__in=log_ids)
    rule = links.visible_tickets_q(viewer)
    if rule is not None:
        tickets = tickets.filter(rule)
    return tickets.order_by("created_at", "id").values_list(
        "practice_logs", "id", "title", "status"
    )


def _viewer_values(values: dict[str, Any]) -> tuple[Any, Any, Any]:
    return values["team_id"], values["user_id"], values.get("section")


def practice_log_links(viewer: Membership, log_ids: list[uuid.UUID]) -> dict[uuid.UUID, LogLinks]:
    """Per log id: the linked assignments ``{id, title, type}`` and tickets ``{id, title,
    status}`` that ``viewer`` may see, oldest first. Two queries, whatever the number of logs,
    each compiled once per viewer shape and number of logs (practiceops.core.prepared).

    ``log_ids`` are logs of the viewer's team (every caller lists or reads that team's logs).
    """
    result: dict[uuid.UUID, LogLinks] = {pk: {"assignments": [], "tickets": []} for pk in log_ids}
    if not log_ids:
        return result
    shape = scope_shape(viewer)
    values = {
        **scope_values(viewer),
        **{f"log{i}": pk for i, pk in enumerate(log_ids)},
    }
    count = len(log_ids)
    assignment_links = prepared.run(
        (__name__, "assignment_links", shape, count),
        functools.partial(_assignment_links_qs, shape, count),
        **values,
    )
    for log_id, pk, title, type_ in assignment_links:
        result[log_id]["assignments"].append({"id": pk, "title": title, "type": type_})
    ticket_links = prepared.run(
        (__name__, "ticket_links", shape, count),
        functools.partial(_ticket_links_qs, shape, count),
        **values,
    )
    for log_id, pk, title, status in ticket_links:
        result[log_id]["tickets"].append({"id": pk, "title": title, "status": status})
    return result


def practice_log_get_for_user(user: Any, log_id: Any) -> tuple[PracticeLog, Membership]:
    """The log (404 unknown) and the caller's membership in its team (403 not a member)."""
    pk = parse_uuid(log_id, field="log_id")
    log = PracticeLog.objects.select_related("team").filter(pk=pk).first()
    if log is None:
        raise NotFound("Practice log not found")
    return log, require_role(user, log.team, Role.MEMBER)


def practice_log_row(log: PracticeLog) -> dict[str, Any]:
    """A log instance as the row a list query would give."""
    return {name: getattr(log, name) for name in PRACTICE_LOG_FIELDS}


EXPORT_COLUMNS = (
    "user__display_name",
    "user__email",
    "member_section",
    "occurred_at",
    "created_at",
    "duration_minutes",
    "rating_1_5",
    "blocked_flag",
    "notes",
    "cycle__name",
    "cycle__date",
)


def practice_log_export_rows(
    team: Team,
    scope: LogScope,
    *,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
) -> QuerySet:
    """Flat rows for the CSV export: one query however many rows (values(), no instances)."""
    section = Membership.objects.filter(
        team_id=OuterRef("team_id"), user_id=OuterRef("user_id")
    ).values("section")[:1]
    return (
        _scoped_logs(team, scope, date_from=date_from, date_to=date_to)
        .annotate(member_section=Subquery(section))
        .order_by(F("occurred_at").desc(), F("id").desc())
        .values_list(*EXPORT_COLUMNS)
    )
