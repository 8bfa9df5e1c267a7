"""The scoped ViewSet bases: the scope is resolved before any action, whatever the action does.

A new action on a team-scoped ViewSet that never reads ``self.membership`` must still refuse an
outsider (403) and an unknown team (404); and every API route is a ViewSet (STYLE.md).
"""

from __future__ import annotations

import uuid

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory, force_authenticate

from practiceops.core.viewsets import ApiViewSet, requires
from teams.access import ADMIN_REQUIRED, LEADER_REQUIRED, NOT_A_MEMBER
from teams.api.permissions import IsSectionLeader, IsTeamAdmin
from teams.api.viewsets import TeamScopedViewSet

pytestmark = pytest.mark.django_db


class _Probe(TeamScopedViewSet):
    calls: list[str] = []

    def retrieve(self, request, team_id):
        _Probe.calls.append("retrieve")
        return Response({"ok": True})

    @requires(IsTeamAdmin)
    def destroy(self, request, team_id):
        _Probe.calls.append("destroy")
        return Response({"role": self.membership.role})

    @action(detail=True, permission_classes=[IsSectionLeader])
    def probe(self, request, team_id):
        _Probe.calls.append("probe")
        return Response({"team": str(self.team.pk)})


def _call(user, method, team_id, action_name):
    request = getattr(APIRequestFactory(), method)(f"/probe/{team_id}")
    if user is not None:
        force_authenticate(request, user=user)
    view = _Probe.as_view({method: action_name})
    response = view(request, team_id=str(team_id))
    response.render()
    return response


def _error(response):
    import json

    return response.status_code, json.loads(response.content)["error"]["message"]


def test_an_action_that_ignores_the_scope_still_refuses_outsiders_and_unknown_teams(
    team, outsider, alto_member
):
    _Probe.calls.clear()
    assert _error(_call(outsider.user, "get", team.pk, "retrieve")) == (403, NOT_A_MEMBER)
    assert _error(_call(alto_member.user, "get", uuid.uuid4(), "retrieve")) == (
        404,
        "Team not found",
    )
    assert _call(None, "get", team.pk, "retrieve").status_code == 401
    assert _Probe.calls == []
    assert _call(alto_member.user, "get", team.pk, "retrieve").status_code == 200
    assert _Probe.calls == ["retrieve"]


def test_roles_are_declared_per_action(team, admin, soprano_leader, alto_member):
    _Probe.calls.clear()
    assert _error(_call(alto_member.user, "get", team.pk, "probe")) == (403, LEADER_REQUIRED)
    assert _error(_call(soprano_leader.user, "delete", team.pk, "destroy")) == (
        403,
        ADMIN_REQUIRED,
    )
    assert _Probe.calls == []
    assert _call(soprano_leader.user, "get", team.pk, "probe").data == {"team": str(team.pk)}
    assert _call(admin.user, "delete", team.pk, "destroy").data == {"role": "ADMIN"}


def test_the_scope_is_looked_up_once_per_request(team, admin, django_assert_num_queries):
    # One query for the membership with its team, though the permission class and initial()
    # both ask for the scope (the user comes from force_authenticate: no query).
    with django_assert_num_queries(1):
        assert _call(admin.user, "delete", team.pk, "destroy").status_code == 200


def _patterns(resolver, prefix=""):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from _patterns(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry.callback


def test_every_api_route_is_a_viewset():
    # Documented exceptions: the schema and docs views (drf-spectacular's own), /health (a DRF
    # function view, no resource), the catch-all 404, the Django admin console and the web app
    # (HTML pages at /app/, and the redirects of "/" and "/app" to it).
    exceptions = {"openapi.json", "docs", "redoc", "health", "^(?!admin/|static/).*$", "", "app"}
    checked = 0
    for route, callback in _patterns(get_resolver()):
        if route in exceptions or route.startswith("app/"):
            continue
        if route.startswith("admin/") and "jobs" not in route:
            continue
        cls = getattr(callback, "cls", None)
        assert cls is not None and issubclass(cls, ApiViewSet), route
        checked += 1
    assert checked >= 40
