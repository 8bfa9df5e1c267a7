"""Ticket endpoints (spec/api.md → Tickets): parse, look up with visibility, call a service."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from practice.models import Priority
from practiceops.core.errors import NotFound, ValidationFailed
from practiceops.core.pagination import paginate
from practiceops.core.params import query_choice, query_text, query_uuid
from teams.access import team_and_membership
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


def _ticket_page(request: Request, membership: Any, filters: selectors.TicketFilters) -> Response:
    keys = [key.lstrip("-") for key in selectors.TICKET_ORDERING]
    queryset = selectors.ticket_list_for_user(membership, filters).values(
        *dict.fromkeys([*TICKET_COLUMNS.values(), *keys])
    )
    page = paginate(request.query_params, queryset, selectors.TICKET_ORDERING, ticket_rows_data)
    return Response(page)


def _body(request: Request, serializer_class: type[serializers.Serializer]) -> dict[str, Any]:
    data = serializer_class(data=request.data)
    data.is_valid(raise_exception=True)
    return data.validated_data


def _ticket_response(ticket: Any, *, status_code: int = status.HTTP_200_OK) -> Response:
    return Response({"ticket": ticket_data(ticket)}, status=status_code)


class CycleTicketsView(APIView):
    @extend_schema(parameters=_FILTER_PARAMS, responses=TicketPage)
    def get(self, request: Request, cycle_id: str) -> Response:
        cycle, membership = selectors.cycle_get_for_user(request.user, cycle_id)
        filters = replace(_filters(request.query_params, with_cycle=False), cycle_id=cycle.pk)
        return _ticket_page(request, membership, filters)

    @extend_schema(request=TicketCreateInput, responses={201: TicketEnvelope})
    def post(self, request: Request, cycle_id: str) -> Response:
        cycle, membership = selectors.cycle_get_for_user(request.user, cycle_id)
        ticket = services.ticket_create(
            membership=membership, cycle=cycle, **_body(request, TicketCreateInput)
        )
        return _ticket_response(ticket, status_code=status.HTTP_201_CREATED)


class TeamTicketsView(APIView):
    @extend_schema(
        parameters=[*_FILTER_PARAMS, OpenApiParameter("cycle_id", OpenApiTypes.UUID)],
        responses=TicketPage,
    )
    def get(self, request: Request, team_id: str) -> Response:
        team, membership = team_and_membership(request.user, team_id)
        filters = _filters(request.query_params, with_cycle=True)
        if (
            filters.cycle_id
            and not RehearsalCycle.objects.filter(pk=filters.cycle_id, team=team).exists()
        ):
            raise NotFound(selectors.CYCLE_NOT_FOUND)
        return _ticket_page(request, membership, filters)


class TicketDetailView(APIView):
    @extend_schema(responses=TicketEnvelope)
    def get(self, request: Request, ticket_id: str) -> Response:
        ticket, _ = selectors.ticket_get_for_user(request.user, ticket_id)
        return _ticket_response(ticket)

    @extend_schema(request=TicketUpdateInput, responses=TicketEnvelope)
    def patch(self, request: Request, ticket_id: str) -> Response:
        ticket, membership = selectors.ticket_get_for_user(request.user, ticket_id)
        # The serializer would silently drop an unknown "status"; the contract wants it refused.
        if isinstance(request.data, dict) and "status" in request.data:
            raise ValidationFailed(STATUS_NOT_EDITABLE, field="status")
        changes = _body(request, TicketUpdateInput)
        ticket = services.ticket_update(
            membership=membership, ticket_id=ticket.pk, changes=dict(changes)
        )
        return _ticket_response(ticket)


class TicketClaimView(APIView):
    @extend_schema(request=None, responses=TicketEnvelope)
    def post(self, request: Request, ticket_id: str) -> Response:
        ticket, membership = selectors.ticket_get_for_user(request.user, ticket_id)
        return _ticket_response(services.ticket_claim(membership=membership, ticket_id=ticket.pk))


class TicketUnclaimView(APIView):
    @extend_schema(request=None, responses=TicketEnvelope)
    def post(self, request: Request, ticket_id: str) -> Response:
        ticket, membership = selectors.ticket_get_for_user(request.user, ticket_id)
        return _ticket_response(services.ticket_unclaim(membership=membership, ticket_id=ticket.pk))


class TicketAssignView(APIView):
    @extend_schema(request=TicketAssignInput, responses=TicketEnvelope)
    def post(self, request: Request, ticket_id: str) -> Response:
        ticket, membership = selectors.ticket_get_for_user(request.user, ticket_id)
        body = _body(request, TicketAssignInput)
        ticket = services.ticket_assign(
            membership=membership, ticket_id=ticket.pk, owner_id=body["owner_id"]
        )
        return _ticket_response(ticket)


class TicketTransitionView(APIView):
    @extend_schema(request=TicketTransitionInput, responses=TicketEnvelope)
    def post(self, request: Request, ticket_id: str) -> Response:
        ticket, membership = selectors.ticket_get_for_user(request.user, ticket_id)
        body = _body(request, TicketTransitionInput)
        ticket = services.ticket_transition(
            membership=membership,
            ticket_id=ticket.pk,
            to_status=body["to_status"],
            content=body.get("content"),
        )
        return _ticket_response(ticket)


class TicketVerifyView(APIView):
    @extend_schema(request=TicketVerifyInput, responses=TicketEnvelope)
    def post(self, request: Request, ticket_id: str) -> Response:
        ticket, membership = selectors.ticket_get_for_user(request.user, ticket_id)
        body = _body(request, TicketVerifyInput)
        ticket = services.ticket_verify(
            membership=membership, ticket_id=ticket.pk, content=body.get("content")
        )
        return _ticket_response(ticket)


class TicketReopenView(APIView):
    @extend_schema(request=TicketReopenInput, responses=TicketEnvelope)
    def post(self, request: Request, ticket_id: str) -> Response:
        ticket, membership = selectors.ticket_get_for_user(request.user, ticket_id)
        body = _body(request, TicketReopenInput)
        ticket = services.ticket_reopen(
            membership=membership, ticket_id=ticket.pk, reason=body["reason"]
        )
        return _ticket_response(ticket)


class TicketCommentsView(APIView):
    @extend_schema(request=TicketCommentInput, responses={201: ActivityEnvelope})
    def post(self, request: Request, ticket_id: str) -> Response:
        ticket, membership = selectors.ticket_get_for_user(request.user, ticket_id)
        body = _body(request, TicketCommentInput)
        activity = services.ticket_comment(
            membership=membership, ticket_id=ticket.pk, content=body["content"]
        )
        activity.user = request.user
        return Response({"activity": activity_data(activity)}, status=status.HTTP_201_CREATED)


class TicketActivityView(APIView):
    @extend_schema(
        parameters=[OpenApiParameter("limit", int), OpenApiParameter("cursor", str)],
        responses=ActivityPage,
    )
    def get(self, request: Request, ticket_id: str) -> Response:
        ticket, _ = selectors.ticket_get_for_user(request.user, ticket_id)
        page = paginate(
            request.query_params,
            selectors.activity_list_for_ticket(ticket),
            selectors.ACTIVITY_ORDERING,
            lambda rows: [activity_data(a) for a in rows],
        )
        return Response(page)
