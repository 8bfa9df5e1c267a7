"""Request id and log line, session scoping, body-size and last-resort error middleware."""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Callable

import structlog
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.utils.module_loading import import_string

from practiceops.core import errors
from practiceops.core.client_ip import client_ip
from practiceops.core.envelope import error_page_or_response, error_response
from practiceops.core.logging import log_event, safe_path
from practiceops.core.paths import is_html_path

logger = structlog.get_logger("practiceops.request")
request_logger = structlog.get_logger("practiceops.request")
# The two lines of every request take the short path (practiceops.core.logging.log_event).
_request_log = logging.getLogger("practiceops.request")

_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class RequestLogMiddleware:
    """Request id and the request's log line, outermost.

    It validates the incoming X-Request-ID (a client's value is logged only when it is a safe
    token: anything else could inject into the logs), binds it and the client's address to
    the log context (which also carries it into the Celery tasks the request starts) and
    echoes it on every response. It logs ``request_started`` as each request arrives (unless
    ``LOG_REQUEST_STARTED`` is off) and ``request_finished`` (method, path, status code,
    duration, client address, user id) at a level that follows the status, or
    ``request_failed`` with the traceback when an exception escaped every handler; each line
    is rendered once (README → Performance).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.log_started = getattr(settings, "LOG_REQUEST_STARTED", True)
        got_request_exception.connect(self._failed, dispatch_uid="po_request_failed")

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        incoming = request.META.get("HTTP_X_REQUEST_ID", "")
        request_id = incoming if _SAFE_REQUEST_ID.match(incoming) else str(uuid.uuid4())
        request.META["HTTP_X_REQUEST_ID"] = request_id
        request.request_id = request_id  # type: ignore[attr-defined]
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=request_id, client_ip=client_ip(request))
        if self.log_started:
            log_event(
                _request_log,
                logging.INFO,
                "request_started",
                method=request.method,
                path=safe_path(request.path),
            )
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = request_id
            if not getattr(request, "_po_failed", False):
                status = response.status_code
                level = (
                    logging.ERROR
                    if status >= 500
                    else logging.WARNING
                    if status >= 400
                    else logging.INFO
                )
                log_event(
                    _request_log,
                    level,
                    "request_finished",
                    method=request.method,
                    path=safe_path(request.path),
                    status_code=status,
                    duration_ms=round((time.perf_counter() - started) * 1000, 2),
                    user_id=_user_id(request),
                )
            return response
        finally:
            structlog.contextvars.clear_contextvars()

    @staticmethod
    def _failed(sender: object, request: HttpRequest | None = None, **_: object) -> None:
        if request is None:
            return
        request._po_failed = True  # type: ignore[attr-defined]
        request_logger.exception(
            "request_failed",
            method=request.method,
            path=safe_path(request.path),
            status_code=500,
            user_id=_user_id(request),
        )


def _user_id(request: HttpRequest) -> str | None:
    # DRF sets request.user on the Django request once it has authenticated; a session path
    # has it from AuthenticationMiddleware (a lazy object: touching it loads the session's
    # user, which the admin's own pages do anyway).
    user = getattr(request, "user", None)
    pk = getattr(user, "pk", None) if user is not None else None
    return None if pk is None else str(pk)


class SessionScopedMiddleware:
    """Sessions, CSRF, session authentication and messages, only where a session can exist.

    The API authenticates by bearer token and never reads a session or a CSRF cookie; only the
    admin console and the web app (``SESSION_PATH_PREFIXES``, plus ``/<ADMIN_URL>`` when that
    setting exists) need ``SESSION_SCOPED_MIDDLEWARE``. Elsewhere the request skips them (a
    fifth of a plain view's time, README → Performance). Under the prefixes they run exactly
    as they would in ``MIDDLEWARE``, in order, including their ``process_view`` hooks (CSRF is
    checked there), since this middleware stands in their place.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        prefixes = list(getattr(settings, "SESSION_PATH_PREFIXES", ["/admin/"]))
        admin_url = getattr(settings, "ADMIN_URL", None)
        if admin_url:
            prefixes.append("/" + admin_url.lstrip("/"))
        self.prefixes = tuple(prefixes)
        handler = get_response
        self.view_hooks = []
        for path in reversed(settings.SESSION_SCOPED_MIDDLEWARE):
            instance = import_string(path)(handler)
            if hasattr(instance, "process_view"):
                self.view_hooks.insert(0, instance.process_view)
            if hasattr(instance, "process_exception") or hasattr(
                instance, "process_template_response"
            ):
                raise ImproperlyConfigured(f"{path}: only process_view hooks are forwarded")
            handler = instance
        self.session_handler = handler

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info.startswith(self.prefixes):
            request._po_session_path = True  # type: ignore[attr-defined]
            return self.session_handler(request)
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Callable, view_args: tuple, view_kwargs: dict
    ) -> HttpResponse | None:
        if not getattr(request, "_po_session_path", False):
            return None
        for hook in self.view_hooks:
            response = hook(request, view_func, view_args, view_kwargs)
            if response is not None:
                return response
        return None


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
            return error_page_or_response(
                request, errors.ServiceUnavailable("Database unavailable")
            )
        if is_html_path(request.path):
            return None  # the admin console and the web app keep their own error pages
        from practiceops.core.exceptions import to_api_error

        return error_response(request, to_api_error(exception))
