import factory
from django.utils import timezone

from accounts.tests.factories import UserFactory
from practice.models import Assignment, AssignmentScope, AssignmentType, PracticeLog, Priority
from teams.tests.factories import CycleFactory


class AssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Assignment

    cycle = factory.SubFactory(CycleFactory)
    created_by = None
    type = AssignmentType.SONG_WORK
    scope = AssignmentScope.TEAM
    priority = Priority.LOW
    section = None
    title = factory.Sequence(lambda n: f"Assignment {n}")
    due_at = factory.LazyAttribute(lambda o: o.cycle.date_as_datetime)


class PracticeLogFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PracticeLog

    user = factory.SubFactory(UserFactory)
    cycle = factory.SubFactory(CycleFactory)
    team = factory.LazyAttribute(lambda o: o.cycle.team)
    duration_minutes = 30
    occurred_at = factory.LazyFunction(timezone.now)
