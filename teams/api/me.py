"""GET /me and GET /me/teams: the user with their memberships (teams owns memberships)."""

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.api.serializers import UserOutput, user_data
from practiceops.core.rowsql import ModelRows
from practiceops.core.viewsets import ApiViewSet
from teams.models import Membership

# The caller's first membership (the primary team): /me runs on every page load of a client,
# so its one query is SQL written once (practiceops/core/rowsql.py).
_PRIMARY_MEMBERSHIP = ModelRows(
    [(Membership, "m", ("team_id", "role", "section"))],
    "FROM {m} WHERE m.user_id = %s ORDER BY m.created_at, m.id LIMIT 1",
)


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
        found = _PRIMARY_MEMBERSHIP.fetch_one(
            [(Membership._meta.get_field("user"), request.user.pk)]
        )
        membership = found[0] if found else None
        primary = (
            None
            if membership is None
            else {
                "team_id": membership.team_id,
                "role": membership.role,
                "section": membership.section,
            }
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
