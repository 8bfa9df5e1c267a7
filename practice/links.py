"""How practice logs link to tickets without the practice app importing the tickets app.

Imports point one way (core ← accounts ← teams ← practice ← tickets), so the tickets app
registers, in its AppConfig.ready(), the function that resolves ``ticket_ids`` sent with a
practice log: it returns the visible tickets of the team or raises ValidationFailed with
field ``ticket_ids``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from practiceops.core.errors import ValidationFailed

TicketResolver = Callable[[Any, Sequence[Any]], list[Any]]  # (membership, ids) -> tickets

_resolver: TicketResolver | None = None


def register_ticket_resolver(resolver: TicketResolver) -> None:
    global _resolver
    _resolver = resolver


def resolve_tickets(membership: Any, ticket_ids: Sequence[Any]) -> list[Any]:
    if not ticket_ids:
        return []
    if _resolver is None:
        raise ValidationFailed("Tickets cannot be linked", field="ticket_ids")
    return _resolver(membership, ticket_ids)
