"""A small committed data set with two teams, for tests that talk to a live server.

Every id a client could send in a path is here, for the team under test ("Harmonia") and for
another team, so that fuzzing reaches real rows and abuse tests can cross team boundaries.
"""

from __future__ import annotations

import datetime
import os
import urllib.parse
from dataclasses import dataclass, field

from django.utils import timezone
from rest_framework.test import APIClient

from accounts.hashers import TunedArgon2PasswordHasher
from accounts.models import User
from accounts.services import token_pair_for_user
from accounts.tests.factories import DEFAULT_PASSWORD, UserFactory
from notifications.links import unsubscribe_token
from notifications.models import (
    EmailDelivery,
    EmailStatus,
    JobRun,
    JobTrigger,
    NotificationPreference,
)
from practice.tests.factories import AssignmentFactory, PracticeLogFactory
from teams.models import Membership, Role, Team
from teams.services import calendar_token_rotate
from teams.tests.factories import CycleFactory, MembershipFactory, TeamFactory, make_invite
from tickets.models import TicketStatus, TicketVisibility
from tickets.tests.factories import TicketFactory


@dataclass
class TeamWorld:
    team: Team
    admin: User
    leader: User
    member: User
    ids: dict[str, str] = field(default_factory=dict)
    invite_token: str = ""
    calendar_token: str = ""
    unsubscribe_token: str = ""


# The password of every user of the world. For a live server (production settings) it is
# hashed with the production hasher: the test settings' fast hasher is not among its hashers.
PASSWORD = DEFAULT_PASSWORD


def _token(user: User) -> str:
    return token_pair_for_user(user)["access_token"]


def build_team(name: str, *, staff_admin: bool = False, live: bool = False) -> TeamWorld:
    """``live``: hash passwords as a live server (production settings) checks them."""
    team = TeamFactory(name=name)
    admin = UserFactory(display_name=f"{name} Admin", is_staff=staff_admin)
    leader = UserFactory(display_name=f"{name} Leader")
    member = UserFactory(display_name=f"{name} Member")
    if live:
        hasher = TunedArgon2PasswordHasher()
        for user in (admin, leader, member):
            user.password = hasher.encode(PASSWORD, hasher.salt())
            user.save(update_fields=["password"])
    MembershipFactory(team=team, user=admin, role=Role.ADMIN)
    MembershipFactory(team=team, user=leader, role=Role.SECTION_LEADER, section="Soprano")
    MembershipFactory(team=team, user=member, role=Role.MEMBER, section="Soprano")
    today = timezone.now().date()
    cycle = CycleFactory(team=team, date=today + datetime.timedelta(days=3))
    CycleFactory(team=team, date=today - datetime.timedelta(days=4))
    assignment = AssignmentFactory(cycle=cycle, created_by=leader, title=f"{name} bars 1-16")
    log = PracticeLogFactory(
        user=member, cycle=cycle, duration_minutes=25, notes=f"{name} practice notes"
    )
    ticket = TicketFactory(
        cycle=cycle,
        created_by=member,
        owner=member,
        visibility=TicketVisibility.TEAM,
        title=f"{name} team ticket",
    )
    resolved = TicketFactory(
        cycle=cycle,
        created_by=member,
        owner=member,
        visibility=TicketVisibility.SECTION,
        section="Soprano",
        status=TicketStatus.RESOLVED,
        resolved_at=timezone.now(),
    )
    private = TicketFactory(
        cycle=cycle,
        created_by=member,
        owner=member,
        visibility=TicketVisibility.PRIVATE,
        section="Soprano",
    )
    claimable = TicketFactory(
        cycle=cycle, created_by=leader, owner=None, claimable=True, title=f"{name} claimable"
    )
    invite, raw = make_invite(team, email=None)
    NotificationPreference.objects.create(user=member, team=team, no_log_days=5)
    delivery = EmailDelivery.objects.create(
        kind="no_log_reminder",
        user=member,
        team=team,
        to=member.email,
        subject=f"{name}: time to practice!",
        template="no_log_reminder",
        dedupe_key=f"test:{team.id}:{member.id}",
        status=EmailStatus.SENT,
        sent_at=timezone.now(),
    )
    run = JobRun.objects.create(job_name="no_log_reminder", trigger=JobTrigger.MANUAL)
    calendar = calendar_token_rotate(membership=Membership.objects.get(team=team, user=member))
    world = TeamWorld(
        unsubscribe_token=unsubscribe_token(
            kind="no_log_reminder", team_id=team.id, user_id=member.id, email=member.email
        ),
        team=team,
        admin=admin,
        leader=leader,
        member=member,
        invite_token=raw,
        calendar_token=calendar,
    )
    world.ids = {
        "team_id": str(team.id),
        "cycle_id": str(cycle.id),
        "assignment_id": str(assignment.id),
        "practice_log_id": str(log.id),
        "ticket_id": str(ticket.id),
        "resolved_ticket_id": str(resolved.id),
        "private_ticket_id": str(private.id),
        "claimable_ticket_id": str(claimable.id),
        "invite_id": str(invite.id),
        "run_id": str(run.id),
        "delivery_id": str(delivery.id),
        "user_id": str(member.id),
        "admin_user_id": str(admin.id),
        "leader_user_id": str(leader.id),
    }
    return world


def tokens(world: TeamWorld) -> dict[str, str]:
    return {role: _token(getattr(world, role)) for role in ("admin", "leader", "member")}


def refresh_token(user: User) -> str:
    return token_pair_for_user(user)["refresh_token"]


def client_for(user: User) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {_token(user)}")
    return client


def broker_url_for_tests(redis_url: str) -> str:
    """The Celery broker of these tests: CELERY_TEST_BROKER_URL, else the same Redis, db 11."""
    if os.environ.get("CELERY_TEST_BROKER_URL"):
        return os.environ["CELERY_TEST_BROKER_URL"]
    parts = urllib.parse.urlsplit(redis_url)
    return urllib.parse.urlunsplit(parts._replace(path="/11"))
