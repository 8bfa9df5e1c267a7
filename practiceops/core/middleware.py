"""Request-id, body-size and last-resort error middleware."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

import structlog
from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse

from practiceops.core import errors
from practiceops.core.envelope import error_response

logger = structlog.get_logger("practiceops.request")

_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class RequestIdMiddleware:
    """Validates the incoming X-Request-ID and echoes the one in use on every response.

    It runs before django-structlog's middleware and rewrites the header, because that
    middleware binds the client's value verbatim: an unsafe one could inject into the logs.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.META.get("HTTP_X_REQUEST_ID", "")
        request_id = incoming if _SAFE_REQUEST_ID.match(incoming) else str(uuid.uuid4())
        request.META["HTTP_X_REQUEST_ID"] = request_id
        request.request_id = request_id  # type: ignore[attr-defined]
        response = self.get_response(request)
        response["X-Request-ID"] = request_id
        return response


class BodySizeLimitMiddleware:
    """Refuses bodies over MAX_BODY_BYTES with 413 before anything reads them.

    DRF's JSON parser reads the raw stream, which bypasses Django's
    DATA_UPLOAD_MAX_MEMORY_SIZE check, so the limit is enforced here on Content-Length.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        raw_length = request.META.get("CONTENT_LENGTH") or "0"
        try:
            length = int(raw_length)
        except ValueError:
            return error_response(request, errors.ValidationFailed("Invalid Content-Length header"))
        if length > settings.MAX_BODY_BYTES:
            return error_response(
                request,
                errors.PayloadTooLarge(
                    f"Request body is larger than {settings.MAX_BODY_BYTES} bytes"
                ),
            )
        return self.get_response(request)


class DatabaseUnavailableMiddleware:
    """Answers the envelope for exceptions raised by non-DRF views (admin, health, static).

    DRF views are covered by the exception handler; this catches what escapes elsewhere so
    that even in DEBUG no client sees an HTML traceback from the API.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, OperationalError | InterfaceError):
            logger.error("database_unavailable", error=exception.__class__.__name__)
            return error_response(request, errors.ServiceUnavailable("Database unavailable"))
        if request.path.startswith(f"/{settings.ADMIN_URL}") and not request.path.startswith(
            "/admin/jobs"
        ):
            return None  # the admin console keeps Django's own error pages
        from practiceops.core.exceptions import to_api_error

        return error_response(request, to_api_error(exception))
