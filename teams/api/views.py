"""Teams, members, invites, rehearsal cycles and the calendar feed (spec/api.md).

One ViewSet per resource; the team or cycle in the URL and the caller's membership are resolved
by the scoped bases before any action, and each action declares its role with a permission class.
"""

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
from rest_framework.decorators import action
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from practiceops.core.pagination import paginate
from practiceops.core.params import parse_uuid, query_bool, query_choice, query_text
from practiceops.core.ratelimit import enforce_per_ip
from practiceops.core.viewsets import ApiViewSet, ScopedViewSet, requires
from teams import access, selectors, services
from teams.api.permissions import IsSectionLeader, IsTeamAdmin, IsTeamAdminOrSelf
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
from teams.api.viewsets import CycleScopedViewSet, TeamScopedViewSet
from teams.calendar import team_calendar_ical
from teams.models import SECTION_MAX_LENGTH, Role


def _validated(serializer_class: type[serializers.Serializer], data: Any) -> dict[str, Any]:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _cycle(cycle: Any) -> dict[str, Any]:
    return CycleOutput(cycle).data


# --- teams --------------------------------------------------------------------------------------


class TeamViewSet(TeamScopedViewSet):
    """``POST /teams``; ``GET``/``PATCH /teams/{team_id}``; ``POST …/calendar-token``."""

    lookup_url_kwarg = "team_id"

    @extend_schema(
        request=TeamCreateInput,
        responses={201: inline_serializer("TeamCreated", {"team": TeamOutput()})},
    )
    @requires(IsAuthenticated)
    def create(self, request: Request) -> Response:
        data = _validated(TeamCreateInput, request.data)
        team, _membership = services.team_create(
            user=request.user,
            name=data["name"],
            timezone_name=data.get("timezone", "UTC"),
            weekly_goal_days=data.get("weekly_goal_days", 3),
        )
        return Response({"team": TeamOutput(team).data}, status=status.HTTP_201_CREATED)

    @extend_schema(
        responses=inline_serializer(
            "TeamWithMembership", {"team": TeamOutput(), "membership": MembershipRoleOutput()}
        )
    )
    def retrieve(self, request: Request, team_id: str) -> Response:
        return Response(
            {
                "team": TeamOutput(self.team).data,
                "membership": MembershipRoleOutput(self.membership).data,
            }
        )

    @extend_schema(
        request=TeamUpdateInput,
        responses=inline_serializer("TeamUpdated", {"team": TeamOutput()}),
    )
    @requires(IsTeamAdmin)
    def partial_update(self, request: Request, team_id: str) -> Response:
        data = _validated(TeamUpdateInput, request.data)
        team = services.team_update(
            team=self.team,
            name=data.get("name"),
            timezone_name=data.get("timezone"),
            weekly_goal_days=data.get("weekly_goal_days"),
        )
        return Response({"team": TeamOutput(team).data})

    @extend_schema(
        request=None,
        responses=inline_serializer("CalendarToken", {"calendar_url": serializers.URLField()}),
    )
    @action(detail=True, methods=["post"], url_path="calendar-token")
    def calendar_token(self, request: Request, team_id: str) -> Response:
        raw = services.calendar_token_rotate(membership=self.membership)
        url = request.build_absolute_uri(f"/teams/{self.team.pk}/calendar.ics?token={raw}")
        return Response({"calendar_url": url})


# --- members --------------------------------------------------------------------------------


class MemberViewSet(TeamScopedViewSet):
    """``teams/{team_id}/members``: leaders list; ADMINs change; ADMINs or the member remove."""

    lookup_url_kwarg = "user_id"

    @extend_schema(
        parameters=[
            OpenApiParameter("section", str),
            OpenApiParameter("role", str, enum=Role.values),
            OpenApiParameter("limit", int),
            OpenApiParameter("cursor", str),
        ],
        responses=page_output("MemberPage", MemberItemOutput),
    )
    @requires(IsSectionLeader)
    def list(self, request: Request, team_id: str) -> Response:
        params = request.query_params
        rows = selectors.member_list_for_user(
            membership=self.membership,
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

    @extend_schema(
        request=MembershipUpdateInput,
        responses=inline_serializer("MembershipUpdated", {"membership": MembershipOutput()}),
    )
    @requires(IsTeamAdmin)
    def partial_update(self, request: Request, team_id: str, user_id: str) -> Response:
        target = parse_uuid(user_id, field="user_id")
        data = _validated(MembershipUpdateInput, request.data)
        membership = services.membership_update(
            team=self.team,
            user_id=target,
            role=data.get("role"),
            section=data["section"] if "section" in data else services.UNSET,
        )
        return Response({"membership": MembershipOutput(membership).data})

    # A DELETE that answers 200 with a body: drf-spectacular would document 204 otherwise.
    @extend_schema(
        responses={200: inline_serializer("MemberRemoved", {"message": serializers.CharField()})}
    )
    @requires(IsTeamAdminOrSelf)
    def destroy(self, request: Request, team_id: str, user_id: str) -> Response:
        target = parse_uuid(user_id, field="user_id")
        services.membership_remove(team=self.team, user_id=target, removed_by=request.user)
        return Response({"message": "Member removed successfully"})


# --- invites --------------------------------------------------------------------------------


class TeamInviteViewSet(TeamScopedViewSet):
    """``teams/{team_id}/invites``: ADMINs list and create."""

    permission_classes = [IsTeamAdmin]

    @extend_schema(
        parameters=[
            OpenApiParameter("include_used", bool),
            OpenApiParameter("limit", int),
            OpenApiParameter("cursor", str),
        ],
        responses=page_output("InvitePage", InviteOutput),
    )
    def list(self, request: Request, team_id: str) -> Response:
        params = request.query_params
        invites = selectors.invite_list_for_team(
            team=self.team, include_used=bool(query_bool(params, "include_used", False))
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
    def create(self, request: Request, team_id: str) -> Response:
        data = _validated(InviteCreateInput, request.data)
        invite, raw = services.invite_create(
            team=self.team,
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


class InviteViewSet(ScopedViewSet):
    """``invites/{token}``: the public read and accept by raw token; ADMINs revoke by id or token.

    Only ``destroy`` is scoped: reading and accepting are public, the token being the credential.
    """

    lookup_url_kwarg = "token"
    scope_kwarg = "token"
    unscoped_actions = frozenset({"retrieve", "accept"})
    permission_classes = [IsTeamAdmin]

    def resolve_scope(self, request: Request, value: str) -> tuple[Any, Any]:
        invite = selectors.invite_get_by_id_or_token(value)
        return invite, access.require_member(request.user, invite.team)

    def get_authenticators(self) -> list:
        # No authentication at all for the public read, so a stale token cannot break it.
        request = getattr(self, "request", None)
        if request is not None and request.method in ("GET", "HEAD"):
            return []
        return super().get_authenticators()

    @extend_schema(responses=InvitePublicOutput, auth=[])
    @requires(AllowAny)
    def retrieve(self, request: Request, token: str) -> Response:
        """GET by raw token is public (the invite page); DELETE by id or token is for ADMINs."""
        invite = selectors.invite_get_by_token(token)
        return Response(InvitePublicOutput(invite).data)

    # A DELETE that answers 200 with a body: drf-spectacular would document 204 otherwise.
    @extend_schema(
        responses={200: inline_serializer("InviteRevoked", {"message": serializers.CharField()})}
    )
    def destroy(self, request: Request, token: str) -> Response:
        """GET by raw token is public (the invite page); DELETE by id or token is for ADMINs."""
        services.invite_revoke(invite=self.scope_object, revoked_by=request.user)
        return Response({"message": "Invite revoked successfully"})

    # Public, but a bearer token is honoured when present (accepting as a signed-in user).
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
    @action(detail=True, methods=["post"], permission_classes=[AllowAny])
    def accept(self, request: Request, token: str) -> Response:
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


class TeamCycleViewSet(TeamScopedViewSet):
    """``teams/{team_id}/cycles``: members list and read the active one; leaders create."""

    @extend_schema(
        parameters=[
            OpenApiParameter("upcoming", bool, description="true (default): today and later"),
            OpenApiParameter("limit", int),
            OpenApiParameter("cursor", str),
        ],
        responses=page_output("CyclePage", CycleOutput),
    )
    def list(self, request: Request, team_id: str) -> Response:
        params = request.query_params
        cycles, ordering = selectors.cycle_list_for_team(
            team=self.team, upcoming=bool(query_bool(params, "upcoming", True))
        )
        return Response(
            paginate(params, cycles, ordering, lambda page: CycleOutput(page, many=True).data)
        )

    @extend_schema(request=CycleCreateInput, responses={201: _CycleBody})
    @requires(IsSectionLeader)
    def create(self, request: Request, team_id: str) -> Response:
        data = _validated(CycleCreateInput, request.data)
        cycle = services.cycle_create(
            team=self.team, date=data["date"], label=data.get("label"), created_by=request.user
        )
        return Response({"cycle": _cycle(cycle)}, status=status.HTTP_201_CREATED)

    @extend_schema(
        responses=inline_serializer("ActiveCycle", {"cycle": CycleOutput(allow_null=True)})
    )
    @action(detail=False)
    def active(self, request: Request, team_id: str) -> Response:
        cycle = selectors.cycle_active_for_team(self.team)
        return Response({"cycle": _cycle(cycle) if cycle is not None else None})


class CycleViewSet(CycleScopedViewSet):
    """``cycles/{cycle_id}``: members read, leaders change, ADMINs delete."""

    lookup_url_kwarg = "cycle_id"

    @extend_schema(responses=_CycleBody)
    def retrieve(self, request: Request, cycle_id: str) -> Response:
        return Response({"cycle": _cycle(self.cycle)})

    @extend_schema(request=CycleUpdateInput, responses=_CycleBody)
    @requires(IsSectionLeader)
    def partial_update(self, request: Request, cycle_id: str) -> Response:
        data = _validated(CycleUpdateInput, request.data)
        cycle = services.cycle_update(
            cycle=self.cycle,
            date=data.get("date"),
            label=data.get("label"),
            updated_by=request.user,
        )
        return Response({"cycle": _cycle(cycle)})

    @extend_schema(responses={204: None})
    @requires(IsTeamAdmin)
    def destroy(self, request: Request, cycle_id: str) -> Response:
        services.cycle_delete(cycle=self.cycle, deleted_by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- calendar feed ----------------------------------------------------------------------------


class _JsonErrorsNegotiation(BaseContentNegotiation):
    """Calendar apps ask for text/calendar; the feed itself is a plain HttpResponse, and an
    error must still be the JSON envelope rather than a 406."""

    def select_parser(self, request: Any, parsers: list) -> Any:
        return parsers[0] if parsers else None

    def select_renderer(self, request: Any, renderers: list, format_suffix: Any = None) -> tuple:
        return renderers[0], renderers[0].media_type


class CalendarFeedViewSet(ApiViewSet):
    """``teams/{team_id}/calendar.ics``: public, the secret token in the URL is the credential
    (calendar apps send no headers), so it is not membership-scoped."""

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
    def list(self, request: Request, team_id: str) -> HttpResponse:
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
