"""Structured logging: one JSON object per line (spec/operations.md → Logging)."""

from __future__ import annotations

import re
import time
from typing import Any

import structlog
from django.dispatch import receiver
from django_structlog import signals

# Keys whose values must never reach a log line.
_SECRET_KEYS = {
    "password",
    "current_password",
    "new_password",
    "token",
    "access_token",
    "refresh_token",
    "authorization",
    "http_authorization",
    "smtp_pass",
}


# Paths that carry a secret in a segment (invite tokens); a UUID there is an id, kept.
_SECRET_PATH = re.compile(
    r"^(/invites/)(?![0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}(?:/|$))[^/]+"
)


def safe_path(path: str) -> str:
    """The request path with secret segments replaced, for log lines."""
    return _SECRET_PATH.sub(r"\1[redacted]", path)


def redact_secrets(_logger: Any, _method: str, event_dict: dict[str, Any]) -> dict[str, Any]:
    for key in list(event_dict):
        if key.lower() in _SECRET_KEYS:
            event_dict[key] = "[redacted]"
    return event_dict


def _shared_processors() -> list[Any]:
    return [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        redact_secrets,
        structlog.stdlib.PositionalArgumentsFormatter(),
        structlog.processors.StackInfoRenderer(),
        structlog.processors.format_exc_info,
        structlog.processors.UnicodeDecoder(),
    ]


def build_logging_config(*, level: str, fmt: str, log_file: str | None) -> dict[str, Any]:
    renderer = (
        {
            "()": structlog.stdlib.ProcessorFormatter,
            "processor": structlog.processors.JSONRenderer(),
            "foreign_pre_chain": _shared_processors(),
        }
        if fmt == "json"
        else {
            "()": structlog.stdlib.ProcessorFormatter,
            "processor": structlog.dev.ConsoleRenderer(colors=False),
            "foreign_pre_chain": _shared_processors(),
        }
    )
    json_formatter = {
        "()": structlog.stdlib.ProcessorFormatter,
        "processor": structlog.processors.JSONRenderer(),
        "foreign_pre_chain": _shared_processors(),
    }
    handlers: dict[str, Any] = {
        "stdout": {
            "class": "logging.StreamHandler",
            "formatter": "main",
            "stream": "ext://sys.stdout",
        },
    }
    if log_file:
        # WatchedFileHandler reopens the file after logrotate moves it.
        handlers["file"] = {
            "class": "logging.handlers.WatchedFileHandler",
            "filename": log_file,
            "formatter": "json",
        }
    names = list(handlers)
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"main": renderer, "json": json_formatter},
        "handlers": handlers,
        "root": {"handlers": names, "level": level},
        "loggers": {
            # Requests are logged once, by django-structlog; Django's own lines would repeat them.
            "django.request": {"handlers": [], "level": "ERROR", "propagate": False},
            "django.server": {"handlers": [], "level": "ERROR", "propagate": False},
            "django.db.backends": {"level": "WARNING"},
            "celery": {"level": level},
        },
    }


def configure_structlog() -> None:
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.stdlib.filter_by_level,
            structlog.stdlib.add_logger_name,
            structlog.stdlib.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            redact_secrets,
            structlog.stdlib.PositionalArgumentsFormatter(),
            structlog.processors.StackInfoRenderer(),
            structlog.processors.format_exc_info,
            structlog.processors.UnicodeDecoder(),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )


@receiver(signals.bind_extra_request_metadata)
def _bind_request_fields(request: Any, logger: Any, log_kwargs: dict[str, Any], **_: Any) -> None:
    from practiceops.core.client_ip import client_ip

    request._po_started = time.perf_counter()  # noqa: SLF001
    structlog.contextvars.bind_contextvars(client_ip=client_ip(request))
    log_kwargs["method"] = request.method
    log_kwargs["path"] = safe_path(request.path)
    log_kwargs.pop("request", None)


@receiver(signals.bind_extra_request_finished_metadata)
def _bind_finished_fields(
    request: Any, logger: Any, response: Any, log_kwargs: dict[str, Any], **_: Any
) -> None:
    started = getattr(request, "_po_started", None)
    log_kwargs["method"] = request.method
    log_kwargs["path"] = safe_path(request.path)
    log_kwargs["status_code"] = log_kwargs.pop("code", response.status_code)
    log_kwargs.pop("request", None)
    if started is not None:
        log_kwargs["duration_ms"] = round((time.perf_counter() - started) * 1000, 2)
