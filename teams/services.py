"""Teams: every write to teams, memberships, invites, rehearsal cycles and calendar tokens."""

from __future__ import annotations

import datetime
import functools
import hashlib
import secrets
import uuid
import zoneinfo
from collections.abc import Callable
from typing import Any

import structlog
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from accounts.services import normalize_email, token_pair_for_user, user_register
from practiceops.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from teams.emails import invite_email_send
from teams.models import Invite, Membership, RehearsalCycle, Role, Team

logger = structlog.get_logger("practiceops.teams")

MEMBER_NOT_FOUND = "Member not found"
LAST_ADMIN_REMOVE = "Cannot remove the last admin from the team"
LAST_ADMIN_DEMOTE = "Cannot demote the last admin of the team"
INVITE_NOT_FOUND = "Invite not found"
INVITE_USED = "Invite has already been used"
INVITE_EXPIRED = "Invite has expired"
INVITE_OTHER_EMAIL = "This invite was sent to a different email address"
INVITEE_ALREADY_MEMBER = "This person is already a member of this team"
ALREADY_MEMBER = "Already a member of this team"
ACCOUNT_EXISTS = "An account with this email exists. Please log in to accept this invite."
CYCLE_DATE_TAKEN = "A rehearsal cycle already exists on this date"
UNKNOWN_TIMEZONE = "Unknown timezone (expected an IANA name such as Europe/Berlin)"
FIELD_REQUIRED = "This field is required."

DEFAULT_INVITE_HOURS = 168


class _Unset:
    """Marks a keyword argument the caller did not pass (None is a real value for section)."""

    def __repr__(self) -> str:
        return "UNSET"


UNSET: Any = _Unset()


# --- tokens -----------------------------------------------------------------------------------


def token_hash(raw: str) -> str:
    """The SHA-256 hex digest stored in place of a secret token shown once."""
    return hashlib.sha256(raw.encode()).hexdigest()


def _new_token() -> tuple[str, str]:
    raw = secrets.token_urlsafe(32)
    return raw, token_hash(raw)


def invite_link(raw_token: str) -> str:
    return f"{settings.FRONTEND_URL}/invites/{raw_token}"


# --- teams --------------------------------------------------------------------------------------


@functools.cache
def _known_timezones() -> frozenset[str]:
    # "localtime" and "posixrules" are files of the system database, not zone names.
    return frozenset(zoneinfo.available_timezones() - {"localtime", "posixrules", "Factory"})


def timezone_names() -> list[str]:
    """The names ``timezone_validate`` accepts, sorted (for a picker)."""
    return sorted(_known_timezones())


def timezone_validate(name: str) -> str:
    if name not in _known_timezones():
        raise ValidationFailed(UNKNOWN_TIMEZONE, field="timezone")
    return name


def _section(section: str | None) -> str | None:
    """Blank means "no section"; the database stores that as NULL."""
    if section is None:
        return None
    section = section.strip()
    return section or None


@transaction.atomic
def team_create(
    *, user: User, name: str, timezone_name: str = "UTC", weekly_goal_days: int = 3
) -> tuple[Team, Membership]:
    """Create a team; its creator becomes its ADMIN, with no section."""
    team = Team.objects.create(
        name=name, timezone=timezone_validate(timezone_name), weekly_goal_days=weekly_goal_days
    )
    membership = Membership.objects.create(team=team, user=user, role=Role.ADMIN, section=None)
    logger.info("team_created", team_id=str(team.pk), user_id=str(user.pk))
    return team, membership


# Called with the team, inside the transaction that changed its timezone: what another app
# keeps per team-local day is rebuilt there (the practice app registers its rollup rebuild
# when it loads; teams cannot import it).
TIMEZONE_CHANGE_HOOKS: list[Callable[[Team], None]] = []


def team_timezone_changed(team: Team) -> None:
    """Runs the timezone-change hooks; call in the transaction that saved the new timezone."""
    for hook in TIMEZONE_CHANGE_HOOKS:
        hook(team)


@transaction.atomic
def team_update(
    *,
    team: Team,
    name: str | None = None,
    timezone_name: str | None = None,
    weekly_goal_days: int | None = None,
) -> Team:
    fields: list[str] = []
    if name is not None:
        team.name = name
        fields.append("name")
    timezone_changed = False
    if timezone_name is not None:
        new_timezone = timezone_validate(timezone_name)
        timezone_changed = new_timezone != team.timezone
        team.timezone = new_timezone
        fields.append("timezone")
    if weekly_goal_days is not None:
        team.weekly_goal_days = weekly_goal_days
        fields.append("weekly_goal_days")
    if fields:
        team.save(update_fields=[*fields, "updated_at"])
        if timezone_changed:
            team_timezone_changed(team)
        logger.info("team_updated", team_id=str(team.pk), fields=fields)
    return team


# --- memberships ------------------------------------------------------------------------------


def _lock_team(team: Team) -> None:
    """Serialize the membership changes of one team.

    The last-admin rule reads the number of ADMINs and then changes one of them: without a
    lock, two ADMINs demoting (or removing) each other at once would both see two ADMINs and
    leave the team with none.
    """
    list(Team.objects.select_for_update().filter(pk=team.pk).values_list("pk", flat=True))


def _other_admins_exist(team: Team, membership: Membership) -> bool:
    return Membership.objects.filter(team=team, role=Role.ADMIN).exclude(pk=membership.pk).exists()


def _member_get(team: Team, user_id: uuid.UUID) -> Membership:
    membership = Membership.objects.filter(team=team, user_id=user_id).first()
    if membership is None:
        raise NotFound(MEMBER_NOT_FOUND)
    return membership


@transaction.atomic
def membership_update(
    *, team: Team, user_id: uuid.UUID, role: str | None = None, section: Any = UNSET
) -> Membership:
    """Change a member's role and/or section; the team keeps at least one ADMIN (locks the team)."""
    _lock_team(team)
    membership = _member_get(team, user_id)
    fields: list[str] = []
    if role is not None and role != membership.role:
        if membership.role == Role.ADMIN and not _other_admins_exist(team, membership):
            raise Conflict(LAST_ADMIN_DEMOTE, field="role")
        membership.role = role
        fields.append("role")
    if section is not UNSET:
        membership.section = _section(section)
        fields.append("section")
    if fields:
        membership.save(update_fields=[*fields, "updated_at"])
        logger.info(
            "member_updated",
            team_id=str(team.pk),
            user_id=str(user_id),
            role=membership.role,
            fields=fields,
        )
    return membership


@transaction.atomic
def membership_remove(*, team: Team, user_id: uuid.UUID, removed_by: User) -> None:
    """Remove a member (or let one leave); the last ADMIN stays (locks the team)."""
    _lock_team(team)
    membership = _member_get(team, user_id)
    if membership.role == Role.ADMIN and not _other_admins_exist(team, membership):
        raise Conflict(LAST_ADMIN_REMOVE)
    membership.delete()
    logger.info(
        "member_removed",
        team_id=str(team.pk),
        user_id=str(user_id),
        removed_by_id=str(removed_by.pk),
    )


# --- invites --------------------------------------------------------------------------------


@transaction.atomic
def invite_create(
    *,
    team: Team,
    created_by: User,
    email: str | None = None,
    role: str = Role.MEMBER,
    section: str | None = None,
    expires_in_hours: int = DEFAULT_INVITE_HOURS,
) -> tuple[Invite, str]:
    """Create an invite and return it with its raw token, which is never stored.

    When ``email`` is set, only that address may accept, and an invitation e-mail is sent
    once the transaction commits.
    """
    email = normalize_email(email) if email else None
    if email and Membership.objects.filter(team=team, user__email=email).exists():
        raise Conflict(INVITEE_ALREADY_MEMBER, field="email")
    raw, digest = _new_token()
    invite = Invite.objects.create(
        team=team,
        token_hash=digest,
        email=email,
        role=role,
        section=_section(section),
        expires_at=timezone.now() + datetime.timedelta(hours=expires_in_hours),
        created_by=created_by,
    )
    logger.info(
        "invite_created",
        team_id=str(team.pk),
        invite_id=str(invite.pk),
        created_by_id=str(created_by.pk),
        bound_to_email=email is not None,
    )
    if email:
        invite_email_send(invite=invite, raw_token=raw, invited_by=created_by)
    return invite, raw


def _invite_lock(raw_token: str) -> Invite:
    invite = (
        Invite.objects.select_for_update().filter(token_hash=token_hash(raw_token)).first()
        if raw_token
        else None
    )
    if invite is None:
        raise NotFound(INVITE_NOT_FOUND)
    return invite


@transaction.atomic
def invite_accept(
    *,
    raw_token: str,
    user: User | None = None,
    name: str | None = None,
    email: str | None = None,
    password: str | None = None,
) -> tuple[Membership, dict[str, str] | None]:
    """Join the invite's team, as the signed-in ``user`` or as a new account.

    The invite row is locked first: of two simultaneous accepts, the second waits for the
    first to commit, then finds the invite used (409). Returns the membership and, for a new
    account, its token pair (None when the caller was already signed in).
    """
    invite = _invite_lock(raw_token)
    if invite.is_used:
        raise Conflict(INVITE_USED)
    if invite.expires_at <= timezone.now():
        raise Forbidden(INVITE_EXPIRED)

    new_account = user is None
    if user is not None:
        if invite.email and invite.email != normalize_email(user.email):
            raise Forbidden(INVITE_OTHER_EMAIL)
        if Membership.objects.filter(team_id=invite.team_id, user=user).exists():
            raise Conflict(ALREADY_MEMBER)
    else:
        # An invite bound to an address already knows the e-mail: the body need not repeat it.
        email = normalize_email(email) if email else invite.email
        if invite.email and email and invite.email != email:
            raise Forbidden(INVITE_OTHER_EMAIL)
        # An existing account is told to log in before it is asked for a name or password
        # it would not use.
        if email and User.objects.filter(email=email).exists():
            raise Conflict(ACCOUNT_EXISTS, field="email")
        if not name:
            raise ValidationFailed(FIELD_REQUIRED, field="name")
        if not email:
            raise ValidationFailed(FIELD_REQUIRED, field="email")
        if not password:
            raise ValidationFailed(FIELD_REQUIRED, field="password")
        try:
            user = user_register(email=email, name=name, password=password)
        except Conflict:
            # Registered by someone else between the check above and the insert.
            raise Conflict(ACCOUNT_EXISTS, field="email")

    try:
        # A savepoint, so a lost race on the unique (team, user) leaves the transaction usable.
        with transaction.atomic():
            membership = Membership.objects.create(
                team_id=invite.team_id, user=user, role=invite.role, section=invite.section
            )
    except IntegrityError:
        raise Conflict(ALREADY_MEMBER)
    invite.used_at = timezone.now()
    invite.used_by = user
    invite.save(update_fields=["used_at", "used_by"])
    tokens = token_pair_for_user(user) if new_account else None
    logger.info(
        "invite_accepted",
        team_id=str(invite.team_id),
        invite_id=str(invite.pk),
        user_id=str(user.pk),
        new_account=new_account,
    )
    return membership, tokens


@transaction.atomic
def invite_revoke(*, invite: Invite, revoked_by: User) -> None:
    """Delete an unused invite (locks it, so it cannot be accepted meanwhile)."""
    locked = Invite.objects.select_for_update().filter(pk=invite.pk).first()
    if locked is None:
        raise NotFound(INVITE_NOT_FOUND)
    if locked.is_used:
        raise Conflict(INVITE_USED)
    locked.delete()
    logger.info(
        "invite_revoked",
        team_id=str(invite.team_id),
        invite_id=str(invite.pk),
        revoked_by_id=str(revoked_by.pk),
    )


# --- rehearsal cycles ---------------------------------------------------------------------------


def _cycle_save(cycle: RehearsalCycle, **save_kwargs: Any) -> None:
    if (
        RehearsalCycle.objects.filter(team_id=cycle.team_id, date=cycle.date)
        .exclude(pk=cycle.pk)
        .exists()
    ):
        raise Conflict(CYCLE_DATE_TAKEN, field="date")
    try:
        # A savepoint: two leaders creating the same date at once both pass the check above.
        with transaction.atomic():
            cycle.save(**save_kwargs)
    except IntegrityError:
        raise Conflict(CYCLE_DATE_TAKEN, field="date")


@transaction.atomic
def cycle_create(
    *, team: Team, date: datetime.date, label: str | None = None, created_by: User
) -> RehearsalCycle:
    cycle = RehearsalCycle(team=team, date=date, name=label or RehearsalCycle.default_label(date))
    _cycle_save(cycle, force_insert=True)
    logger.info(
        "cycle_created", team_id=str(team.pk), cycle_id=str(cycle.pk), user_id=str(created_by.pk)
    )
    return cycle


@transaction.atomic
def cycle_update(
    *,
    cycle: RehearsalCycle,
    date: datetime.date | None = None,
    label: str | None = None,
    updated_by: User,
) -> RehearsalCycle:
    fields: list[str] = []
    if date is not None and date != cycle.date:
        # A label that was only the default date text follows the new date.
        if label is None and cycle.name == RehearsalCycle.default_label(cycle.date):
            label = RehearsalCycle.default_label(date)
        cycle.date = date
        fields.append("date")
    if label is not None and label != cycle.name:
        cycle.name = label
        fields.append("name")
    if fields:
        _cycle_save(cycle, update_fields=[*fields, "updated_at"])
        logger.info(
            "cycle_updated",
            team_id=str(cycle.team_id),
            cycle_id=str(cycle.pk),
            user_id=str(updated_by.pk),
            fields=fields,
        )
    return cycle


@transaction.atomic
def cycle_delete(*, cycle: RehearsalCycle, deleted_by: User) -> None:
    """Delete a cycle: its assignments go with it; its tickets and practice logs keep a null cycle."""
    cycle_id, team_id = cycle.pk, cycle.team_id
    cycle.delete()
    logger.info(
        "cycle_deleted", team_id=str(team_id), cycle_id=str(cycle_id), user_id=str(deleted_by.pk)
    )


# --- calendar feed ----------------------------------------------------------------------------


@transaction.atomic
def calendar_token_rotate(*, membership: Membership) -> str:
    """Give the member a new secret calendar token (the old one stops working) and return it."""
    raw, digest = _new_token()
    membership.calendar_token_hash = digest
    membership.save(update_fields=["calendar_token_hash"])
    logger.info(
        "calendar_token_rotated", team_id=str(membership.team_id), user_id=str(membership.user_id)
    )
    return raw
