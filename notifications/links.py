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


def _signer() -> signing.Signer:
    return signing.Signer(salt=UNSUBSCRIBE_SALT)


def unsubscribe_token(*, kind: str, team_id: Any, user_id: Any | None, email: str) -> str:
    """A signed, non-expiring token naming who unsubscribes from what (django.core.signing).

    Kept short (hex ids; the address only when there is no account) because it ends up in a
    mail header.
    """
    payload = [
        kind,
        uuid.UUID(str(team_id)).hex,
        uuid.UUID(str(user_id)).hex if user_id else "",
        "" if user_id else email,
    ]
    return _signer().sign_object(payload, compress=True)


def unsubscribe_parse(token: str) -> UnsubscribeTarget | None:
    try:
        kind, team_hex, user_hex, email = _signer().unsign_object(token)
        return UnsubscribeTarget(
            kind=str(kind),
            team_id=uuid.UUID(team_hex),
            user_id=uuid.UUID(user_hex) if user_hex else None,
            email=str(email or ""),
        )
    except (signing.BadSignature, TypeError, ValueError, AttributeError):
        return None


def unsubscribe_page_url(token: str) -> str:
    """The web app's page (shown in the e-mail body) that asks before applying."""
    return frontend(f"unsubscribe/{token}")


def unsubscribe_api_url(token: str) -> str:
    """The endpoint a mail provider POSTs to for RFC 8058 one-click unsubscribe."""
    return f"{settings.PUBLIC_API_URL}/unsubscribe/{token}"
