"""Which assignments a member sees (domain.md): TEAM + own section; ADMIN all."""

from __future__ import annotations

from django.db.models import Q

from practice.models import AssignmentScope
from teams.access import is_admin, own_section
from teams.models import Membership


def visible_assignments_q(membership: Membership, *, prefix: str = "") -> Q:
    return Q(**{f"{prefix}cycle__team_id": membership.team_id}) & assignment_scope_q(
        membership, prefix=prefix
    )


def assignment_scope_q(membership: Membership, *, prefix: str = "") -> Q:
    """The scope rule alone, for assignments already known to be of the member's team."""
    if is_admin(membership):
        return Q()
    rule = Q(**{f"{prefix}scope": AssignmentScope.TEAM})
    section = own_section(membership)
    if section:
        rule |= Q(**{f"{prefix}scope": AssignmentScope.SECTION, f"{prefix}section": section})
    return rule
