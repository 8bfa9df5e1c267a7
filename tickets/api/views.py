"""Ticket endpoints (spec/api.md → Tickets): parse, look up with visibility, call a service.

``TicketViewSet`` holds the actions on one ticket; the ticket is looked up with the caller's
membership and the "can view" rule (404 hidden, 403 outside the team) before any action runs.
Who may claim, transition, verify or assign is the state machine's and the services' rule: the
actions call them and never set ``status``. A new action on a ticket is one ``@action`` method.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from practice.models import Priority
from practiceops.core.errors import NotFound, ValidationFailed
from practiceops.core.pagination import paginate
from practiceops.core.params import query_choice, query_text, query_uuid
from practiceops.core.viewsets import ScopedViewSet
from teams.api.permissions import IsTeamMember
from teams.api.viewsets import CycleScopedViewSet, TeamScopedViewSet
from teams.models import SECTION_MAX_LENGTH, RehearsalCycle
from tickets import selectors, services
from tickets.api.serializers import (
    TICKET_COLUMNS,
    ActivityEnvelope,
    ActivityPage,
    TicketAssignInput,
    TicketCommentInput,
    TicketCreateInput,
    TicketEnvelope,
    TicketPage,
    TicketReopenInput,
    TicketTransitionInput,
    TicketUpdateInput,
    TicketVerifyInput,
    activity_data,
    ticket_data,
    ticket_rows_data,
)
from tickets.models import TicketCategory, TicketStatus, TicketVisibility

STATUS_NOT_EDITABLE = "Status can only be changed with /transition or /verify"

_FILTER_PARAMS = [
    OpenApiParameter("status", enum=TicketStatus.values),
    OpenApiParameter("priority", enum=Priority.values),
    OpenApiParameter("category", enum=TicketCategory.values),
    OpenApiParameter("visibility", enum=TicketVisibility.values),
    OpenApiParameter("section", str),
    OpenApiParameter("song_ref", str),
    OpenApiParameter("owner", enum=["me"], description="`me`: only tickets the caller owns"),
    OpenApiParameter("limit", int),
    OpenApiParameter("cursor", str),
]


def _filters(params: Any, *, with_cycle: bool) -> selectors.TicketFilters:
    return selectors.TicketFilters(
        status=query_choice(params, "status", TicketStatus.values),
        priority=query_choice(params, "priority", Priority.values),
        category=query_choice(params, "category", TicketCategory.values),
        visibility=query_choice(params, "visibility", TicketVisibility.values),
        section=query_text(params, "section", max_length=SECTION_MAX_LENGTH),
        song_ref=query_text(params, "song_ref", max_length=100),
        owner_me=query_choice(params, "owner", ["me"]) == "me",
        cycle_id=query_uuid(params, "cycle_id") if with_cycle else None,
    )


_PAGE_COLUMNS = tuple(
    dict.fromkeys(
        [*TICKET_COLUMNS.values(), *(key.lstrip("-") for key in selectors.TICKET_ORDERING)]
    )
)


def _ticket_page(request: Request, membership: Any, filters: selectors.TicketFilters) -> Response:
    def first_page(n: int) -> list[dict[str, Any]]:
        rows = selectors.ticket_rows(membership, filters, _PAGE_COLUMNS, 0, n)
        return [dict(zip(_PAGE_COLUMNS, row, strict=True)) for row in rows]

    page = paginate(
        request.query_params,
        lambda: selectors.ticket_list_for_user(membership, filters).values(*_PAGE_COLUMNS),
        selectors.TICKET_ORDERING,
        ticket_rows_data,
        first_page=first_page,
    )
    return Response(page)


def _body(request: Request, serializer_class: type[serializers.Serializer]) -> dict[str, Any]:
    data = serializer_class(data=request.data)
    data.is_valid(raise_exception=True)
    return data.validated_data


def _ticket_response(ticket: Any, *, status_code: int = status.HTTP_200_OK) -> Response:
    return Response({"ticket": ticket_data(ticket)}, status=status_code)


class CycleTicketViewSet(CycleScopedViewSet):
    """``cycles/{cycle_id}/tickets``: members list the visible tickets of the cycle and create."""

    @extend_schema(parameters=_FILTER_PARAMS, responses=TicketPage)
    def list(self, request: Request, cycle_id: str) -> Response:
        filters = replace(_filters(request.query_params, with_cycle=False), cycle_id=self.cycle.pk)
        return _ticket_page(request, self.membership, filters)

    @extend_schema(request=TicketCreateInput, responses={201: TicketEnvelope})
    def create(self, request: Request, cycle_id: str) -> Response:
        ticket = services.ticket_create(
            membership=self.membership, cycle=self.cycle, **_body(request, TicketCreateInput)
        )
        return _ticket_response(ticket, status_code=status.HTTP_201_CREATED)


class TeamTicketViewSet(TeamScopedViewSet):
    """``teams/{team_id}/tickets``: the visible tickets across cycles."""

    @extend_schema(
        parameters=[*_FILTER_PARAMS, OpenApiParameter("cycle_id", OpenApiTypes.UUID)],
        responses=TicketPage,
    )
    def list(self, request: Request, team_id: str) -> Response:
        filters = _filters(request.query_params, with_cycle=True)
        if (
            filters.cycle_id
            and not RehearsalCycle.objects.filter(pk=filters.cycle_id, team=self.team).exists()
        ):
            raise NotFound(selectors.CYCLE_NOT_FOUND)
        return _ticket_page(request, self.membership, filters)


class TicketViewSet(ScopedViewSet):
    """``tickets/{ticket_id}`` and its actions."""

    lookup_url_kwarg = "ticket_id"
    scope_kwarg = "ticket_id"
    permission_classes = [IsTeamMember]

    def resolve_scope(self, request: Request, value: str) -> tuple[Any, Any]:
        # 404 unknown, 403 "Not a member of this team", 404 again when the member may not see it.
        return selectors.ticket_get_for_user(request.user, value)

    @property
    def ticket(self) -> Any:
        return self.scope_object

    @extend_schema(responses=TicketEnvelope)
    def retrieve(self, request: Request, ticket_id: str) -> Response:
        return _ticket_response(self.ticket)

    @extend_schema(request=TicketUpdateInput, responses=TicketEnvelope)
    def partial_update(self, request: Request, ticket_id: str) -> Response:
        # The serializer would silently drop an unknown "status"; the contract wants it refused.
        if isinstance(request.data, dict) and "status" in request.data:
            raise ValidationFailed(STATUS_NOT_EDITABLE, field="status")
        changes = _body(request, TicketUpdateInput)
        ticket = services.ticket_update(
            membership=self.membership, ticket_id=self.ticket.pk, changes=dict(changes)
        )
        return _ticket_response(ticket)

    @extend_schema(request=None, responses=TicketEnvelope)
    @action(detail=True, methods=["post"])
    def claim(self, request: Request, ticket_id: str) -> Response:
        ticket = services.ticket_claim(membership=self.membership, ticket_id=self.ticket.pk)
        return _ticket_response(ticket)

    @extend_schema(request=None, responses=TicketEnvelope)
    @action(detail=True, methods=["post"])
    def unclaim(self, request: Request, ticket_id: str) -> Response:
        ticket = services.ticket_unclaim(membership=self.membership, ticket_id=self.ticket.pk)
        return _ticket_response(ticket)

    @extend_schema(request=TicketAssignInput, responses=TicketEnvelope)
    @action(detail=True, methods=["post"])
    def assign(self, request: Request, ticket_id: str) -> Response:
        body = _body(request, TicketAssignInput)
        ticket = services.ticket_assign(
            membership=self.membership, ticket_id=self.ticket.pk, owner_id=body["owner_id"]
        )
        return _ticket_response(ticket)

    @extend_schema(request=TicketTransitionInput, responses=TicketEnvelope)
    @action(detail=True, methods=["post"])
    def transition(self, request: Request, ticket_id: str) -> Response:
        body = _body(request, TicketTransitionInput)
        ticket = services.ticket_transition(
            membership=self.membership,
            ticket_id=self.ticket.pk,
            to_status=body["to_status"],
            content=body.get("content"),
        )
        return _ticket_response(ticket)

    @extend_schema(request=TicketVerifyInput, responses=TicketEnvelope)
    @action(detail=True, methods=["post"])
    def verify(self, request: Request, ticket_id: str) -> Response:
        body = _body(request, TicketVerifyInput)
        ticket = services.ticket_verify(
            membership=self.membership, ticket_id=self.ticket.pk, content=body.get("content")
        )
        return _ticket_response(ticket)

    @extend_schema(request=TicketReopenInput, responses=TicketEnvelope)
    @action(detail=True, methods=["post"])
    def reopen(self, request: Request, ticket_id: str) -> Response:
        body = _body(request, TicketReopenInput)
        ticket = services.ticket_reopen(
            membership=self.membership, ticket_id=self.ticket.pk, reason=body["reason"]
        )
        return _ticket_response(ticket)

    @extend_schema(request=TicketCommentInput, responses={201: ActivityEnvelope})
    @action(detail=True, methods=["post"])
    def comments(self, request: Request, ticket_id: str) -> Response:
        body = _body(request, TicketCommentInput)
        activity = services.ticket_comment(
            membership=self.membership, ticket_id=self.ticket.pk, content=body["content"]
        )
        activity.user = request.user
        return Response({"activity": activity_data(activity)}, status=status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[OpenApiParameter("limit", int), OpenApiParameter("cursor", str)],
        responses=ActivityPage,
    )
    @action(detail=True)
    def activity(self, request: Request, ticket_id: str) -> Response:
        page = paginate(
            request.query_params,
            selectors.activity_list_for_ticket(self.ticket),
            selectors.ACTIVITY_ORDERING,
            lambda rows: [activity_data(a) for a in rows],
        )
        return Response(page)
