"""Rate limiting on the shared cache with django-ratelimit (spec/operations.md)."""

from __future__ import annotations

import structlog
from django.conf import settings
from django.http import HttpRequest
from django_ratelimit.core import get_usage

from practiceops.core.client_ip import client_ip
from practiceops.core.errors import RateLimited
from practiceops.core.logging import safe_path

logger = structlog.get_logger("practiceops.ratelimit")


def enforce(request: HttpRequest, *, group: str, key: str, rate: str | None = None) -> None:
    """Count one attempt for ``key`` in ``group``; raise RateLimited when over the rate.

    The key is passed in explicitly because django-ratelimit's ``post:`` keys read
    ``request.POST``, which is empty for JSON bodies (every client would share one bucket).
    When the cache is unreachable the limiter fails open: logins must keep working.
    """
    rate = rate or settings.AUTH_RATE_LIMIT
    try:
        usage = get_usage(
            request, group=group, key=lambda _group, _request: key, rate=rate, increment=True
        )
    except Exception as exc:  # noqa: BLE001 - any cache failure means "fail open"
        logger.warning("rate_limit_backend_unavailable", group=group, error=exc.__class__.__name__)
        return
    if usage is None:
        return
    if usage.get("count") is None or usage.get("time_left", 0) < 0:
        logger.warning("rate_limit_backend_unavailable", group=group)
        return
    if usage["should_limit"]:
        logger.warning(
            "rate_limit_exceeded",
            client_ip=client_ip(request),
            path=safe_path(request.path),
            group=group,
            limit=rate,
        )
        raise RateLimited(retry_after=usage["time_left"])


def enforce_per_ip(request: HttpRequest, *, group: str) -> None:
    enforce(request, group=group, key=f"ip:{client_ip(request)}")
