"""DRF's exception handler: every exception becomes the envelope of spec/api.md."""

from __future__ import annotations

from typing import Any

import structlog
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import Http404
from django_ratelimit.exceptions import Ratelimited
from rest_framework import exceptions as drf
from rest_framework.response import Response
from rest_framework.views import set_rollback

from practiceops.core import errors
from practiceops.core.envelope import current_request_id, error_body

logger = structlog.get_logger("practiceops.errors")


def _first_error(detail: Any, prefix: str = "") -> tuple[str | None, str]:
    """The first offending field (dotted for nested values) and its message."""
    if isinstance(detail, dict):
        for key, value in detail.items():
            key = str(key)
            if key in ("non_field_errors", "__all__"):
                field, message = _first_error(value, prefix)
                return (prefix.rstrip(".") or None) if field is None else field, message
            return _first_error(value, f"{prefix}{key}.")
        return prefix.rstrip(".") or None, "Invalid request"
    if isinstance(detail, list):
        for index, value in enumerate(detail):
            if isinstance(value, dict | list) and value:
                if isinstance(value, dict):
                    return _first_error(value, f"{prefix}{index}.")
                return _first_error(value, prefix)
            if value:
                return prefix.rstrip(".") or None, str(value)
        return prefix.rstrip(".") or None, "Invalid request"
    return prefix.rstrip(".") or None, str(detail)


def to_api_error(exc: BaseException) -> errors.ApiError:
    """Map any exception onto one of the project's error classes."""
    if isinstance(exc, errors.ApiError):
        return exc
    # django-ratelimit's Ratelimited subclasses PermissionDenied: it must be checked first.
    if isinstance(exc, Ratelimited):
        return errors.RateLimited(retry_after=getattr(exc, "retry_after", 60))
    if isinstance(exc, RequestDataTooBig):
        return errors.PayloadTooLarge()
    if isinstance(exc, drf.ValidationError):
        field, message = _first_error(exc.detail)
        return errors.ValidationFailed(message, field=field)
    if isinstance(exc, drf.ParseError):
        return errors.ValidationFailed("Request body is not valid JSON")
    if isinstance(exc, drf.NotAuthenticated):
        return errors.Unauthorized("Missing authorization header")
    if isinstance(exc, drf.AuthenticationFailed):
        return errors.Unauthorized(str(exc.detail))
    if isinstance(exc, drf.PermissionDenied | DjangoPermissionDenied):
        detail = getattr(exc, "detail", None)
        message = str(detail) if detail else errors.Forbidden.default_message
        return errors.Forbidden(message)
    if isinstance(exc, drf.NotFound | Http404):
        return errors.NotFound()
    if isinstance(exc, drf.MethodNotAllowed):
        return errors.MethodNotAllowed(str(exc.detail).rstrip(".").replace('"', ""))
    if isinstance(exc, drf.UnsupportedMediaType):
        return errors.UnsupportedMediaType()
    if isinstance(exc, drf.NotAcceptable):
        return errors.ValidationFailed("Only application/json responses are available")
    if isinstance(exc, drf.Throttled):
        return errors.RateLimited(retry_after=int(exc.wait or 60))
    if isinstance(exc, OperationalError | InterfaceError):
        logger.error("database_unavailable", error=exc.__class__.__name__)
        return errors.ServiceUnavailable("Database unavailable")
    if isinstance(exc, DatabaseError):
        logger.exception("unhandled_exception", error=exc.__class__.__name__)
        return errors.Internal()
    logger.exception("unhandled_exception", error=exc.__class__.__name__)
    return errors.Internal()


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response:
    # A refused request must not commit what it wrote before failing.
    set_rollback()
    request = context.get("request")
    error = to_api_error(exc)
    django_request = getattr(request, "_request", request)
    response = Response(
        error_body(error.code, error.message, error.field, current_request_id(django_request)),
        status=error.status_code,
    )
    retry_after = getattr(error, "retry_after", None)
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    if error.status_code == 401:
        response["WWW-Authenticate"] = 'Bearer realm="api"'
    return response
