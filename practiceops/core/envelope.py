"""Building the one error envelope every layer answers with."""

from __future__ import annotations

from typing import Any

import structlog
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string

from practiceops.core.errors import ApiError
from practiceops.core.paths import WEB_APP_PREFIX


def current_request_id(request: HttpRequest | None = None) -> str | None:
    if request is not None:
        rid = getattr(request, "request_id", None)
        if rid:
            return rid
    return structlog.contextvars.get_contextvars().get("request_id")


def error_body(
    code: str, message: str, field: str | None, request_id: str | None
) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "field": field, "request_id": request_id}}


def error_response(request: HttpRequest | None, error: ApiError) -> JsonResponse:
    """A plain Django response in the envelope, for code paths outside DRF."""
    response = JsonResponse(
        error_body(error.code, error.message, error.field, current_request_id(request)),
        status=error.status_code,
    )
    retry_after = getattr(error, "retry_after", None)
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    return response


def error_page_or_response(request: HttpRequest, error: ApiError) -> HttpResponse:
    """Under the web app, the page it ships for the status (``<status>.html``: ``500.html``,
    ``503.html``); the envelope everywhere else, or when the web app has no such page.

    The page is rendered without the request (no context processor, no session or user
    lookup), since the database may be what failed.
    """
    if request.path.startswith(WEB_APP_PREFIX):
        try:
            body = render_to_string(f"{error.status_code}.html")
        except TemplateDoesNotExist:
            pass
        else:
            return HttpResponse(body, status=error.status_code)
    return error_response(request, error)
