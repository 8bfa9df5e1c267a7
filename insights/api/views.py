"""Dashboards, catch-up and outcomes (api.md → Dashboards, Catch-up and outcomes): thin actions
over the insights selectors.

``DashboardViewSet`` is scoped to the team in the URL; each dashboard is an ``@action`` that
declares its role, so a new dashboard is one method. ``CatchUpViewSet`` answers
``teams/{team_id}/catch-up``, which sits beside the dashboards rather than under them.
"""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from insights import selectors
from insights.api.serializers import (
    CatchUpOutput,
    ComplianceInsightsOutput,
    LeaderDashboardOutput,
    MemberDashboardOutput,
    OutcomesOutput,
)
from practiceops.core.params import query_date, query_datetime, query_uuid
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
    @action(detail=False, url_path="leader/outcomes", permission_classes=[IsSectionLeader])
    def outcomes(self, request: Request, team_id: str) -> Response:
        params = request.query_params
        return Response(
            selectors.outcomes_get(
                team=self.team,
                membership=self.membership,
                date_from=query_date(params, "from"),
                date_to=query_date(params, "to"),
            )
        )


class CatchUpViewSet(TeamScopedViewSet):
    """``teams/{team_id}/catch-up``: any member, for their own part."""

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
    def list(self, request: Request, team_id: str) -> Response:
        since = query_datetime(request.query_params, "since", tz=self.team.tzinfo)
        return Response(
            selectors.catch_up_get(team=self.team, membership=self.membership, since=since)
        )
