"""Dashboards (api.md → Dashboards): thin views over the insights selectors."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from insights import selectors
from insights.api.serializers import (
    CatchUpOutput,
    ComplianceInsightsOutput,
    LeaderDashboardOutput,
    MemberDashboardOutput,
    OutcomesOutput,
)
from practiceops.core.params import query_date, query_datetime, query_uuid
from teams.access import team_and_membership
from teams.models import Role

CYCLE_PARAM = OpenApiParameter(
    "cycle_id",
    OpenApiTypes.UUID,
    required=False,
    description="A cycle of this team; the active cycle when omitted.",
)


class MemberDashboardView(APIView):
    @extend_schema(
        parameters=[CYCLE_PARAM], responses={200: MemberDashboardOutput}, tags=["dashboards"]
    )
    def get(self, request: Request, team_id: str) -> Response:
        team, membership = team_and_membership(request.user, team_id, role=Role.MEMBER)
        cycle = selectors.dashboard_cycle(team, query_uuid(request.query_params, "cycle_id"))
        return Response(
            selectors.member_dashboard_get(team=team, membership=membership, cycle=cycle)
        )


class LeaderDashboardView(APIView):
    @extend_schema(
        parameters=[CYCLE_PARAM], responses={200: LeaderDashboardOutput}, tags=["dashboards"]
    )
    def get(self, request: Request, team_id: str) -> Response:
        team, membership = team_and_membership(request.user, team_id, role=Role.SECTION_LEADER)
        cycle = selectors.dashboard_cycle(team, query_uuid(request.query_params, "cycle_id"))
        return Response(
            selectors.leader_dashboard_get(team=team, membership=membership, cycle=cycle)
        )


class ComplianceInsightsView(APIView):
    @extend_schema(responses={200: ComplianceInsightsOutput}, tags=["dashboards"])
    def get(self, request: Request, team_id: str) -> Response:
        team, membership = team_and_membership(request.user, team_id, role=Role.SECTION_LEADER)
        return Response(selectors.compliance_insights_get(team=team, membership=membership))


class CatchUpView(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter(
                "since",
                OpenApiTypes.DATETIME,
                required=False,
                description="ISO 8601; without an offset, the team's timezone. Default: the "
                "start of the latest rehearsal day before today, else 7 days ago.",
            )
        ],
        responses={200: CatchUpOutput},
        tags=["dashboards"],
    )
    def get(self, request: Request, team_id: str) -> Response:
        team, membership = team_and_membership(request.user, team_id)
        since = query_datetime(request.query_params, "since", tz=team.tzinfo)
        return Response(selectors.catch_up_get(team=team, membership=membership, since=since))


class OutcomesView(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter("from", OpenApiTypes.DATE, required=False),
            OpenApiParameter(
                "to",
                OpenApiTypes.DATE,
                required=False,
                description="Days in the team's timezone; default the 28 days ending today; "
                "at most 366 days.",
            ),
        ],
        responses={200: OutcomesOutput},
        tags=["dashboards"],
    )
    def get(self, request: Request, team_id: str) -> Response:
        team, membership = team_and_membership(request.user, team_id, role=Role.SECTION_LEADER)
        params = request.query_params
        return Response(
            selectors.outcomes_get(
                team=team,
                membership=membership,
                date_from=query_date(params, "from"),
                date_to=query_date(params, "to"),
            )
        )
