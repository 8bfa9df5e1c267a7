import factory

from teams.tests.factories import CycleFactory
from tickets.models import Ticket, TicketCategory, TicketStatus, TicketVisibility


class TicketFactory(factory.django.DjangoModelFactory):
    """A ticket written straight to the table: for arranging state, never for testing writes."""

    class Meta:
        model = Ticket

    cycle = factory.SubFactory(CycleFactory)
    team = factory.LazyAttribute(lambda o: o.cycle.team)
    created_by = None
    owner = factory.LazyAttribute(lambda o: o.created_by)
    category = TicketCategory.PITCH
    priority = "LOW"
    status = TicketStatus.OPEN
    visibility = TicketVisibility.TEAM
    section = None
    title = factory.Sequence(lambda n: f"Bars {n}-{n + 8}")
    due_at = factory.LazyAttribute(lambda o: o.cycle.date_as_datetime if o.cycle else None)
