"""Who may manage assignments (domain.md): the checks ``practice.services`` refuses with, as
pure functions of the caller's membership, so a page offers exactly what the service accepts."""

from __future__ import annotations

from practice.models import Assignment, AssignmentScope
from teams.access import is_admin, is_leader, own_section
from teams.models import Membership


def assignment_scopes_for(membership: Membership) -> list[str]:
    """The scopes the member may create: ADMIN any; a SECTION_LEADER with a section only
    SECTION assignments (for their own section); anyone else none."""
    if is_admin(membership):
        return [AssignmentScope.TEAM, AssignmentScope.SECTION]
    if is_leader(membership) and own_section(membership):
        return [AssignmentScope.SECTION]
    return []


def can_edit_assignment(membership: Membership, assignment: Assignment) -> bool:
    return is_admin(membership) or assignment.created_by_id == membership.user_id


def can_delete_assignment(membership: Membership) -> bool:
    return is_admin(membership)
