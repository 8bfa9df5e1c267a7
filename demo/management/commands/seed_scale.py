"""``seed_scale``: a large synthetic data set for benchmarks (bench/), written in bulk.

    python manage.py seed_scale --teams 1000 --members 50 --days 30
    python manage.py seed_scale --preset scale      # what bench/ calls "scale"
    python manage.py seed_scale --preset demo       # one small team

Synthetic benchmark data, not a product path: rows go in with ``bulk_create`` in batches (one
transaction per chunk of teams), and tickets are created directly in every status with their
resolution and verification fields filled in. This command is the one place where a ticket's
``status`` is written without the state machine; it exists so that benchmarks and scale tests
see tickets in every state without replaying thousands of transitions.

Deterministic: the same ``--seed``, ``--anchor`` and sizes give the same users, teams, ids,
texts and times (on PostgreSQL, which takes the rows with COPY; elsewhere ``bulk_create``
stamps ``updated_at`` with the time of the insert). Times are relative to
``--anchor`` (default: the current hour, UTC): logs fall in the ``--days`` days before it,
rehearsal cycles are weekly around it with the next one three days after it.

Shape of a team: one ADMIN (no section), a SECTION_LEADER per section, members spread over
the sections; weekly cycles with assignments; tickets of mixed priority, visibility and status
(each with its CREATED activity); practice logs, some linked to an assignment or a ticket the
member can see; saved notification preferences for three members in ten (e-mail off, a longer
``no_log_days``, no digest), defaults for the rest. The optional *big team* (``--big-team-members`` and friends) is the one the
benchmarks act in; ``--teams`` other teams of ``--members`` members make the indexes matter.
Synthetic members cannot log in (unusable passwords); ``--password`` gives the big team's
admin and section leaders a password.
"""

from __future__ import annotations

import datetime
import random
import time
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, models, transaction
from tqdm import tqdm

from accounts.models import User
from notifications.models import NotificationPreference
from practice.models import Assignment, AssignmentScope, AssignmentType, PracticeLog, Priority
from practice.rollups import practice_rollups_rebuild
from teams.models import Membership, RehearsalCycle, Role, Team
from tickets.models import (
    Ticket,
    TicketActivity,
    TicketActivityType,
    TicketCategory,
    TicketStatus,
    TicketVisibility,
)

SECTIONS = ("Soprano", "Alto", "Tenor", "Bass")
EMAIL_DOMAIN = "scale.test"
BIG_TEAM_SLUG = "big"
BIG_TEAM_NAME = "Scale Chorus"
BIG_TEAM_TIMEZONE = "Europe/Berlin"
TIMEZONES = (
    "UTC",
    "Europe/Berlin",
    "America/New_York",
    "America/Los_Angeles",
    "Asia/Tokyo",
    "Australia/Sydney",
    "Europe/London",
)
SONGS = (
    "Ave Verum Corpus",
    "Bogoroditse Devo",
    "Cantique de Jean Racine",
    "Down to the River to Pray",
    "Hallelujah",
    "Locus Iste",
    "O Magnum Mysterium",
    "Sicut Cervus",
    "Shenandoah",
    "The Seal Lullaby",
    "Ubi Caritas",
    "Wade in the Water",
)
FIRST_NAMES = (
    "Ada", "Ben", "Clara", "Dev", "Elin", "Farid", "Greta", "Hugo", "Ines", "Jonas",
    "Kaito", "Lena", "Mateo", "Nora", "Omar", "Priya", "Quinn", "Rosa", "Sven", "Tala",
)  # fmt: skip
LAST_NAMES = (
    "Albers", "Brandt", "Costa", "Dubois", "Eriksen", "Fischer", "Garcia", "Haas",
    "Ito", "Jansen", "Kowalski", "Larsen", "Moreau", "Nakamura", "Okafor", "Petrov",
)  # fmt: skip
NOTES = (
    "Worked on the tricky bars",
    "Breathing exercises first",
    "Sang along with the recording",
    "Memorised the second verse",
    "Slow practice with a metronome",
)
# (value, weight) pairs: the mix of the generated tickets.
TICKET_STATUSES = (
    (TicketStatus.OPEN, 35),
    (TicketStatus.IN_PROGRESS, 20),
    (TicketStatus.BLOCKED, 10),
    (TicketStatus.RESOLVED, 15),
    (TicketStatus.VERIFIED, 20),
)
TICKET_VISIBILITIES = (
    (TicketVisibility.PRIVATE, 30),
    (TicketVisibility.SECTION, 40),
    (TicketVisibility.TEAM, 30),
)
TICKET_PRIORITIES = ((Priority.LOW, 50), (Priority.MEDIUM, 35), (Priority.BLOCKING, 15))
# Share of days a member of an ordinary team logs practice, by member: some never do.
DILIGENCE = (0.0, 0.15, 0.4, 0.7, 0.9)
# Saved notification preferences by member index modulo 10 (everyone else has the defaults).
PREFERENCE_MIX: dict[int, dict[str, Any]] = {
    3: {"no_log_days": 7},
    5: {"weekly_digest_enabled": False},
    7: {"email_enabled": False},
}
# Share of a big team's members who never log (they are who the reminders are for).
BIG_TEAM_IDLE_SHARE = 0.1

PRESETS: dict[str, dict[str, int]] = {
    "demo": {
        "teams": 0,
        "members": 50,
        "days": 30,
        "big_team_members": 13,
        "big_team_logs": 300,
        "big_team_tickets": 40,
        "tickets_per_team": 10,
    },
    "scale": {
        "teams": 1000,
        "members": 50,
        "days": 30,
        "big_team_members": 200,
        "big_team_logs": 20_000,
        "big_team_tickets": 2_000,
        "tickets_per_team": 10,
    },
}
DEFAULTS = {
    "teams": 10,
    "members": 50,
    "days": 30,
    "big_team_members": 0,
    "big_team_logs": 0,
    "big_team_tickets": 0,
    "tickets_per_team": 10,
}
# Teams written per transaction: bounds memory and PostgreSQL's deferred-constraint queue.
CHUNK_TEAMS = 25


def _weighted(rng: random.Random, pairs: Sequence[tuple[Any, int]]) -> Any:
    return rng.choices([value for value, _ in pairs], weights=[w for _, w in pairs])[0]


@dataclass
class TeamSpec:
    index: int
    slug: str
    name: str
    timezone: str
    members: int
    tickets: int
    logs: int | None  # None: per-member diligence over the days; else exactly this many


@dataclass
class Rows:
    """Everything generated for a chunk of teams, inserted in dependency order."""

    users: list[User] = field(default_factory=list)
    teams: list[Team] = field(default_factory=list)
    memberships: list[Membership] = field(default_factory=list)
    cycles: list[RehearsalCycle] = field(default_factory=list)
    assignments: list[Assignment] = field(default_factory=list)
    tickets: list[Ticket] = field(default_factory=list)
    activities: list[TicketActivity] = field(default_factory=list)
    logs: list[PracticeLog] = field(default_factory=list)
    log_assignments: list[models.Model] = field(default_factory=list)
    log_tickets: list[models.Model] = field(default_factory=list)
    preferences: list[NotificationPreference] = field(default_factory=list)

    def ordered(self) -> list[tuple[type[models.Model], list[models.Model]]]:
        return [
            (User, self.users),
            (Team, self.teams),
            (Membership, self.memberships),
            (RehearsalCycle, self.cycles),
            (Assignment, self.assignments),
            (Ticket, self.tickets),
            (TicketActivity, self.activities),
            (PracticeLog, self.logs),
            (PracticeLog.assignments.through, self.log_assignments),
            (Ticket.practice_logs.through, self.log_tickets),
            (NotificationPreference, self.preferences),
        ]


@dataclass
class Member:
    user: User
    membership: Membership


class Generator:
    """Builds the rows of one team at a time from one seeded random stream."""

    def __init__(self, *, seed: int, anchor: datetime.datetime, days: int, password: str | None):
        self.rng = random.Random(seed)
        self.anchor = anchor
        self.days = days
        self.password = password

    # -- helpers -------------------------------------------------------------------------

    def uuid(self) -> uuid.UUID:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def ago(self, max_seconds: float, min_seconds: float = 0) -> datetime.datetime:
        return self.anchor - datetime.timedelta(seconds=self.rng.uniform(min_seconds, max_seconds))

    def person_name(self, index: int) -> str:
        first = FIRST_NAMES[index % len(FIRST_NAMES)]
        last = LAST_NAMES[(index // len(FIRST_NAMES) + index) % len(LAST_NAMES)]
        return f"{first} {last} {index:03d}"

    def cycle_dates(self) -> list[datetime.date]:
        """Weekly rehearsals: the next three days after the anchor, then back over the days."""
        first = self.anchor.date() + datetime.timedelta(days=3)
        weeks_back = self.days // 7 + 1
        return [first + datetime.timedelta(days=7 * k) for k in range(-weeks_back, 2)]

    # -- one team ------------------------------------------------------------------------

    def team(self, spec: TeamSpec, rows: Rows) -> None:
        team = Team(
            id=self.uuid(),
            name=spec.name,
            timezone=spec.timezone,
            weekly_goal_days=3 if spec.slug == BIG_TEAM_SLUG else self.rng.randint(2, 5),
            created_at=self.anchor - datetime.timedelta(days=400),
        )
        rows.teams.append(team)
        members = self.members(team, spec, rows)
        cycles = self.cycles(team, rows)
        assignments = self.assignments(team, spec, cycles, members, rows)
        tickets = self.tickets(team, spec, cycles, members, rows)
        self.logs(team, spec, cycles, members, assignments, tickets, rows)

    def members(self, team: Team, spec: TeamSpec, rows: Rows) -> list[Member]:
        result = []
        joined = self.anchor - datetime.timedelta(days=365)
        for i in range(spec.members):
            if i == 0:
                role, section, local = Role.ADMIN, None, "admin"
            elif i <= len(SECTIONS):
                section = SECTIONS[i - 1]
                role, local = Role.SECTION_LEADER, f"{section.lower()}.leader"
            else:
                role, section = Role.MEMBER, SECTIONS[(i - 1) % len(SECTIONS)]
                local = f"member{i:03d}"
            password = "!"  # unusable: synthetic members do not log in
            if self.password and role != Role.MEMBER and spec.slug == BIG_TEAM_SLUG:
                password = make_password(self.password, salt=f"seedscale{self.uuid().hex[:14]}")
            user = User(
                id=self.uuid(),
                email=f"{local}@{spec.slug}.{EMAIL_DOMAIN}",
                display_name=self.person_name(i),
                password=password,
                created_at=joined,
            )
            membership = Membership(
                id=self.uuid(),
                team_id=team.id,
                user_id=user.id,
                role=role,
                section=section,
                created_at=joined + datetime.timedelta(minutes=i),
            )
            rows.users.append(user)
            rows.memberships.append(membership)
            result.append(Member(user, membership))
            preference = PREFERENCE_MIX.get(i % 10)
            if preference is not None:
                rows.preferences.append(
                    NotificationPreference(
                        id=self.uuid(),
                        user_id=user.id,
                        team_id=team.id,
                        created_at=joined,
                        **preference,
                    )
                )
        return result

    def cycles(self, team: Team, rows: Rows) -> list[RehearsalCycle]:
        result = []
        for date in self.cycle_dates():
            cycle = RehearsalCycle(
                id=self.uuid(),
                team_id=team.id,
                name=RehearsalCycle.default_label(date),
                date=date,
                created_at=datetime.datetime.combine(
                    date - datetime.timedelta(days=14), datetime.time(9), tzinfo=datetime.UTC
                ),
            )
            rows.cycles.append(cycle)
            result.append(cycle)
        return result

    def assignments(
        self,
        team: Team,
        spec: TeamSpec,
        cycles: list[RehearsalCycle],
        members: list[Member],
        rows: Rows,
    ) -> dict[uuid.UUID, list[Assignment]]:
        """Per cycle: TEAM assignments, and in the big team one per section as well."""
        by_cycle: dict[uuid.UUID, list[Assignment]] = {}
        sections: tuple[str | None, ...] = (None, None, None)
        if spec.slug == BIG_TEAM_SLUG:
            sections += SECTIONS
        else:
            sections = (None, None)
        for cycle in cycles:
            items = []
            for n, section in enumerate(sections):
                song = SONGS[self.rng.randrange(len(SONGS))]
                assignment = Assignment(
                    id=self.uuid(),
                    cycle_id=cycle.id,
                    created_by_id=members[0].user.id,
                    type=AssignmentType.values[n % len(AssignmentType.values)],
                    scope=AssignmentScope.SECTION if section else AssignmentScope.TEAM,
                    priority=_weighted(self.rng, TICKET_PRIORITIES),
                    section=section,
                    title=f"{song}: {'section' if section else 'full'} run {n + 1}",
                    song_ref=song,
                    notes=None,
                    due_at=cycle.date_as_datetime,
                    created_at=cycle.created_at,
                )
                items.append(assignment)
            rows.assignments.extend(items)
            by_cycle[cycle.id] = items
        return by_cycle

    def tickets(
        self,
        team: Team,
        spec: TeamSpec,
        cycles: list[RehearsalCycle],
        members: list[Member],
        rows: Rows,
    ) -> list[Ticket]:
        leaders = {m.membership.section: m for m in members if m.membership.role != Role.MEMBER}
        admin = members[0]
        by_section: dict[str, list[Member]] = {s: [] for s in SECTIONS}
        for m in members:
            if m.membership.section:
                by_section[m.membership.section].append(m)
        span = self.days * 86400
        result = []
        for n in range(spec.tickets):
            visibility = _weighted(self.rng, TICKET_VISIBILITIES)
            status = _weighted(self.rng, TICKET_STATUSES)
            section: str | None = SECTIONS[self.rng.randrange(len(SECTIONS))]
            section_members = by_section[section] or members
            owner = section_members[self.rng.randrange(len(section_members))]
            if visibility == TicketVisibility.PRIVATE:
                creator = owner
                section = owner.membership.section
            else:
                creator = leaders.get(section, admin) if self.rng.random() < 0.7 else owner
                if visibility == TicketVisibility.TEAM and self.rng.random() < 0.5:
                    section = None
            claimable = visibility != TicketVisibility.PRIVATE and self.rng.random() < 0.08
            owner_id: uuid.UUID | None = owner.user.id
            if claimable and status == TicketStatus.OPEN and self.rng.random() < 0.5:
                owner_id = None
            created_at = self.ago(span, 3600)
            cycle = cycles[self.rng.randrange(len(cycles))]
            due_at = None
            if self.rng.random() >= 0.15:
                due_at = datetime.datetime.combine(
                    self.anchor.date() + datetime.timedelta(days=self.rng.randint(-10, 21)),
                    datetime.time(19),
                    tzinfo=datetime.UTC,
                )
            song = SONGS[self.rng.randrange(len(SONGS))]
            bar = self.rng.randint(1, 120)
            closed = status in (TicketStatus.RESOLVED, TicketStatus.VERIFIED)
            resolved_at = created_at + datetime.timedelta(hours=self.rng.randint(1, 48))
            verified = status == TicketStatus.VERIFIED
            ticket = Ticket(
                id=self.uuid(),
                team_id=team.id,
                cycle_id=cycle.id,
                owner_id=owner_id,
                created_by_id=creator.user.id,
                claimed_by_id=owner_id if claimable else None,
                claimed_at=created_at if claimable and owner_id else None,
                claimable=claimable,
                category=TicketCategory.values[self.rng.randrange(len(TicketCategory.values))],
                priority=_weighted(self.rng, TICKET_PRIORITIES),
                status=status,
                visibility=visibility,
                section=section,
                title=f"{song}, bars {bar}-{bar + 8}",
                description=f"Ticket {n} of {spec.name}" if self.rng.random() < 0.5 else None,
                song_ref=song if self.rng.random() < 0.9 else None,
                measures=f"{bar}-{bar + 8}",
                due_at=due_at,
                created_at=created_at,
                resolved_at=resolved_at if closed else None,
                resolved_note="Sorted it out in sectional" if closed else None,
                verified_at=resolved_at + datetime.timedelta(hours=12) if verified else None,
                verified_by_id=admin.user.id if verified else None,
                verified_note="Sounds right now" if verified else None,
            )
            ticket.updated_at = ticket.verified_at or ticket.resolved_at or created_at
            rows.tickets.append(ticket)
            rows.activities.append(
                TicketActivity(
                    id=self.uuid(),
                    ticket_id=ticket.id,
                    user_id=creator.user.id,
                    type=TicketActivityType.CREATED,
                    new_status=TicketStatus.OPEN,
                    created_at=created_at,
                )
            )
            result.append(ticket)
        return result

    def logs(
        self,
        team: Team,
        spec: TeamSpec,
        cycles: list[RehearsalCycle],
        members: list[Member],
        assignments: dict[uuid.UUID, list[Assignment]],
        tickets: list[Ticket],
        rows: Rows,
    ) -> None:
        team_tickets = [t for t in tickets if t.visibility == TicketVisibility.TEAM]
        dates = [c.date for c in cycles]

        def add(member: Member, occurred_at: datetime.datetime) -> None:
            day = occurred_at.date()
            cycle = next((c for c, d in zip(cycles, dates, strict=True) if d >= day), None)
            log = PracticeLog(
                id=self.uuid(),
                user_id=member.user.id,
                team_id=team.id,
                cycle_id=cycle.id if cycle else None,
                duration_minutes=self.rng.choice((10, 15, 20, 25, 30, 45, 60, 90)),
                rating_1_5=self.rng.randint(1, 5) if self.rng.random() < 0.6 else None,
                blocked_flag=self.rng.random() < 0.05,
                notes=NOTES[self.rng.randrange(len(NOTES))] if self.rng.random() < 0.3 else None,
                occurred_at=occurred_at,
                created_at=occurred_at + datetime.timedelta(minutes=self.rng.randint(0, 90)),
            )
            rows.logs.append(log)
            if cycle is not None and self.rng.random() < 0.25:
                section = member.membership.section
                visible = [a for a in assignments[cycle.id] if a.section in (None, section)]
                if visible:
                    pick = visible[self.rng.randrange(len(visible))]
                    rows.log_assignments.append(
                        PracticeLog.assignments.through(
                            practicelog_id=log.id, assignment_id=pick.id
                        )
                    )
            if team_tickets and self.rng.random() < 0.05:
                pick_ticket = team_tickets[self.rng.randrange(len(team_tickets))]
                rows.log_tickets.append(
                    Ticket.practice_logs.through(ticket_id=pick_ticket.id, practicelog_id=log.id)
                )

        span = self.days * 86400
        if spec.logs is not None:
            idle = max(1, round(len(members) * BIG_TEAM_IDLE_SHARE)) if len(members) > 10 else 0
            active = members[: len(members) - idle] if idle else members
            for _ in range(spec.logs):
                add(active[self.rng.randrange(len(active))], self.ago(span))
            return
        for i, member in enumerate(members):
            chance = DILIGENCE[i % len(DILIGENCE)]
            for day in range(self.days):
                if self.rng.random() < chance:
                    add(member, self.ago((day + 1) * 86400, day * 86400))


def _copy(model: type[models.Model], objects: list[models.Model]) -> None:
    """PostgreSQL's COPY: several times faster than INSERT for hundreds of thousands of rows.

    Rows go in as they are: no ``pre_save`` (so ``auto_now`` is not applied; the generator
    sets ``updated_at``), and auto-increment keys are left to the database.
    """
    fields = [f for f in model._meta.concrete_fields if not isinstance(f, models.AutoField)]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    table = connection.ops.quote_name(model._meta.db_table)
    names = [f.attname for f in fields]
    with connection.cursor() as cursor:
        with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for obj in objects:
                copy.write_row([getattr(obj, name) for name in names])


def _insert(rows: Rows, batch_size: int) -> dict[str, int]:
    counts: dict[str, int] = {}
    for _, objects in rows.ordered():
        for obj in objects:
            if getattr(obj, "updated_at", False) is None:
                obj.updated_at = obj.created_at  # type: ignore[attr-defined]
    with transaction.atomic():
        for model, objects in rows.ordered():
            if objects and connection.vendor == "postgresql":
                _copy(model, objects)
            elif objects:
                model.objects.bulk_create(objects, batch_size=batch_size)
            counts[model._meta.db_table] = len(objects)
        # Logs went in in bulk, past the services: these teams' practice rollups in one go.
        if rows.logs:
            counts["practice_days"] = practice_rollups_rebuild(
                team_ids={log.team_id for log in rows.logs}
            )
    return counts


def _chunks(specs: list[TeamSpec], size: int) -> Iterable[list[TeamSpec]]:
    for start in range(0, len(specs), size):
        yield specs[start : start + size]


class Command(BaseCommand):
    help = (
        "Load a large synthetic data set for benchmarks (bulk inserts, deterministic). "
        "Synthetic data only: tickets are written directly in every status."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--preset", choices=sorted(PRESETS), help="demo or scale (bench/)")
        parser.add_argument("--teams", type=int, help="ordinary teams (default 10)")
        parser.add_argument("--members", type=int, help="members per ordinary team (default 50)")
        parser.add_argument("--days", type=int, help="days of practice logs (default 30)")
        parser.add_argument(
            "--big-team-members", type=int, help="members of the big team (0: none)"
        )
        parser.add_argument("--big-team-logs", type=int, help="practice logs of the big team")
        parser.add_argument("--big-team-tickets", type=int, help="tickets of the big team")
        parser.add_argument("--tickets-per-team", type=int, help="tickets per ordinary team")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--anchor",
            type=datetime.datetime.fromisoformat,
            help="ISO datetime the data is relative to (default: this hour, UTC)",
        )
        parser.add_argument(
            "--password", help="password of the big team's admin and section leaders"
        )
        parser.add_argument("--batch-size", type=int, default=5000)
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        sizes = {**DEFAULTS, **PRESETS.get(options["preset"] or "", {})}
        for name in sizes:
            if options.get(name) is not None:
                sizes[name] = options[name]
        for name, value in sizes.items():
            if value < 0:
                raise CommandError(f"--{name.replace('_', '-')} must not be negative")
        if sizes["days"] < 1:
            raise CommandError("--days must be at least 1")
        if sizes["big_team_members"] and sizes["big_team_members"] < len(SECTIONS) + 1:
            raise CommandError(f"--big-team-members must be 0 or at least {len(SECTIONS) + 1}")
        if sizes["teams"] and sizes["members"] < len(SECTIONS) + 1:
            raise CommandError(f"--members must be at least {len(SECTIONS) + 1}")

        anchor = options["anchor"] or datetime.datetime.now(datetime.UTC).replace(
            minute=0, second=0, microsecond=0
        )
        if anchor.tzinfo is None:
            anchor = anchor.replace(tzinfo=datetime.UTC)

        specs = []
        if sizes["big_team_members"]:
            specs.append(
                TeamSpec(
                    index=0,
                    slug=BIG_TEAM_SLUG,
                    name=BIG_TEAM_NAME,
                    timezone=BIG_TEAM_TIMEZONE,
                    members=sizes["big_team_members"],
                    tickets=sizes["big_team_tickets"],
                    logs=sizes["big_team_logs"],
                )
            )
        for t in range(1, sizes["teams"] + 1):
            specs.append(
                TeamSpec(
                    index=t,
                    slug=f"t{t:04d}",
                    name=f"Choir {t:04d}",
                    timezone=TIMEZONES[t % len(TIMEZONES)],
                    members=sizes["members"],
                    tickets=sizes["tickets_per_team"],
                    logs=None,
                )
            )
        if not specs:
            raise CommandError("Nothing to seed: give --teams or --big-team-members")
        first_email = f"admin@{specs[0].slug}.{EMAIL_DOMAIN}"
        if User.objects.filter(email=first_email).exists():
            raise CommandError(
                f"seed_scale data is already present ({first_email}); use a fresh database"
            )

        generator = Generator(
            seed=options["seed"], anchor=anchor, days=sizes["days"], password=options["password"]
        )
        totals: dict[str, int] = {}
        started = time.monotonic()
        progress = tqdm(
            total=len(specs), unit="team", desc="seed_scale", disable=options["no_progress"]
        )
        for chunk in _chunks(specs, CHUNK_TEAMS):
            rows = Rows()
            for spec in chunk:
                generator.team(spec, rows)
            for table, count in _insert(rows, options["batch_size"]).items():
                totals[table] = totals.get(table, 0) + count
            progress.update(len(chunk))
        progress.close()

        elapsed = time.monotonic() - started
        summary = ", ".join(f"{table} {count:,}" for table, count in totals.items())
        self.stdout.write(f"seed_scale: {summary} in {elapsed:.1f} s (anchor {anchor.isoformat()})")
        if sizes["big_team_members"]:
            self.stdout.write(
                f"big team {BIG_TEAM_NAME!r}: admin@{BIG_TEAM_SLUG}.{EMAIL_DOMAIN}, "
                f"<section>.leader@{BIG_TEAM_SLUG}.{EMAIL_DOMAIN}"
                + (" (password as given)" if options["password"] else " (no password set)")
            )
