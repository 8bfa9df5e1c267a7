"""The console e-mail backend of the embedded default: each message becomes one log event."""

from __future__ import annotations

from collections.abc import Sequence

import structlog
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.message import EmailMessage

logger = structlog.get_logger("practiceops.email")


class ConsoleLogEmailBackend(BaseEmailBackend):
    """Logs ``Simulating email send`` with to, subject and kind instead of sending."""

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        for message in email_messages:
            logger.info(
                "Simulating email send",
                to=list(message.to),
                subject=message.subject,
                kind=message.extra_headers.get("X-PracticeOps-Kind", "unknown"),
            )
        return len(email_messages)
