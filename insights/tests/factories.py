import datetime

import factory
from django.utils import timezone

from accounts.tests.factories import UserFactory
from practice.models import Assignment, AssignmentScope, AssignmentType, PracticeLog, Priority
from practice.tests.factories import RolledUpLogFactory
from teams.tests.factories import CycleFactory, TeamFactory
from tickets.models import Ticket, TicketCategory, TicketStatus, TicketVisibility


class AssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Assignment

    cycle = factory.SubFactory(CycleFactory)
    type = AssignmentType.SONG_WORK
    scope = AssignmentScope.TEAM
    priority = Priority.LOW
    section = None
    title = factory.Sequence(lambda n: f"Assignment {n}")
    due_at = factory.LazyAttribute(
        lambda o: datetime.datetime.combine(o.cycle.date, datetime.time.min, tzinfo=datetime.UTC)
    )


class PracticeLogFactory(RolledUpLogFactory):
    class Meta:
        model = PracticeLog

    user = factory.SubFactory(UserFactory)
    team = factory.SubFactory(TeamFactory)
    cycle = None
    duration_minutes = 30
    occurred_at = factory.LazyFunction(timezone.now)


class TicketFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Ticket

    team = factory.SubFactory(TeamFactory)
    cycle = None
    owner = None
    created_by = factory.LazyAttribute(lambda o: o.owner)
    category = TicketCategory.OTHER
    priority = Priority.LOW
    status = TicketStatus.OPEN
    visibility = TicketVisibility.TEAM
    section = None
    title = factory.Sequence(lambda n: f"Ticket {n}")
    due_at = None
