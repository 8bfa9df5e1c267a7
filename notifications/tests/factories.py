import datetime

import factory
from django.utils import timezone

from accounts.tests.factories import UserFactory
from notifications.models import NotificationPreference
from practice.models import PracticeLog, Priority
from practice.tests.factories import RolledUpLogFactory
from teams.tests.factories import TeamFactory
from tickets.models import (
    Ticket,
    TicketActivity,
    TicketActivityType,
    TicketCategory,
    TicketStatus,
    TicketVisibility,
)


class NotificationPreferenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = NotificationPreference

    user = factory.SubFactory(UserFactory)
    team = factory.SubFactory(TeamFactory)


class PracticeLogFactory(RolledUpLogFactory):
    class Meta:
        model = PracticeLog

    user = factory.SubFactory(UserFactory)
    team = factory.SubFactory(TeamFactory)
    duration_minutes = 30
    occurred_at = factory.LazyFunction(timezone.now)


class TicketFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Ticket

    team = factory.SubFactory(TeamFactory)
    category = TicketCategory.PITCH
    priority = Priority.MEDIUM
    status = TicketStatus.OPEN
    visibility = TicketVisibility.TEAM
    title = factory.Sequence(lambda n: f"Bars {n}-{n + 8}")
    due_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=7))


class TicketActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TicketActivity

    ticket = factory.SubFactory(TicketFactory)
    type = TicketActivityType.STATUS_CHANGE
    created_at = factory.LazyFunction(timezone.now)
