"""The client's IP address, trusting exactly TRUSTED_PROXY_COUNT proxies' X-Forwarded-For."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    remote = request.META.get("REMOTE_ADDR") or "unknown"
    trusted = settings.TRUSTED_PROXY_COUNT
    if trusted <= 0:
        # Never trust a client-sent header by default: it would let anyone reset their limit.
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    # Each trusted proxy appends the address it received the request from; the last proxy's
    # own peer is REMOTE_ADDR. The client is therefore the N-th entry from the right.
    if len(hops) >= trusted:
        return hops[-trusted]
    return hops[0] if hops else remote
