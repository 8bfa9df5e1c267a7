"""Membership roles as DRF permission classes: where the API declares who may call an action.

Each class reads the caller's membership from the scoped ViewSet (``practiceops.core.viewsets``
resolves it once, 404 for an unknown team/cycle/object, 403 "Not a member of this team") and asks
``teams/access.py`` — the only code that ranks roles — whether it is enough. A refusal raises the
project's ``Forbidden`` with the message ``access`` chooses (``"Section leader or admin role
required"``, ``"Admin role required"``), so the answers are those of the role gate itself. An
anonymous caller gets ``False``, which DRF answers with 401 before any lookup.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ImproperlyConfigured
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from practiceops.core.params import parse_uuid
from teams import access
from teams.models import Role


def _membership(request: Request, view: Any) -> Any | None:
    if not request.user or not request.user.is_authenticated:
        return None
    if not getattr(view, "is_scoped", lambda: False)():
        raise ImproperlyConfigured(
            f"{type(view).__name__}.{view.action}: a team role needs a scoped route"
        )
    return view.get_scope()[1]


class IsTeamMember(BasePermission):
    """Any member of the team the route names (the scope's own lookup says 404 or 403)."""

    role: str = Role.MEMBER

    def has_permission(self, request: Request, view: Any) -> bool:
        membership = _membership(request, view)
        if membership is None:
            return False
        access.check_role(membership, self.role)
        return True


class IsSectionLeader(IsTeamMember):
    """A SECTION_LEADER or an ADMIN (``access`` ranks ADMIN above SECTION_LEADER)."""

    role = Role.SECTION_LEADER


class IsTeamAdmin(IsTeamMember):
    role = Role.ADMIN


class IsTeamAdminOrSelf(IsTeamMember):
    """An ADMIN, or the member the route's ``user_id`` names acting on themself (leaving)."""

    def has_permission(self, request: Request, view: Any) -> bool:
        membership = _membership(request, view)
        if membership is None:
            return False
        target = parse_uuid(view.kwargs["user_id"], field="user_id")
        access.check_admin_or_self(membership, target)
        return True
