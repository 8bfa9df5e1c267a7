"""Assignments and practice logs (spec/api.md → Assignments, Practice logs)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.request import Request
from rest_framework.response import Response

from practice import selectors, services
from practice.api.csv_export import practice_logs_csv_response
from practice.api.serializers import (
    AssignmentCreateInput,
    AssignmentEnvelope,
    AssignmentOutput,
    AssignmentPage,
    AssignmentUpdateInput,
    PracticeLogCreateOutput,
    PracticeLogEnvelope,
    PracticeLogInput,
    PracticeLogPage,
    practice_log_data,
)
from practice.models import AssignmentScope, AssignmentType, Priority
from practiceops.core.errors import ValidationFailed
from practiceops.core.pagination import (
    DEFAULT_LIMIT,
    MAX_LIMIT,
    encode_cursor,
    paginate,
    parse_keys,
)
from practiceops.core.params import query_bool, query_choice, query_date, query_int, query_text
from practiceops.core.viewsets import ScopedViewSet, requires
from teams.api.permissions import IsSectionLeader, IsTeamMember
from teams.api.viewsets import CycleScopedViewSet, TeamScopedViewSet
from teams.models import SECTION_MAX_LENGTH

PAGE_PARAMS = [
    OpenApiParameter("limit", OpenApiTypes.INT, description="1–100, default 50"),
    OpenApiParameter("cursor", OpenApiTypes.STR),
]
LOG_PARAMS = [
    OpenApiParameter("me", OpenApiTypes.BOOL, description="default true: the caller's own logs"),
    OpenApiParameter("section", OpenApiTypes.STR, description="with me=false"),
]
WINDOW_PARAMS = [
    OpenApiParameter("from", OpenApiTypes.DATE, description="inclusive, in the team's timezone"),
    OpenApiParameter("to", OpenApiTypes.DATE, description="inclusive, in the team's timezone"),
]


def _assignment(assignment: Any) -> dict[str, Any]:
    return AssignmentOutput(assignment).data


def _practice_log_page(
    params: Any,
    membership: Any,
    *,
    team: Any,
    scope: Any,
    cycle: Any = None,
    date_from: Any = None,
    date_to: Any = None,
) -> dict[str, Any]:
    def serialize(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        links = selectors.practice_log_links(membership, [row["id"] for row in rows])
        return [practice_log_data(row, links[row["id"]]) for row in rows]

    window = {"cycle": cycle, "date_from": date_from, "date_to": date_to}
    if params.get("cursor"):
        logs = selectors.practice_log_list_for_user(membership, team=team, scope=scope, **window)
        return paginate(params, logs, selectors.PRACTICE_LOG_ORDERING, serialize)
    # The first page, which most requests ask for: paginate's answer without a cursor, from a
    # query compiled once per shape.
    limit = query_int(params, "limit", DEFAULT_LIMIT, minimum=1, maximum=MAX_LIMIT)
    rows = selectors.practice_log_first_page(team=team, scope=scope, limit=limit, **window)
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1]
        keys = parse_keys(selectors.PRACTICE_LOG_ORDERING)
        next_cursor = encode_cursor([last[name] for name, _ in keys])
    return {"items": serialize(rows), "next_cursor": next_cursor}


def _practice_log(membership: Any, log: Any, *, linked: bool = True) -> dict[str, Any]:
    """One log's JSON; ``linked=False`` when it is known to have no links (no re-read)."""
    links = (
        selectors.practice_log_links(membership, [log.pk])[log.pk]
        if linked
        else {"assignments": [], "tickets": []}
    )
    return practice_log_data(selectors.practice_log_row(log), links)


def _section_param(params: Any) -> str | None:
    return query_text(params, "section", max_length=SECTION_MAX_LENGTH)


def _window(params: Any) -> tuple[Any, Any]:
    date_from, date_to = query_date(params, "from"), query_date(params, "to")
    if date_from and date_to and date_from > date_to:
        raise ValidationFailed("from must not be after to", field="from")
    return date_from, date_to


# --- Assignments -------------------------------------------------------------------------------


class CycleAssignmentViewSet(CycleScopedViewSet):
    """``cycles/{cycle_id}/assignments``: members list the visible ones; leaders create."""

    @extend_schema(request=AssignmentCreateInput, responses={201: AssignmentEnvelope})
    @requires(IsSectionLeader)
    def create(self, request: Request, cycle_id: str) -> Response:
        data = AssignmentCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        assignment = services.assignment_create(
            membership=self.membership, cycle=self.cycle, **data.validated_data
        )
        return Response({"assignment": _assignment(assignment)}, status=status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[
            *PAGE_PARAMS,
            OpenApiParameter("scope", OpenApiTypes.STR, enum=AssignmentScope.values),
            OpenApiParameter("section", OpenApiTypes.STR),
            OpenApiParameter("priority", OpenApiTypes.STR, enum=Priority.values),
            OpenApiParameter("type", OpenApiTypes.STR, enum=AssignmentType.values),
            OpenApiParameter("song_ref", OpenApiTypes.STR),
        ],
        responses={200: AssignmentPage},
    )
    def list(self, request: Request, cycle_id: str) -> Response:
        params = request.query_params
        assignments = selectors.assignment_list_for_user(
            self.membership,
            cycle=self.cycle,
            scope=query_choice(params, "scope", AssignmentScope.values),
            section=_section_param(params),
            priority=query_choice(params, "priority", Priority.values),
            type=query_choice(params, "type", AssignmentType.values),
            song_ref=query_text(params, "song_ref", max_length=100),
        )
        page = paginate(
            params,
            assignments,
            selectors.ASSIGNMENT_ORDERING,
            lambda rows: [_assignment(row) for row in rows],
        )
        return Response(page)


class AssignmentViewSet(ScopedViewSet):
    """``assignments/{assignment_id}``: looked up with visibility (404 hidden, 403 another
    team's); who may change or delete it (creator or ADMIN, ADMIN) is the service's rule."""

    lookup_url_kwarg = "assignment_id"
    scope_kwarg = "assignment_id"
    permission_classes = [IsTeamMember]

    def resolve_scope(self, request: Request, value: str) -> tuple[Any, Any]:
        return selectors.assignment_get_for_user(request.user, value)

    @extend_schema(request=AssignmentUpdateInput, responses={200: AssignmentEnvelope})
    def partial_update(self, request: Request, assignment_id: str) -> Response:
        data = AssignmentUpdateInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        changes = dict(data.validated_data)
        if "scope" in request.data:
            changes["scope"] = request.data["scope"]
        assignment = services.assignment_update(
            membership=self.membership, assignment=self.scope_object, changes=changes
        )
        return Response({"assignment": _assignment(assignment)})

    @extend_schema(responses={204: None})
    def destroy(self, request: Request, assignment_id: str) -> Response:
        services.assignment_delete(membership=self.membership, assignment=self.scope_object)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Practice logs -----------------------------------------------------------------------------


class CyclePracticeLogViewSet(CycleScopedViewSet):
    """``cycles/{cycle_id}/practice-logs``: members log and list (whose logs: the selector)."""

    @extend_schema(request=PracticeLogInput, responses={201: PracticeLogCreateOutput})
    def create(self, request: Request, cycle_id: str) -> Response:
        membership, cycle = self.membership, self.cycle
        data = PracticeLogInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        log = services.practice_log_create(
            membership=membership,
            cycle=cycle,
            duration_minutes=values["duration_minutes"],
            occurred_at=values.get("occurred_at"),
            notes=values.get("notes"),
            rating_1_5=values.get("rating_1_5"),
            blocked_flag=values.get("blocked_flag", False),
            assignment_ids=values.get("assignment_ids", []),
            ticket_ids=values.get("ticket_ids", []),
        )
        # A new log links exactly what the request named: nothing to read back without ids.
        linked = bool(values.get("assignment_ids") or values.get("ticket_ids"))
        body = {
            "practice_log": _practice_log(membership, log, linked=linked),
            "suggested_ticket": services.suggested_ticket(log, cycle),
        }
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(parameters=[*PAGE_PARAMS, *LOG_PARAMS], responses={200: PracticeLogPage})
    def list(self, request: Request, cycle_id: str) -> Response:
        membership, cycle = self.membership, self.cycle
        params = request.query_params
        scope = selectors.practice_log_scope(
            membership, me=bool(query_bool(params, "me", True)), section=_section_param(params)
        )
        return Response(
            _practice_log_page(params, membership, team=cycle.team, scope=scope, cycle=cycle)
        )


class TeamPracticeLogViewSet(TeamScopedViewSet):
    """``teams/{team_id}/practice-logs``: the same listing across cycles."""

    @extend_schema(
        parameters=[*PAGE_PARAMS, *LOG_PARAMS, *WINDOW_PARAMS],
        responses={200: PracticeLogPage},
    )
    def list(self, request: Request, team_id: str) -> Response:
        membership = self.membership
        params = request.query_params
        scope = selectors.practice_log_scope(
            membership, me=bool(query_bool(params, "me", True)), section=_section_param(params)
        )
        date_from, date_to = _window(params)
        page = _practice_log_page(
            params, membership, team=self.team, scope=scope, date_from=date_from, date_to=date_to
        )
        return Response(page)


class JSONErrorsOnly(BaseContentNegotiation):
    """The export answers CSV whatever the Accept header says, and its errors answer JSON."""

    def select_parser(self, request: Any, parsers: Any) -> Any:
        return parsers[0] if parsers else None

    def select_renderer(self, request: Any, renderers: Any, format_suffix: Any = None) -> Any:
        return renderers[0], renderers[0].media_type


class TeamPracticeLogExportViewSet(TeamScopedViewSet):
    """``teams/{team_id}/practice-logs.csv``: leaders export their scope as CSV."""

    content_negotiation_class = JSONErrorsOnly
    permission_classes = [IsSectionLeader]

    @extend_schema(
        parameters=[OpenApiParameter("section", OpenApiTypes.STR), *WINDOW_PARAMS],
        responses={
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="one row per log")
        },
    )
    def list(self, request: Request, team_id: str) -> Any:
        params = request.query_params
        scope = selectors.export_scope(self.membership, section=_section_param(params))
        date_from, date_to = _window(params)
        rows = selectors.practice_log_export_rows(
            self.team, scope, date_from=date_from, date_to=date_to
        )
        return practice_logs_csv_response(self.team, rows)


class PracticeLogViewSet(ScopedViewSet):
    """``practice-logs/{log_id}``: 404 unknown, 403 not a member; owner-only is the service's."""

    lookup_url_kwarg = "log_id"
    scope_kwarg = "log_id"
    permission_classes = [IsTeamMember]

    def resolve_scope(self, request: Request, value: str) -> tuple[Any, Any]:
        return selectors.practice_log_get_for_user(request.user, value)

    @extend_schema(request=PracticeLogInput, responses={200: PracticeLogEnvelope})
    def partial_update(self, request: Request, log_id: str) -> Response:
        data = PracticeLogInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        log = services.practice_log_update(
            membership=self.membership, log=self.scope_object, changes=dict(data.validated_data)
        )
        return Response({"practice_log": _practice_log(self.membership, log)})

    @extend_schema(responses={204: None})
    def destroy(self, request: Request, log_id: str) -> Response:
        services.practice_log_delete(membership=self.membership, log=self.scope_object)
        return Response(status=status.HTTP_204_NO_CONTENT)
