"""The demo team "Harmonia Choir" (spec/operations.md → Management commands).

Everything is written through the domain apps' services, so the demo obeys the rules the API
obeys: people join through invites, tickets move through the state machine (their activity
trail included), practice logs link only assignments and tickets their author may see.

The data is deterministic: the random choices come from a fixed seed, and dates are placed
relative to the team's "today" (so the dashboards always have a current week to show).
"""

from __future__ import annotations

import datetime
import random
import secrets
import string
from collections.abc import Sequence
from dataclasses import dataclass, field

import structlog
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.services import refresh_tokens_revoke_all, user_register
from notifications.services import preference_update
from practice.models import Assignment, AssignmentScope, AssignmentType, Priority
from practice.services import assignment_create, practice_log_create
from teams.models import Membership, RehearsalCycle, Role, Team
from teams.services import cycle_create, invite_accept, invite_create, team_create
from tickets.models import Ticket, TicketCategory, TicketStatus, TicketVisibility
from tickets.services import (
    ticket_assign,
    ticket_claim,
    ticket_comment,
    ticket_create,
    ticket_transition,
    ticket_verify,
)

logger = structlog.get_logger("practiceops.demo")

TEAM_NAME = "Harmonia Choir"
TEAM_TIMEZONE = "Europe/Berlin"
# RFC 2606: .example never resolves, so no e-mail to a demo account can reach anyone.
DOMAIN = "harmonia.example"
ADMIN_EMAIL = f"admin@{DOMAIN}"
STAFF_EMAIL = f"staff@{DOMAIN}"
# Used only when DEBUG is on (the README's `make run`); otherwise a password is generated.
DEMO_PASSWORD = "practice-makes-harmony"
RANDOM_SEED = 20240917
LOG_DAYS = 30

SOPRANO, ALTO, TENOR, BASS = "Soprano", "Alto", "Tenor", "Bass"
AVE_VERUM = "Ave verum corpus"
SEAL_LULLABY = "The Seal Lullaby"
SHENANDOAH = "Shenandoah"


@dataclass(frozen=True)
class Person:
    key: str
    email: str
    name: str
    role: str
    section: str | None
    # Chance of practising on any given day, and how many recent days they have skipped.
    practice_rate: float
    lapsed_days: int = 0


PEOPLE: tuple[Person, ...] = (
    Person("admin", ADMIN_EMAIL, "Dana Director", Role.ADMIN, None, 0.3),
    Person(
        "soprano_leader",
        f"soprano.leader@{DOMAIN}",
        "Sofia Reyes",
        Role.SECTION_LEADER,
        SOPRANO,
        0.7,
    ),
    Person("alto_leader", f"alto.leader@{DOMAIN}", "Alma Brandt", Role.SECTION_LEADER, ALTO, 0.6),
    Person(
        "tenor_leader", f"tenor.leader@{DOMAIN}", "Tomas Lind", Role.SECTION_LEADER, TENOR, 0.65
    ),
    Person("bass_leader", f"bass.leader@{DOMAIN}", "Basil Okafor", Role.SECTION_LEADER, BASS, 0.55),
    Person("sarah", f"sarah@{DOMAIN}", "Sarah Kim", Role.MEMBER, SOPRANO, 0.85),
    Person("priya", f"priya@{DOMAIN}", "Priya Nair", Role.MEMBER, SOPRANO, 0.55),
    Person("lena", f"lena@{DOMAIN}", "Lena Vogel", Role.MEMBER, ALTO, 0.7),
    Person("grace", f"grace@{DOMAIN}", "Grace Osei", Role.MEMBER, ALTO, 0.35),
    Person("marco", f"marco@{DOMAIN}", "Marco Rossi", Role.MEMBER, TENOR, 0.8),
    Person("jonas", f"jonas@{DOMAIN}", "Jonas Berg", Role.MEMBER, TENOR, 0.45),
    Person("owen", f"owen@{DOMAIN}", "Owen Hughes", Role.MEMBER, BASS, 0.6),
    # Has not practised for a while: the no-log reminder has someone to write to.
    Person("felix", f"felix@{DOMAIN}", "Felix Moreau", Role.MEMBER, BASS, 0.6, lapsed_days=9),
)
DEMO_EMAILS = tuple(person.email for person in PEOPLE)


class DemoConflict(Exception):
    """Demo accounts exist but the demo team does not: refuse rather than guess."""


@dataclass
class SeedResult:
    team: Team
    created: bool
    # E-mails whose password this run set (to the password it was given).
    password_set_for: list[str] = field(default_factory=list)
    staff: bool = False


def generate_password() -> str:
    """A random password that passes the project's password validators."""
    alphabet = string.ascii_letters + string.digits
    while True:
        candidate = "-".join("".join(secrets.choice(alphabet) for _ in range(5)) for _ in range(4))
        try:
            validate_password(candidate)
        except ValidationError:
            continue
        return candidate


def demo_team_get() -> Team | None:
    return (
        Team.objects.filter(
            name=TEAM_NAME, memberships__user__email=ADMIN_EMAIL, memberships__role=Role.ADMIN
        )
        .order_by("created_at")
        .first()
    )


@transaction.atomic
def demo_seed(*, password: str, staff: bool = False, reset_passwords: bool = False) -> SeedResult:
    """Load the demo once; later runs change nothing (unless asked to reset the passwords).

    One transaction: an error half-way leaves no half-built demo behind, so "the team exists"
    is a sound test for "the demo is loaded".
    """
    team = demo_team_get()
    result = SeedResult(team=team, created=team is None)  # type: ignore[arg-type]
    if team is None:
        taken = sorted(User.objects.filter(email__in=DEMO_EMAILS).values_list("email", flat=True))
        if taken:
            raise DemoConflict(
                f"These demo accounts exist without the {TEAM_NAME} team: {', '.join(taken)}. "
                "Delete them (or the database) and run seed_demo again."
            )
        result.team = _build(password)
        result.password_set_for.extend(DEMO_EMAILS)
    elif reset_passwords:
        _reset_passwords(User.objects.filter(email__in=DEMO_EMAILS), password)
        result.password_set_for.extend(DEMO_EMAILS)
    if staff:
        result.staff = True
        staff_user = User.objects.filter(email=STAFF_EMAIL).first()
        if staff_user is None:
            User.objects.create_superuser(STAFF_EMAIL, password, display_name="Demo Staff")
            result.password_set_for.append(STAFF_EMAIL)
        elif reset_passwords:
            _reset_passwords([staff_user], password)
            result.password_set_for.append(STAFF_EMAIL)
    logger.info(
        "demo_seeded",
        team_id=str(result.team.pk),
        created=result.created,
        passwords_set=len(result.password_set_for),
    )
    return result


def _reset_passwords(users: Sequence[User] | object, password: str) -> None:
    for user in users:  # type: ignore[attr-defined]
        user.set_password(password)
        user.save(update_fields=["password", "updated_at"])
        # A new password ends the sessions that knew the old one.
        refresh_tokens_revoke_all(user=user)


# --- building the demo ---------------------------------------------------------------------------


def _build(password: str) -> Team:
    rng = random.Random(RANDOM_SEED)
    people = {person.key: person for person in PEOPLE}
    admin_user = user_register(
        email=people["admin"].email, name=people["admin"].name, password=password
    )
    team, admin_membership = team_create(
        user=admin_user, name=TEAM_NAME, timezone_name=TEAM_TIMEZONE, weekly_goal_days=3
    )
    m: dict[str, Membership] = {"admin": admin_membership}
    for person in PEOPLE[1:]:
        user = user_register(email=person.email, name=person.name, password=password)
        # The way people really join: an invite for their role and section, accepted.
        _, raw_token = invite_create(
            team=team, created_by=admin_user, role=person.role, section=person.section
        )
        m[person.key], _ = invite_accept(raw_token=raw_token, user=user)

    today = team.today()
    past = cycle_create(
        team=team,
        date=today - datetime.timedelta(days=12),
        label="Spring concert",
        created_by=admin_user,
    )
    soon = cycle_create(
        team=team,
        date=today + datetime.timedelta(days=4),
        label="Dress rehearsal",
        created_by=admin_user,
    )
    later = cycle_create(
        team=team,
        date=today + datetime.timedelta(days=32),
        label="Summer concert",
        created_by=admin_user,
    )
    _assignments(m, past=past, soon=soon, later=later)
    _tickets(m, past=past, soon=soon, later=later)
    _practice_logs(rng, team, m, past=past, soon=soon)
    # Two members changed their e-mail settings; everyone else keeps the defaults.
    preference_update(user=m["grace"].user, team=team, changes={"weekly_digest_enabled": False})
    preference_update(user=m["jonas"].user, team=team, changes={"no_log_days": 7})
    return team


def _assignments(
    m: dict[str, Membership], *, past: RehearsalCycle, soon: RehearsalCycle, later: RehearsalCycle
) -> None:
    T, S = AssignmentScope.TEAM, AssignmentScope.SECTION
    rows = [
        ("admin", past, "Run the whole programme from memory", AssignmentType.MEMORIZATION, T, Priority.MEDIUM, None),
        ("soprano_leader", past, "Descant in the last verse", AssignmentType.SONG_WORK, S, Priority.LOW, SHENANDOAH),
        ("admin", soon, "Dynamics from bar 20", AssignmentType.SONG_WORK, T, Priority.BLOCKING, AVE_VERUM),
        ("admin", soon, "Listen to the reference recording", AssignmentType.LISTENING, T, Priority.LOW, SEAL_LULLABY),
        ("soprano_leader", soon, "Breath support on the long phrases", AssignmentType.TECHNIQUE, S, Priority.MEDIUM, AVE_VERUM),
        ("alto_leader", soon, "Bars 32-40 in tune", AssignmentType.SONG_WORK, S, Priority.BLOCKING, SEAL_LULLABY),
        ("tenor_leader", soon, "Verse 2 from memory", AssignmentType.MEMORIZATION, S, Priority.MEDIUM, SHENANDOAH),
        ("bass_leader", soon, "Low E warm-ups", AssignmentType.TECHNIQUE, S, Priority.LOW, None),
        ("admin", later, "Learn the notes of the new piece", AssignmentType.SONG_WORK, T, Priority.LOW, SEAL_LULLABY),
    ]  # fmt: skip
    for key, cycle, title, type_, scope, priority, song_ref in rows:
        membership = m[key]
        assignment_create(
            membership=membership,
            cycle=cycle,
            title=title,
            type=type_,
            scope=scope,
            priority=priority,
            section=membership.section if scope == S else None,
            song_ref=song_ref,
        )


def _tickets(
    m: dict[str, Membership], *, past: RehearsalCycle, soon: RehearsalCycle, later: RehearsalCycle
) -> None:
    """Tickets in every status, each brought there by the people allowed to move it."""

    def create(key: str, cycle: RehearsalCycle, title: str, **kwargs: object) -> Ticket:
        return ticket_create(membership=m[key], cycle=cycle, title=title, **kwargs)  # type: ignore[arg-type]

    def move(key: str, ticket: Ticket, *statuses: str, note: str | None = None) -> None:
        for status in statuses:
            content = note if status == TicketStatus.RESOLVED else None
            ticket_transition(
                membership=m[key], ticket_id=ticket.pk, to_status=status, content=content
            )

    C, V = TicketCategory, TicketVisibility
    IN_PROGRESS, BLOCKED, OPEN = TicketStatus.IN_PROGRESS, TicketStatus.BLOCKED, TicketStatus.OPEN
    RESOLVED = TicketStatus.RESOLVED

    # The last rehearsal: mostly done, one fix still waiting for its section leader.
    t = create(
        "admin",
        past,
        "Memory slips in verse 3",
        category=C.MEMORY,
        priority=Priority.MEDIUM,
        visibility=V.TEAM,
        song_ref=SHENANDOAH,
        owner_id=m["jonas"].user_id,
    )
    move("jonas", t, IN_PROGRESS, RESOLVED, note="Sang it through from memory three times")
    ticket_verify(membership=m["admin"], ticket_id=t.pk, content="Solid at the concert")
    t = create(
        "soprano_leader",
        past,
        "Sopranos: entry in bar 5",
        category=C.RHYTHM,
        priority=Priority.LOW,
        visibility=V.SECTION,
        song_ref=SHENANDOAH,
        measures="5",
        owner_id=m["sarah"].user_id,
    )
    move("sarah", t, IN_PROGRESS, RESOLVED, note="Counting the rest out loud fixed it")
    ticket_verify(membership=m["soprano_leader"], ticket_id=t.pk)
    t = create(
        "alto_leader",
        past,
        "Altos: tuning the opening chord",
        category=C.PITCH,
        priority=Priority.LOW,
        visibility=V.SECTION,
        song_ref=AVE_VERUM,
        measures="1-2",
        owner_id=m["grace"].user_id,
    )
    move("grace", t, IN_PROGRESS, RESOLVED, note="Practised with a drone on D")

    # The next rehearsal, in four days: work in every state.
    t = create(
        "soprano_leader",
        soon,
        "Sopranos, bars 12-16: flat on the high G",
        category=C.PITCH,
        priority=Priority.MEDIUM,
        visibility=V.SECTION,
        song_ref=AVE_VERUM,
        measures="12-16",
        owner_id=m["sarah"].user_id,
    )
    move("sarah", t, IN_PROGRESS)
    ticket_comment(
        membership=m["sarah"], ticket_id=t.pk, content="Working on it with the piano track."
    )
    t = create(
        "alto_leader",
        soon,
        "Altos, bars 32-40, pitch",
        category=C.PITCH,
        priority=Priority.BLOCKING,
        visibility=V.SECTION,
        song_ref=SEAL_LULLABY,
        measures="32-40",
        owner_id=m["lena"].user_id,
    )
    move("lena", t, IN_PROGRESS, BLOCKED)
    ticket_comment(
        membership=m["lena"], ticket_id=t.pk, content="I need a recording of the alto line."
    )
    t = create(
        "admin",
        soon,
        "Cut-off at the fermata, bar 58",
        category=C.RHYTHM,
        priority=Priority.BLOCKING,
        visibility=V.TEAM,
        song_ref=AVE_VERUM,
        measures="58",
        claimable=True,
    )
    ticket_claim(membership=m["marco"], ticket_id=t.pk)
    move("marco", t, IN_PROGRESS, RESOLVED, note="Cut-off on beat 3, watching the conductor")
    t = create(
        "soprano_leader",
        soon,
        "Blend in the final chord",
        category=C.BLEND,
        priority=Priority.LOW,
        visibility=V.TEAM,
        song_ref=AVE_VERUM,
        owner_id=m["priya"].user_id,
    )
    move("priya", t, IN_PROGRESS, RESOLVED, note="Listening to the altos instead of pushing")
    ticket_verify(membership=m["alto_leader"], ticket_id=t.pk, content="Much better on Tuesday")
    create(
        "tenor_leader",
        soon,
        "Tenors: verse 2 from memory",
        category=C.MEMORY,
        priority=Priority.MEDIUM,
        visibility=V.SECTION,
        song_ref=SHENANDOAH,
        claimable=True,
    )
    t = create(
        "bass_leader",
        soon,
        "Basses: entries in bar 44",
        category=C.RHYTHM,
        priority=Priority.MEDIUM,
        visibility=V.SECTION,
        song_ref=SEAL_LULLABY,
        measures="44",
        owner_id=m["felix"].user_id,
    )
    ticket_assign(membership=m["bass_leader"], ticket_id=t.pk, owner_id=m["owen"].user_id)
    move("owen", t, IN_PROGRESS, BLOCKED, IN_PROGRESS)
    create(
        "felix",
        soon,
        "My low E in bar 20 cracks",
        category=C.TECHNIQUE,
        priority=Priority.MEDIUM,
        visibility=V.PRIVATE,
        song_ref=SHENANDOAH,
        measures="20",
    )
    # Three private worries alike: leaders see them only as an aggregate (groups of three or more).
    for key, title in (
        ("lena", "I lose the note after the breath in bar 35"),
        ("grace", "Cannot hear my starting note in bar 32"),
        ("alto_leader", "My own pitch in bars 38-40"),
    ):
        create(
            key,
            soon,
            title,
            category=C.PITCH,
            priority=Priority.MEDIUM,
            visibility=V.PRIVATE,
            song_ref=SEAL_LULLABY,
        )

    # The concert after that: just started.
    t = create(
        "admin",
        later,
        "Pronunciation of the Latin text",
        category=C.OTHER,
        priority=Priority.LOW,
        visibility=V.TEAM,
        song_ref=AVE_VERUM,
    )
    move("admin", t, IN_PROGRESS, OPEN)


def _practice_logs(
    rng: random.Random,
    team: Team,
    m: dict[str, Membership],
    *,
    past: RehearsalCycle,
    soon: RehearsalCycle,
) -> None:
    """A month of practice: each person practises on a share of days, at evening-ish hours."""
    now = timezone.now()
    today = team.today()
    assignments = {
        cycle.pk: list(Assignment.objects.filter(cycle=cycle).order_by("created_at", "id"))
        for cycle in (past, soon)
    }
    for person in PEOPLE:
        membership = m[person.key]
        owned = list(
            Ticket.objects.filter(owner_id=membership.user_id, cycle__in=(past, soon)).order_by(
                "created_at", "id"
            )
        )
        for days_ago in range(LOG_DAYS, -1, -1):
            # Every draw happens whatever the outcome, so the sequence never depends on the clock.
            practised = rng.random() < person.practice_rate
            minutes = rng.choice((10, 15, 20, 20, 25, 30, 30, 45, 60))
            hour, minute = rng.randint(7, 21), rng.choice((0, 15, 30, 45))
            rating = rng.choice((None, 2, 3, 3, 4, 4, 4, 5, 5))
            blocked = rng.random() < 0.06
            link_assignments = rng.random() < 0.5
            link_ticket = rng.random() < 0.3
            if not practised or days_ago < person.lapsed_days:
                continue
            day = today - datetime.timedelta(days=days_ago)
            occurred_at = datetime.datetime.combine(
                day, datetime.time(hour, minute), tzinfo=team.tzinfo
            )
            if occurred_at > now:
                continue
            cycle = past if day <= past.date else soon
            visible = [
                a.pk
                for a in assignments[cycle.pk]
                if a.scope == AssignmentScope.TEAM or a.section == person.section
            ]
            tickets = [t.pk for t in owned if t.cycle_id == cycle.pk]
            practice_log_create(
                membership=membership,
                cycle=cycle,
                duration_minutes=minutes,
                occurred_at=occurred_at,
                rating_1_5=rating,
                blocked_flag=blocked,
                notes="Stuck on the same passage again" if blocked else None,
                assignment_ids=visible[:2] if link_assignments else (),
                ticket_ids=tickets[:1] if link_ticket else (),
            )
