"""The ticket state machine of domain.md, and the only code that writes ``Ticket.status``.

```
OPEN        -> IN_PROGRESS
IN_PROGRESS -> OPEN, BLOCKED, RESOLVED
BLOCKED     -> IN_PROGRESS, RESOLVED
RESOLVED    -> VERIFIED            (only through verify, only by a leader)
RESOLVED    -> IN_PROGRESS         (only through reopen, by whoever may verify it, with a reason)
VERIFIED    -> (terminal)
```

``tickets.services`` calls these functions on a row it has locked; nothing else assigns
``status`` (the API refuses it in PATCH, the admin console shows it read-only).
"""

from __future__ import annotations

import datetime

from practiceops.core.errors import ValidationFailed
from tickets.models import CLOSED_STATUSES, Ticket, TicketStatus

S = TicketStatus

TRANSITIONS: dict[str, frozenset[str]] = {
    S.OPEN: frozenset({S.IN_PROGRESS}),
    S.IN_PROGRESS: frozenset({S.OPEN, S.BLOCKED, S.RESOLVED}),
    S.BLOCKED: frozenset({S.IN_PROGRESS, S.RESOLVED}),
    S.RESOLVED: frozenset(),
    S.VERIFIED: frozenset(),
}

USE_VERIFY = "Use /verify instead"
ALREADY_VERIFIED = "Ticket is already verified"
ONLY_RESOLVED = "Only RESOLVED tickets can be verified"
NOTE_REQUIRED = "A note is required to resolve a ticket"
CLOSED_UNCLAIM = "A resolved or verified ticket cannot be unclaimed"
ONLY_RESOLVED_REOPEN = "Only RESOLVED tickets can be reopened"
REASON_REQUIRED = "A reason is required to reopen a ticket"


def check_transition(current: str, to_status: str, *, content: str | None) -> None:
    """Raise the refusal of domain.md for a move that /transition may not make."""
    if to_status == S.VERIFIED:
        raise ValidationFailed(USE_VERIFY, field="to_status")
    if to_status not in TRANSITIONS[current]:
        raise ValidationFailed(
            f"Invalid transition from {current} to {to_status}", field="to_status"
        )
    if to_status == S.RESOLVED and not (content and content.strip()):
        raise ValidationFailed(NOTE_REQUIRED, field="content")


def apply_transition(
    ticket: Ticket, to_status: str, *, content: str | None, now: datetime.datetime
) -> None:
    check_transition(ticket.status, to_status, content=content)
    ticket.status = to_status
    if to_status == S.RESOLVED:
        ticket.resolved_at = now
        ticket.resolved_note = content


def check_verify(current: str) -> None:
    if current == S.VERIFIED:
        raise ValidationFailed(ALREADY_VERIFIED)
    if current != S.RESOLVED:
        raise ValidationFailed(ONLY_RESOLVED)


def apply_verify(
    ticket: Ticket, *, verifier_id: object, note: str | None, now: datetime.datetime
) -> None:
    check_verify(ticket.status)
    ticket.status = S.VERIFIED
    ticket.verified_at = now
    ticket.verified_by_id = verifier_id
    ticket.verified_note = note


def check_reopen(current: str, *, reason: str | None) -> None:
    if current != S.RESOLVED:
        raise ValidationFailed(ONLY_RESOLVED_REOPEN)
    if not (reason and reason.strip()):
        raise ValidationFailed(REASON_REQUIRED, field="reason")


def apply_reopen(ticket: Ticket, *, reason: str | None) -> None:
    """RESOLVED -> IN_PROGRESS: the fix did not hold. ``resolved_at`` is cleared; the old
    ``resolved_note`` stays on the row until the next resolution overwrites it (the activity
    history keeps every one of them)."""
    check_reopen(ticket.status, reason=reason)
    ticket.status = S.IN_PROGRESS
    ticket.resolved_at = None


def apply_unclaim(ticket: Ticket) -> None:
    """A ticket given back returns to the pool as OPEN, whatever unfinished state it was in."""
    if ticket.status in CLOSED_STATUSES:
        raise ValidationFailed(CLOSED_UNCLAIM)
    ticket.status = S.OPEN
