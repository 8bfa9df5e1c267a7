"""A JSON renderer built on orjson: serialization, not the database, dominates list requests."""

from __future__ import annotations

import datetime
import decimal
import uuid
from typing import Any

import orjson
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BaseRenderer


def _default(value: Any) -> Any:
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, datetime.timedelta):
        return value.total_seconds()
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def dumps(data: Any) -> bytes:
    # orjson writes aware UTC datetimes as "+00:00"; the contract wants "Z".
    return orjson.dumps(data, default=_default, option=orjson.OPT_UTC_Z | orjson.OPT_NON_STR_KEYS)


class JSONRenderer(BaseRenderer):
    media_type = "application/json"
    format = "json"
    charset = None

    def render(
        self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None
    ) -> bytes:
        if data is None:
            return b""
        return dumps(data)


class ContentNegotiation(DefaultContentNegotiation):
    """DRF's negotiation, answering the usual request without parsing its Accept header.

    Every API view renders JSON only; a request with no Accept header, ``*/*`` or
    ``application/json`` (and no ``?format=``) gets what DRF's parsing would choose, the first
    renderer and its media type. Anything else goes through DRF's own rules (406 included).
    """

    _USUAL_ACCEPT = frozenset({None, "*/*", "application/json"})

    def select_renderer(
        self, request: Any, renderers: list[BaseRenderer], format_suffix: str | None = None
    ) -> tuple[BaseRenderer, str]:
        if (
            format_suffix is None
            and renderers
            and request.META.get("HTTP_ACCEPT") in self._USUAL_ACCEPT
            and self.settings.URL_FORMAT_OVERRIDE not in request.query_params
        ):
            renderer = renderers[0]
            if renderer.media_type == "application/json":
                return renderer, renderer.media_type
        return super().select_renderer(request, renderers, format_suffix)
