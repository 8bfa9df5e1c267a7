import datetime
import hashlib
import secrets

import factory
from django.utils import timezone

from accounts.tests.factories import UserFactory
from teams.models import Invite, Membership, RehearsalCycle, Role, Team


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    name = factory.Sequence(lambda n: f"Team {n}")
    timezone = "UTC"
    weekly_goal_days = 3


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    team = factory.SubFactory(TeamFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.MEMBER
    section = None


class CycleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RehearsalCycle

    team = factory.SubFactory(TeamFactory)
    date = factory.Sequence(lambda n: timezone.now().date() + datetime.timedelta(days=7 + n))
    name = factory.LazyAttribute(lambda o: RehearsalCycle.default_label(o.date))


class InviteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invite

    team = factory.SubFactory(TeamFactory)
    token_hash = factory.LazyFunction(lambda: hashlib.sha256(secrets.token_bytes(32)).hexdigest())
    email = None
    role = Role.MEMBER
    section = None
    expires_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(hours=168))


def make_invite(team: Team, *, raw_token: str | None = None, **fields) -> tuple[Invite, str]:
    """An invite and its raw token (only the token's hash is stored)."""
    raw = raw_token or secrets.token_urlsafe(32)
    invite = InviteFactory(team=team, token_hash=hashlib.sha256(raw.encode()).hexdigest(), **fields)
    return invite, raw
