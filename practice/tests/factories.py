import factory
from django.db import transaction
from django.utils import timezone

from accounts.tests.factories import UserFactory
from practice import rollups
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


class RolledUpLogFactory(factory.django.DjangoModelFactory):
    """Creates a practice log as the services do: its practice rollup with it."""

    class Meta:
        abstract = True

    @classmethod
    def _create(cls, model_class, *args, **kwargs):  # type: ignore[no-untyped-def]
        with transaction.atomic():
            log = super()._create(model_class, *args, **kwargs)
            tz = rollups.team_timezone_for_write(log.team_id)
            rollups.rollup_apply(rollups.log_changes(log, tz))
        return log


class PracticeLogFactory(RolledUpLogFactory):
    class Meta:
        model = PracticeLog

    user = factory.SubFactory(UserFactory)
    cycle = factory.SubFactory(CycleFactory)
    team = factory.LazyAttribute(lambda o: o.cycle.team)
    duration_minutes = 30
    occurred_at = factory.LazyFunction(timezone.now)
