"""Which assignments a member sees (domain.md): TEAM + own section; ADMIN all."""

from __future__ import annotations

from django.db.models import Q

from practice.models import AssignmentScope
from teams.access import is_admin, own_section
from teams.models import Membership


def visible_assignments_q(membership: Membership, *, prefix: str = "") -> Q:
    p = prefix
    team_q = Q(**{f"{p}cycle__team_id": membership.team_id})
    if is_admin(membership):
        return team_q
    rule = Q(**{f"{p}scope": AssignmentScope.TEAM})
    section = own_section(membership)
    if section:
        rule |= Q(**{f"{p}scope": AssignmentScope.SECTION, f"{p}section": section})
    return team_q & rule
