"""Building the one error envelope every layer answers with."""

from __future__ import annotations

from typing import Any

import structlog
from django.http import HttpRequest, JsonResponse

from practiceops.core.errors import ApiError


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
