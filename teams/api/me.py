"""GET /me and GET /me/teams: the user with their memberships (teams owns memberships)."""

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.api.serializers import UserOutput, user_data
from practiceops.core.viewsets import ApiViewSet
from teams.models import Membership


class MeViewSet(ApiViewSet):
    """``/me`` (the router's collection route: there is no id, the caller is the resource)."""

    @extend_schema(
        responses=inline_serializer(
            "MeOutput",
            {
                "user": UserOutput(),
                "primary_team": inline_serializer(
                    "PrimaryTeam",
                    {
                        "team_id": serializers.UUIDField(),
                        "role": serializers.CharField(),
                        "section": serializers.CharField(allow_null=True),
                    },
                    allow_null=True,
                ),
            },
        )
    )
    def list(self, request: Request) -> Response:
        primary = (
            Membership.objects.filter(user=request.user)
            .order_by("created_at", "id")
            .values("team_id", "role", "section")
            .first()
        )
        return Response({"user": user_data(request.user), "primary_team": primary})

    @extend_schema(
        responses=inline_serializer(
            "MyTeamsOutput",
            {
                "items": inline_serializer(
                    "MyTeam",
                    {
                        "team_id": serializers.UUIDField(),
                        "team_name": serializers.CharField(),
                        "role": serializers.CharField(),
                        "section": serializers.CharField(allow_null=True),
                        "joined_at": serializers.DateTimeField(),
                    },
                    many=True,
                )
            },
        )
    )
    @action(detail=False)
    def teams(self, request: Request) -> Response:
        rows = (
            Membership.objects.filter(user=request.user)
            .order_by("created_at", "id")
            .values("team_id", "team__name", "role", "section", "created_at")
        )
        items = [
            {
                "team_id": row["team_id"],
                "team_name": row["team__name"],
                "role": row["role"],
                "section": row["section"],
                "joined_at": row["created_at"],
            }
            for row in rows
        ]
        return Response({"items": items})
