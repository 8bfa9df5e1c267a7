"""THE role gate: the only code that knows how roles rank (STYLE.md).

Every app asks here whether a user may act in a team. A caller who is not a member is
refused with 403 "Not a member of this team"; a member without the role gets a 403 naming
the role needed; an id that does not exist is 404.
"""

from __future__ import annotations

import uuid
from typing import Any

from practiceops.core.errors import Forbidden, NotFound
from practiceops.core.params import parse_uuid
from practiceops.core.rowsql import ModelRows
from teams.models import Membership, RehearsalCycle, Role, Team

NOT_A_MEMBER = "Not a member of this team"
LEADER_REQUIRED = "Section leader or admin role required"
ADMIN_REQUIRED = "Admin role required"
CYCLE_NOT_FOUND = "Cycle not found"

_RANK = {Role.MEMBER: 0, Role.SECTION_LEADER: 1, Role.ADMIN: 2}


def role_at_least(membership: Membership, role: str) -> bool:
    return _RANK[Role(membership.role)] >= _RANK[Role(role)]


def is_leader(membership: Membership) -> bool:
    return role_at_least(membership, Role.SECTION_LEADER)


def is_admin(membership: Membership) -> bool:
    return membership.role == Role.ADMIN


def own_section(membership: Membership) -> str | None:
    """The caller's section, or None: a leader with no section has no own section."""
    return membership.section or None


def in_own_section(membership: Membership, section: str | None) -> bool:
    return bool(section) and own_section(membership) == section


def team_get(team_id: Any, *, field: str = "team_id") -> Team:
    pk = team_id if isinstance(team_id, uuid.UUID) else parse_uuid(team_id, field=field)
    team = Team.objects.filter(pk=pk).first()
    if team is None:
        raise NotFound("Team not found")
    return team


def membership_get(user: Any, team: Team | uuid.UUID) -> Membership | None:
    team_id = team.pk if isinstance(team, Team) else team
    if not getattr(user, "is_authenticated", False):
        return None
    return Membership.objects.filter(team_id=team_id, user_id=user.pk).first()


def require_member(user: Any, team: Team | uuid.UUID) -> Membership:
    membership = membership_get(user, team)
    if membership is None:
        raise Forbidden(NOT_A_MEMBER)
    if isinstance(team, Team):
        membership.team = team  # saves a query for callers that read membership.team
    return membership


def require_leader(user: Any, team: Team | uuid.UUID) -> Membership:
    return check_role(require_member(user, team), Role.SECTION_LEADER)


def require_admin(user: Any, team: Team | uuid.UUID) -> Membership:
    return check_role(require_member(user, team), Role.ADMIN)


def check_role(membership: Membership, role: str) -> Membership:
    """403 naming the role when ``membership`` ranks below ``role``."""
    if role == Role.ADMIN and not is_admin(membership):
        raise Forbidden(ADMIN_REQUIRED)
    if role == Role.SECTION_LEADER and not is_leader(membership):
        raise Forbidden(LEADER_REQUIRED)
    return membership


def require_role(user: Any, team: Team | uuid.UUID, role: str) -> Membership:
    return check_role(require_member(user, team), role)


def team_and_membership(
    user: Any, team_id: Any, *, role: str = Role.MEMBER
) -> tuple[Team, Membership]:
    """Look the team up (404) and check the caller's role in it (403) before any handler runs.

    One query (``_TEAM_AND_CALLER``): the team with the caller's membership, absent when the
    caller is not a member.
    """
    pk = team_id if isinstance(team_id, uuid.UUID) else parse_uuid(team_id, field="team_id")
    found = _TEAM_AND_CALLER.fetch_one([(_MEMBERSHIP_USER, _caller_id(user)), (Team._meta.pk, pk)])
    if found is None:
        raise NotFound("Team not found")
    team, membership = found
    if membership is None:
        raise Forbidden(NOT_A_MEMBER)
    membership.team = team
    return team, check_role(membership, role)


def require_admin_or_self(
    user: Any, team: Team | uuid.UUID, target_user_id: uuid.UUID
) -> Membership:
    """Changing or removing a member is for ADMINs, except that a member may leave on their own."""
    return check_admin_or_self(require_member(user, team), target_user_id)


def check_admin_or_self(membership: Membership, target_user_id: uuid.UUID) -> Membership:
    """403 naming the ADMIN role unless ``membership`` is an ADMIN's or the target's own."""
    if membership.user_id != target_user_id and not is_admin(membership):
        raise Forbidden(ADMIN_REQUIRED)
    return membership


def cycle_and_membership(
    user: Any, cycle_id: Any, *, role: str = Role.MEMBER, field: str = "cycle_id"
) -> tuple[RehearsalCycle, Membership]:
    """Look the cycle up (404) and check the caller's role in its team (403).

    One query (``_CYCLE_AND_CALLER``): the cycle with its team and the caller's membership of
    that team (absent when the caller is not a member).
    """
    pk = cycle_id if isinstance(cycle_id, uuid.UUID) else parse_uuid(cycle_id, field=field)
    found = _CYCLE_AND_CALLER.fetch_one(
        [(_MEMBERSHIP_USER, _caller_id(user)), (RehearsalCycle._meta.pk, pk)]
    )
    if found is None:
        raise NotFound(CYCLE_NOT_FOUND)
    cycle, team, membership = found
    if membership is None:
        raise Forbidden(NOT_A_MEMBER)
    cycle.team = team
    membership.team = team
    return cycle, check_role(membership, role)


def _caller_id(user: Any) -> uuid.UUID | None:
    # NULL matches no membership: an anonymous caller is "not a member".
    return user.pk if getattr(user, "is_authenticated", False) else None


_MEMBERSHIP_USER = Membership._meta.get_field("user")

# Every team-scoped request: the team and the caller's membership of it (NULL columns when the
# caller is not a member), SQL written once (practiceops/core/rowsql.py).
_TEAM_AND_CALLER = ModelRows(
    [(Team, "t"), (Membership, "m")],
    "FROM {t} LEFT JOIN {m} ON m.team_id = t.id AND m.user_id = %s WHERE t.id = %s",
)
# Every cycle-scoped request: the cycle, its team and the caller's membership of that team.
_CYCLE_AND_CALLER = ModelRows(
    [(RehearsalCycle, "c"), (Team, "t"), (Membership, "m")],
    "FROM {c} INNER JOIN {t} ON t.id = c.team_id"
    " LEFT JOIN {m} ON m.team_id = t.id AND m.user_id = %s WHERE c.id = %s",
)


# The caller's scope as a prepared query's shape and values (practiceops/core/prepared.py).


def scope_shape(membership: Membership) -> tuple[str, bool]:
    """What in a membership changes the SQL of the scope filters: the role, having a section."""
    return (membership.role, own_section(membership) is not None)


def scope_values(membership: Membership) -> dict[str, Any]:
    """What in a membership the scope filters compare with (the section only when it has one)."""
    values = {"team_id": membership.team_id, "user_id": membership.user_id}
    section = own_section(membership)
    if section is not None:
        values["section"] = section
    return values


def scope_member(
    shape: tuple[str, bool], team_id: Any, user_id: Any, section: str | None = None
) -> Membership:
    """An unsaved membership with these values, for the scope filters to be built from."""
    return Membership(team_id=team_id, user_id=user_id, role=shape[0], section=section)
