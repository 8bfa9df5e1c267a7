"""Teams: reads on a caller's behalf, and the one definition of a team's active cycle."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable, Sequence

from django.db.models import OuterRef, QuerySet, Subquery

from practiceops.core.errors import NotFound
from teams.models import Invite, Membership, RehearsalCycle, Team
from teams.services import INVITE_NOT_FOUND, token_hash

CALENDAR_NOT_FOUND = "Calendar not found"

MEMBER_ORDERING = ("created_at", "id")
INVITE_ORDERING = ("-created_at", "-id")
UPCOMING_CYCLE_ORDERING = ("date", "id")
PAST_CYCLE_ORDERING = ("-date", "-id")

MEMBER_FIELDS = (
    "id",
    "user_id",
    "user__email",
    "user__display_name",
    "role",
    "section",
    "created_at",
)


# --- members and invites ----------------------------------------------------------------------


def member_list_for_user(
    *, membership: Membership, section: str | None = None, role: str | None = None
) -> QuerySet:
    """The members of the caller's team as dicts (one query, whatever the team's size).

    Listing members is for leaders, who see the whole team (domain.md); the role gate is
    applied by the caller through teams.access.
    """
    rows = Membership.objects.filter(team_id=membership.team_id)
    if section is not None:
        rows = rows.filter(section=section)
    if role is not None:
        rows = rows.filter(role=role)
    return rows.values(*MEMBER_FIELDS)


def invite_list_for_team(*, team: Team, include_used: bool = False) -> QuerySet:
    invites = Invite.objects.filter(team=team)
    if not include_used:
        invites = invites.filter(used_at__isnull=True)
    return invites


def invite_get_by_token(raw_token: str) -> Invite:
    invite = (
        Invite.objects.select_related("team").filter(token_hash=token_hash(raw_token)).first()
        if raw_token
        else None
    )
    if invite is None:
        raise NotFound(INVITE_NOT_FOUND)
    return invite


def invite_get_by_id_or_token(value: str) -> Invite:
    """An invite named by its id or by its raw token (revocation accepts either)."""
    try:
        invite_id = uuid.UUID(value)
    except ValueError:
        invite_id = None
    if invite_id is not None:
        invite = Invite.objects.select_related("team").filter(pk=invite_id).first()
        if invite is not None:
            return invite
    return invite_get_by_token(value)


# --- rehearsal cycles ---------------------------------------------------------------------------


def cycle_list_for_team(*, team: Team, upcoming: bool) -> tuple[QuerySet, tuple[str, ...]]:
    """Upcoming cycles (dated today or later in the team's timezone) soonest first, or past
    cycles latest first; returns the queryset and its keyset ordering."""
    today = team.today()
    if upcoming:
        return RehearsalCycle.objects.filter(team=team, date__gte=today), UPCOMING_CYCLE_ORDERING
    return RehearsalCycle.objects.filter(team=team, date__lt=today), PAST_CYCLE_ORDERING


def cycle_active_for_team(
    team: Team, *, today: datetime.date | None = None
) -> RehearsalCycle | None:
    """THE active cycle of a team (domain.md): the nearest cycle dated today or later in the
    team's timezone, else the latest past one, else None. Every part of the product uses this."""
    today = today or team.today()
    upcoming = (
        RehearsalCycle.objects.filter(team=team, date__gte=today).order_by("date", "id").first()
    )
    if upcoming is not None:
        return upcoming
    return RehearsalCycle.objects.filter(team=team, date__lt=today).order_by("-date", "-id").first()


def cycle_active_among(
    cycles: Sequence[RehearsalCycle], today: datetime.date
) -> RehearsalCycle | None:
    """``cycle_active_for_team``'s rule over a team's cycles already loaded in (date, id) order
    (a page that lists them anyway saves the query)."""
    for cycle in cycles:
        if cycle.date >= today:
            return cycle
    return cycles[-1] if cycles else None


def cycles_active_for_teams(teams: Iterable[Team]) -> dict[uuid.UUID, RehearsalCycle | None]:
    """The active cycle of each team, by team id, with the definition of
    ``cycle_active_for_team`` and a bounded number of queries (for jobs over many teams).

    Teams are grouped by their local "today" (at most three distinct dates across all
    timezones); each group costs one query, plus one to load the cycles.
    """
    teams = list(teams)
    by_today: dict[datetime.date, list[uuid.UUID]] = {}
    for team in teams:
        by_today.setdefault(team.today(), []).append(team.pk)
    chosen: dict[uuid.UUID, uuid.UUID | None] = {}
    for today, team_ids in by_today.items():
        upcoming = RehearsalCycle.objects.filter(team=OuterRef("pk"), date__gte=today).order_by(
            "date", "id"
        )
        past = RehearsalCycle.objects.filter(team=OuterRef("pk"), date__lt=today).order_by(
            "-date", "-id"
        )
        rows = Team.objects.filter(pk__in=team_ids).annotate(
            upcoming_id=Subquery(upcoming.values("id")[:1]),
            past_id=Subquery(past.values("id")[:1]),
        )
        for team_id, upcoming_id, past_id in rows.values_list("pk", "upcoming_id", "past_id"):
            chosen[team_id] = upcoming_id or past_id
    cycle_ids = [cycle_id for cycle_id in chosen.values() if cycle_id is not None]
    cycles = RehearsalCycle.objects.in_bulk(cycle_ids) if cycle_ids else {}
    return {team.pk: cycles.get(chosen.get(team.pk)) for team in teams}


# --- calendar feed ----------------------------------------------------------------------------


def calendar_membership_get(*, team_id: uuid.UUID, raw_token: str | None) -> Membership:
    """The membership whose secret calendar token this is, in this team (404 otherwise).

    A wrong, revoked or missing token, another team's token, and the token of a deactivated
    account all answer the same 404: the feed reveals nothing without a live token.
    """
    membership = None
    if raw_token:
        membership = (
            Membership.objects.select_related("team")
            .filter(
                team_id=team_id,
                calendar_token_hash=token_hash(raw_token),
                user__is_active=True,
            )
            .first()
        )
    if membership is None:
        raise NotFound(CALENDAR_NOT_FOUND)
    return membership


def cycle_list_for_calendar(*, team: Team) -> QuerySet:
    return RehearsalCycle.objects.filter(team=team).order_by("date", "id")
