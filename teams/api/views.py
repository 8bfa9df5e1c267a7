"""Teams, members, invites, rehearsal cycles and the calendar feed (spec/api.md)."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from rest_framework import serializers, status
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from practiceops.core.pagination import paginate
from practiceops.core.params import parse_uuid, query_bool, query_choice, query_text
from practiceops.core.ratelimit import enforce_per_ip
from teams import access, selectors, services
from teams.api.serializers import (
    CycleCreateInput,
    CycleOutput,
    CycleUpdateInput,
    InviteAcceptInput,
    InviteCreateInput,
    InviteOutput,
    InvitePublicOutput,
    MemberItemOutput,
    MembershipOutput,
    MembershipRoleOutput,
    MembershipUpdateInput,
    TeamCreateInput,
    TeamOutput,
    TeamUpdateInput,
    page_output,
)
from teams.calendar import team_calendar_ical
from teams.models import SECTION_MAX_LENGTH, Role


def _validated(serializer_class: type[serializers.Serializer], data: Any) -> dict[str, Any]:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _cycle(cycle: Any) -> dict[str, Any]:
    return CycleOutput(cycle).data


# --- teams --------------------------------------------------------------------------------------


class TeamCreateView(APIView):
    @extend_schema(
        request=TeamCreateInput,
        responses={201: inline_serializer("TeamCreated", {"team": TeamOutput()})},
    )
    def post(self, request: Request) -> Response:
        data = _validated(TeamCreateInput, request.data)
        team, _membership = services.team_create(
            user=request.user,
            name=data["name"],
            timezone_name=data.get("timezone", "UTC"),
            weekly_goal_days=data.get("weekly_goal_days", 3),
        )
        return Response({"team": TeamOutput(team).data}, status=status.HTTP_201_CREATED)


class TeamDetailView(APIView):
    @extend_schema(
        responses=inline_serializer(
            "TeamWithMembership", {"team": TeamOutput(), "membership": MembershipRoleOutput()}
        )
    )
    def get(self, request: Request, team_id: str) -> Response:
        team, membership = access.team_and_membership(request.user, team_id)
        return Response(
            {"team": TeamOutput(team).data, "membership": MembershipRoleOutput(membership).data}
        )

    @extend_schema(
        request=TeamUpdateInput,
        responses=inline_serializer("TeamUpdated", {"team": TeamOutput()}),
    )
    def patch(self, request: Request, team_id: str) -> Response:
        team, _admin = access.team_and_membership(request.user, team_id, role=Role.ADMIN)
        data = _validated(TeamUpdateInput, request.data)
        team = services.team_update(
            team=team,
            name=data.get("name"),
            timezone_name=data.get("timezone"),
            weekly_goal_days=data.get("weekly_goal_days"),
        )
        return Response({"team": TeamOutput(team).data})


# --- members --------------------------------------------------------------------------------


class MemberListView(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter("section", str),
            OpenApiParameter("role", str, enum=Role.values),
            OpenApiParameter("limit", int),
            OpenApiParameter("cursor", str),
        ],
        responses=page_output("MemberPage", MemberItemOutput),
    )
    def get(self, request: Request, team_id: str) -> Response:
        _team, membership = access.team_and_membership(
            request.user, team_id, role=Role.SECTION_LEADER
        )
        params = request.query_params
        rows = selectors.member_list_for_user(
            membership=membership,
            section=query_text(params, "section", max_length=SECTION_MAX_LENGTH),
            role=query_choice(params, "role", Role.values),
        )
        return Response(
            paginate(
                params,
                rows,
                selectors.MEMBER_ORDERING,
                lambda page: MemberItemOutput(page, many=True).data,
            )
        )


class MemberDetailView(APIView):
    @extend_schema(
        request=MembershipUpdateInput,
        responses=inline_serializer("MembershipUpdated", {"membership": MembershipOutput()}),
    )
    def patch(self, request: Request, team_id: str, user_id: str) -> Response:
        team, _admin = access.team_and_membership(request.user, team_id, role=Role.ADMIN)
        target = parse_uuid(user_id, field="user_id")
        data = _validated(MembershipUpdateInput, request.data)
        membership = services.membership_update(
            team=team,
            user_id=target,
            role=data.get("role"),
            section=data["section"] if "section" in data else services.UNSET,
        )
        return Response({"membership": MembershipOutput(membership).data})

    @extend_schema(
        responses=inline_serializer("MemberRemoved", {"message": serializers.CharField()})
    )
    def delete(self, request: Request, team_id: str, user_id: str) -> Response:
        team = access.team_get(team_id)
        target = parse_uuid(user_id, field="user_id")
        access.require_admin_or_self(request.user, team, target)
        services.membership_remove(team=team, user_id=target, removed_by=request.user)
        return Response({"message": "Member removed successfully"})


# --- invites --------------------------------------------------------------------------------


class TeamInviteListView(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter("include_used", bool),
            OpenApiParameter("limit", int),
            OpenApiParameter("cursor", str),
        ],
        responses=page_output("InvitePage", InviteOutput),
    )
    def get(self, request: Request, team_id: str) -> Response:
        team, _admin = access.team_and_membership(request.user, team_id, role=Role.ADMIN)
        params = request.query_params
        invites = selectors.invite_list_for_team(
            team=team, include_used=bool(query_bool(params, "include_used", False))
        )
        return Response(
            paginate(
                params,
                invites,
                selectors.INVITE_ORDERING,
                lambda page: InviteOutput(page, many=True).data,
            )
        )

    @extend_schema(
        request=InviteCreateInput,
        responses={
            201: inline_serializer(
                "InviteCreated",
                {"invite_link": serializers.CharField(), "invite": InviteOutput()},
            )
        },
    )
    def post(self, request: Request, team_id: str) -> Response:
        team, _admin = access.team_and_membership(request.user, team_id, role=Role.ADMIN)
        data = _validated(InviteCreateInput, request.data)
        invite, raw = services.invite_create(
            team=team,
            created_by=request.user,
            email=data.get("email") or None,
            role=data["role"],
            section=data.get("section"),
            expires_in_hours=data["expires_in_hours"],
        )
        return Response(
            {"invite_link": services.invite_link(raw), "invite": InviteOutput(invite).data},
            status=status.HTTP_201_CREATED,
        )


class InviteView(APIView):
    """GET by raw token is public (the invite page); DELETE by id or token is for ADMINs."""

    def get_authenticators(self) -> list:
        # No authentication at all for the public read, so a stale token cannot break it.
        if self._is_read():
            return []
        return super().get_authenticators()

    def get_permissions(self) -> list:
        return [AllowAny()] if self._is_read() else [IsAuthenticated()]

    def _is_read(self) -> bool:
        request = getattr(self, "request", None)
        return request is not None and request.method in ("GET", "HEAD")

    @extend_schema(responses=InvitePublicOutput, auth=[])
    def get(self, request: Request, token: str) -> Response:
        invite = selectors.invite_get_by_token(token)
        return Response(InvitePublicOutput(invite).data)

    @extend_schema(
        responses=inline_serializer("InviteRevoked", {"message": serializers.CharField()})
    )
    def delete(self, request: Request, token: str) -> Response:
        invite = selectors.invite_get_by_id_or_token(token)
        access.require_admin(request.user, invite.team)
        services.invite_revoke(invite=invite, revoked_by=request.user)
        return Response({"message": "Invite revoked successfully"})


class InviteAcceptView(APIView):
    # Public, but a bearer token is honoured when present (accepting as a signed-in user).
    permission_classes = [AllowAny]

    @extend_schema(
        request=InviteAcceptInput,
        responses={
            201: inline_serializer(
                "InviteAccepted",
                {
                    "membership": MembershipOutput(),
                    "access_token": serializers.CharField(allow_null=True),
                    "refresh_token": serializers.CharField(allow_null=True),
                },
            )
        },
    )
    def post(self, request: Request, token: str) -> Response:
        enforce_per_ip(request, group="invites:accept")
        if request.user.is_authenticated:
            membership, tokens = services.invite_accept(raw_token=token, user=request.user)
        else:
            data = _validated(InviteAcceptInput, request.data)
            membership, tokens = services.invite_accept(
                raw_token=token,
                name=data.get("name"),
                email=data.get("email"),
                password=data.get("password"),
            )
        return Response(
            {
                "membership": MembershipOutput(membership).data,
                "access_token": tokens["access_token"] if tokens else None,
                "refresh_token": tokens["refresh_token"] if tokens else None,
            },
            status=status.HTTP_201_CREATED,
        )


# --- rehearsal cycles ---------------------------------------------------------------------------

_CycleBody = inline_serializer("CycleBody", {"cycle": CycleOutput()})


class TeamCycleListView(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter("upcoming", bool, description="true (default): today and later"),
            OpenApiParameter("limit", int),
            OpenApiParameter("cursor", str),
        ],
        responses=page_output("CyclePage", CycleOutput),
    )
    def get(self, request: Request, team_id: str) -> Response:
        team, _membership = access.team_and_membership(request.user, team_id)
        params = request.query_params
        cycles, ordering = selectors.cycle_list_for_team(
            team=team, upcoming=bool(query_bool(params, "upcoming", True))
        )
        return Response(
            paginate(params, cycles, ordering, lambda page: CycleOutput(page, many=True).data)
        )

    @extend_schema(request=CycleCreateInput, responses={201: _CycleBody})
    def post(self, request: Request, team_id: str) -> Response:
        team, _leader = access.team_and_membership(request.user, team_id, role=Role.SECTION_LEADER)
        data = _validated(CycleCreateInput, request.data)
        cycle = services.cycle_create(
            team=team, date=data["date"], label=data.get("label"), created_by=request.user
        )
        return Response({"cycle": _cycle(cycle)}, status=status.HTTP_201_CREATED)


class TeamActiveCycleView(APIView):
    @extend_schema(
        responses=inline_serializer("ActiveCycle", {"cycle": CycleOutput(allow_null=True)})
    )
    def get(self, request: Request, team_id: str) -> Response:
        team, _membership = access.team_and_membership(request.user, team_id)
        cycle = selectors.cycle_active_for_team(team)
        return Response({"cycle": _cycle(cycle) if cycle is not None else None})


class CycleDetailView(APIView):
    @extend_schema(responses=_CycleBody)
    def get(self, request: Request, cycle_id: str) -> Response:
        cycle, _membership = access.cycle_and_membership(request.user, cycle_id)
        return Response({"cycle": _cycle(cycle)})

    @extend_schema(request=CycleUpdateInput, responses=_CycleBody)
    def patch(self, request: Request, cycle_id: str) -> Response:
        cycle, _leader = access.cycle_and_membership(
            request.user, cycle_id, role=Role.SECTION_LEADER
        )
        data = _validated(CycleUpdateInput, request.data)
        cycle = services.cycle_update(
            cycle=cycle, date=data.get("date"), label=data.get("label"), updated_by=request.user
        )
        return Response({"cycle": _cycle(cycle)})

    @extend_schema(responses={204: None})
    def delete(self, request: Request, cycle_id: str) -> Response:
        cycle, _admin = access.cycle_and_membership(request.user, cycle_id, role=Role.ADMIN)
        services.cycle_delete(cycle=cycle, deleted_by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- calendar feed ----------------------------------------------------------------------------


class CalendarTokenView(APIView):
    @extend_schema(
        request=None,
        responses=inline_serializer("CalendarToken", {"calendar_url": serializers.URLField()}),
    )
    def post(self, request: Request, team_id: str) -> Response:
        team, membership = access.team_and_membership(request.user, team_id)
        raw = services.calendar_token_rotate(membership=membership)
        url = request.build_absolute_uri(f"/teams/{team.pk}/calendar.ics?token={raw}")
        return Response({"calendar_url": url})


class _JsonErrorsNegotiation(BaseContentNegotiation):
    """Calendar apps ask for text/calendar; the feed itself is a plain HttpResponse, and an
    error must still be the JSON envelope rather than a 406."""

    def select_parser(self, request: Any, parsers: list) -> Any:
        return parsers[0] if parsers else None

    def select_renderer(self, request: Any, renderers: list, format_suffix: Any = None) -> tuple:
        return renderers[0], renderers[0].media_type


class CalendarFeedView(APIView):
    # Public: the secret token in the URL is the credential (calendar apps send no headers).
    authentication_classes: list = []
    permission_classes = [AllowAny]
    content_negotiation_class = _JsonErrorsNegotiation

    @extend_schema(
        operation_id="teams_calendar_feed",
        parameters=[OpenApiParameter("token", str, required=True)],
        responses={
            (200, "text/calendar"): OpenApiResponse(
                response=OpenApiTypes.STR, description="An iCalendar (RFC 5545) feed"
            )
        },
        auth=[],
    )
    def get(self, request: Request, team_id: str) -> HttpResponse:
        team_pk = parse_uuid(team_id, field="team_id")
        membership = selectors.calendar_membership_get(
            team_id=team_pk, raw_token=request.query_params.get("token")
        )
        team = membership.team
        body = team_calendar_ical(team=team, cycles=selectors.cycle_list_for_calendar(team=team))
        response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
        response["Content-Disposition"] = 'inline; filename="rehearsals.ics"'
        # The URL carries a secret: shared caches must not keep the feed.
        response["Cache-Control"] = "private, max-age=300"
        return response
