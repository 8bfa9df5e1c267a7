"""How practice logs link to tickets without the practice app importing the tickets app.

Imports point one way (core ← accounts ← teams ← practice ← tickets), so the tickets app
registers, in its AppConfig.ready(), the function that resolves ``ticket_ids`` sent with a
practice log: it returns the visible tickets of the team or raises ValidationFailed with
field ``ticket_ids``.

It may also register the ticket visibility rule (``visible_tickets_q``): the tickets linked to
a practice log are then shown to each reader only when that reader may see them, so a leader
reading a member's logs never learns the title of a PRIVATE ticket hidden from them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.db.models import Q

from practiceops.core.errors import ValidationFailed

TicketResolver = Callable[[Any, Sequence[Any]], list[Any]]  # (membership, ids) -> tickets
TicketVisibility = Callable[[Any], Q]  # membership -> Q over Ticket

_resolver: TicketResolver | None = None
_visibility: TicketVisibility | None = None


def register_ticket_resolver(resolver: TicketResolver) -> None:
    global _resolver
    _resolver = resolver


def register_ticket_visibility(rule: TicketVisibility) -> None:
    global _visibility
    _visibility = rule


def resolve_tickets(membership: Any, ticket_ids: Sequence[Any]) -> list[Any]:
    if not ticket_ids:
        return []
    if _resolver is None:
        raise ValidationFailed("Tickets cannot be linked", field="ticket_ids")
    return _resolver(membership, ticket_ids)


def visible_tickets_q(membership: Any) -> Q | None:
    """The registered ticket visibility rule for ``membership``, or None when none is known."""
    return _visibility(membership) if _visibility is not None else None
