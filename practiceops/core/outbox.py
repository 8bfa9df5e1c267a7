"""The seam through which an app below ``notifications`` queues an e-mail.

Imports point one way (core ← accounts ← teams ← … ← notifications): a low app such as
``teams`` (the invitation e-mail) must not import ``notifications``. It calls
``email_enqueue`` here instead; ``notifications`` hands its outbox function over when the app
registry is ready (``NotificationsConfig.ready``), so the e-mail still goes through the one
outbox (dedupe, retries, delivery history, unsubscribe headers) and is sent on commit.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ImproperlyConfigured

_enqueue: Callable[..., Any] | None = None


def email_enqueue_register(enqueue: Callable[..., Any]) -> None:
    """Called once by the app that owns the outbox, from its ``AppConfig.ready``."""
    global _enqueue  # noqa: PLW0603 - one registration per process, at start-up
    _enqueue = enqueue


def email_enqueue(**kwargs: Any) -> Any:
    """Queue one e-mail in the outbox: the keyword arguments of ``notifications.outbox``'s
    ``email_enqueue`` (``kind``, ``user``, ``team``, ``to``, ``subject``, ``template``,
    ``context``, ``dedupe_key``)."""
    if _enqueue is None:
        raise ImproperlyConfigured("No e-mail outbox is registered (is notifications installed?)")
    return _enqueue(**kwargs)
