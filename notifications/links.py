"""Links in e-mails and unsubscribe tokens.

E-mail bodies link to the web app (``FRONTEND_URL``); the ``List-Unsubscribe`` header points
at this API's own ``/unsubscribe/{token}`` (``PUBLIC_API_URL``), because a mail provider's
one-click POST must reach the endpoint that applies it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core import signing

UNSUBSCRIBE_SALT = "notifications.unsubscribe"


def frontend(path: str) -> str:
    return f"{settings.FRONTEND_URL}/{path.lstrip('/')}"


def practice_log_url(team_id: Any) -> str:
    return frontend(f"teams/{team_id}/practice/log")


def ticket_url(ticket_id: Any) -> str:
    return frontend(f"tickets/{ticket_id}")


def dashboard_url(team_id: Any) -> str:
    return frontend(f"teams/{team_id}/dashboard")


def leader_dashboard_url(team_id: Any) -> str:
    return frontend(f"teams/{team_id}/dashboard/leader")


def preferences_url(team_id: Any) -> str:
    return frontend(f"teams/{team_id}/settings/notifications")


@dataclass(frozen=True)
class UnsubscribeTarget:
    kind: str
    team_id: uuid.UUID
    user_id: uuid.UUID | None
    email: str


def unsubscribe_token(*, kind: str, team_id: Any, user_id: Any | None, email: str) -> str:
    """A signed, non-expiring token naming who unsubscribes from what (django.core.signing)."""
    payload = {"k": kind, "t": str(team_id), "u": str(user_id) if user_id else None, "e": email}
    return signing.dumps(payload, salt=UNSUBSCRIBE_SALT, compress=True)


def unsubscribe_parse(token: str) -> UnsubscribeTarget | None:
    try:
        payload = signing.loads(token, salt=UNSUBSCRIBE_SALT)
        return UnsubscribeTarget(
            kind=str(payload["k"]),
            team_id=uuid.UUID(payload["t"]),
            user_id=uuid.UUID(payload["u"]) if payload.get("u") else None,
            email=str(payload.get("e") or ""),
        )
    except (signing.BadSignature, KeyError, TypeError, ValueError, AttributeError):
        return None


def unsubscribe_page_url(token: str) -> str:
    """The web app's page (shown in the e-mail body) that asks before applying."""
    return frontend(f"unsubscribe/{token}")


def unsubscribe_api_url(token: str) -> str:
    """The endpoint a mail provider POSTs to for RFC 8058 one-click unsubscribe."""
    return f"{settings.PUBLIC_API_URL}/unsubscribe/{token}"
