"""Team- and cycle-scoped ViewSet bases: the team (or cycle) and the caller's membership are
resolved once in ``initial()`` through ``teams/access.py`` (one query for a member), before any
action or role check runs. Apps above teams subclass these for their nested collections
(``teams/<team_id>/tickets``, ``cycles/<cycle_id>/practice-logs``, …) and declare roles with
``teams.api.permissions``.
"""

from __future__ import annotations

from rest_framework.request import Request

from practiceops.core.viewsets import ScopedViewSet
from teams import access
from teams.api.permissions import IsTeamMember
from teams.models import Membership, RehearsalCycle, Team


class TeamScopedViewSet(ScopedViewSet):
    """Routes under ``teams/<str:team_id>``: 404 unknown team, 403 "Not a member of this team"."""

    scope_kwarg = "team_id"
    permission_classes = [IsTeamMember]

    def resolve_scope(self, request: Request, value: str) -> tuple[Team, Membership]:
        return access.team_and_membership(request.user, value)

    @property
    def team(self) -> Team:
        return self.scope_object


class CycleScopedViewSet(ScopedViewSet):
    """Routes under ``cycles/<str:cycle_id>``: the cycle, its team and the caller's membership
    in one query (404 unknown cycle, 403 not a member)."""

    scope_kwarg = "cycle_id"
    permission_classes = [IsTeamMember]

    def resolve_scope(self, request: Request, value: str) -> tuple[RehearsalCycle, Membership]:
        return access.cycle_and_membership(request.user, value)

    @property
    def cycle(self) -> RehearsalCycle:
        return self.scope_object
