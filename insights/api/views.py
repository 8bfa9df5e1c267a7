"""Dashboards (api.md → Dashboards): thin actions over the insights selectors.

``DashboardViewSet`` is scoped to the team in the URL; each dashboard is an ``@action`` that
declares its role, so a new dashboard is one method.
"""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from insights import selectors
from insights.api.serializers import (
    ComplianceInsightsOutput,
    LeaderDashboardOutput,
    MemberDashboardOutput,
)
from practiceops.core.params import query_uuid
from teams.api.permissions import IsSectionLeader
from teams.api.viewsets import TeamScopedViewSet

CYCLE_PARAM = OpenApiParameter(
    "cycle_id",
    OpenApiTypes.UUID,
    required=False,
    description="A cycle of this team; the active cycle when omitted.",
)


class DashboardViewSet(TeamScopedViewSet):
    """``teams/{team_id}/dashboards/…``."""

    @extend_schema(
        parameters=[CYCLE_PARAM], responses={200: MemberDashboardOutput}, tags=["dashboards"]
    )
    @action(detail=False)
    def member(self, request: Request, team_id: str) -> Response:
        cycle = selectors.dashboard_cycle(self.team, query_uuid(request.query_params, "cycle_id"))
        return Response(
            selectors.member_dashboard_get(team=self.team, membership=self.membership, cycle=cycle)
        )

    @extend_schema(
        parameters=[CYCLE_PARAM], responses={200: LeaderDashboardOutput}, tags=["dashboards"]
    )
    @action(detail=False, permission_classes=[IsSectionLeader])
    def leader(self, request: Request, team_id: str) -> Response:
        cycle = selectors.dashboard_cycle(self.team, query_uuid(request.query_params, "cycle_id"))
        return Response(
            selectors.leader_dashboard_get(team=self.team, membership=self.membership, cycle=cycle)
        )

    @extend_schema(responses={200: ComplianceInsightsOutput}, tags=["dashboards"])
    @action(
        detail=False, url_path="leader/compliance-insights", permission_classes=[IsSectionLeader]
    )
    def compliance_insights(self, request: Request, team_id: str) -> Response:
        return Response(
            selectors.compliance_insights_get(team=self.team, membership=self.membership)
        )
