"""Permission classes that know nothing of teams (the team roles are in teams/api/permissions)."""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from practiceops.core.errors import Forbidden

STAFF_REQUIRED = "Staff access required"


class IsStaff(BasePermission):
    """Only ``is_staff`` users; a team ADMIN is not staff (the first PracticeOps let them in)."""

    def has_permission(self, request: Request, view: Any) -> bool:
        if not request.user or not request.user.is_authenticated:
            return False
        if not request.user.is_staff:
            raise Forbidden(STAFF_REQUIRED)
        return True
