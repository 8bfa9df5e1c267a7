import datetime

import factory
from django.utils import timezone

from accounts.tests.factories import UserFactory
from teams.models import Membership, RehearsalCycle, Role, Team


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
