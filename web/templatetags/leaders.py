"""Template helpers of the leaders' pages."""

from __future__ import annotations

from typing import Any

from django import template

from teams.models import Membership
from tickets.models import Ticket
from web.views.leader_tickets import owner_choices as _owner_choices

register = template.Library()


@register.simple_tag
def owner_choices(membership: Membership, ticket: Ticket) -> list[dict[str, Any]]:
    """Reassign's New owner choices (members who can see the ticket); see
    ``web.views.leader_tickets.owner_choices``."""
    return _owner_choices(membership, ticket)
