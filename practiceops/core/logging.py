"""Structured logging: one JSON object per line (spec/operations.md → Logging)."""

from __future__ import annotations

import datetime
import logging
import re
from typing import Any

import orjson
import structlog

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


def _orjson_dumps(event_dict: dict[str, Any], **_: Any) -> str:
    # orjson: about a tenth of json.dumps' time per line; str() for anything it cannot encode
    # (a UUID or datetime it can; a lazy translation or a model instance it cannot).
    return orjson.dumps(event_dict, default=str).decode()


class OnceProcessorFormatter(structlog.stdlib.ProcessorFormatter):
    """A ProcessorFormatter that renders each record once, however many handlers share it
    (stdout and LOG_FILE both write the same JSON line)."""

    def format(self, record: logging.LogRecord) -> str:
        # A request line (log_event below) arrives rendered already.
        rendered = record.__dict__.get("_po_json")
        if rendered is not None:
            return rendered
        cached = record.__dict__.get("_po_rendered")
        if cached is not None and cached[0] is self:
            return cached[1]
        line = super().format(record)
        record.__dict__["_po_rendered"] = (self, line)
        return line


_METHOD_NAMES = {
    logging.DEBUG: "debug",
    logging.INFO: "info",
    logging.WARNING: "warning",
    logging.ERROR: "error",
    logging.CRITICAL: "critical",
}


def log_event(logger: logging.Logger, level: int, event: str, **fields: Any) -> None:
    """One structured line, as ``structlog.get_logger(name).log(level, event, **fields)``
    writes it, for the lines every request logs.

    The same event dict (the fields, ``event``, the bound context variables, ``logger``,
    ``level`` and an ISO UTC ``timestamp``, secrets redacted) reaches the same stdlib handlers
    in a record shaped as structlog's (``record.msg`` is the dict, so console output and
    ``caplog`` see what they always saw), but without structlog's processor chain, its caller
    lookup and the formatter's copy of the record: the JSON line is rendered here once, with
    orjson, and OnceProcessorFormatter writes it as it is. Two such lines per request cost
    about a third of a plain view's time through the general path (README → Performance).
    """
    if not logger.isEnabledFor(level):
        return
    event_dict = fields
    event_dict["event"] = event
    for key, value in structlog.contextvars.get_contextvars().items():
        event_dict.setdefault(key, value)
    method_name = _METHOD_NAMES.get(level) or logging.getLevelName(level).lower()
    event_dict["logger"] = logger.name
    event_dict["level"] = method_name
    now = datetime.datetime.now(tz=datetime.UTC)
    event_dict["timestamp"] = now.isoformat().replace("+00:00", "Z")
    redact_secrets(None, method_name, event_dict)
    record = logger.makeRecord(logger.name, level, "(unknown file)", 0, event_dict, (), None)
    # What structlog's wrap_for_formatter attaches, so ProcessorFormatter (console output)
    # treats the record as one of structlog's.
    record._logger = logger  # type: ignore[attr-defined]
    record._name = method_name  # type: ignore[attr-defined]
    record._po_json = _orjson_dumps(event_dict)  # type: ignore[attr-defined]
    logger.handle(record)


def build_logging_config(*, level: str, fmt: str, log_file: str | None) -> dict[str, Any]:
    json_formatter = {
        "()": OnceProcessorFormatter,
        "processor": structlog.processors.JSONRenderer(serializer=_orjson_dumps),
        "foreign_pre_chain": _shared_processors(),
    }
    renderer = (
        json_formatter
        if fmt == "json"
        else {
            "()": structlog.stdlib.ProcessorFormatter,
            "processor": structlog.dev.ConsoleRenderer(colors=False),
            "foreign_pre_chain": _shared_processors(),
        }
    )
    handlers: dict[str, Any] = {
        "stdout": {
            "class": "logging.StreamHandler",
            "formatter": "main",
            "stream": "ext://sys.stdout",
        },
    }
    if log_file:
        # WatchedFileHandler reopens the file after logrotate moves it. With JSON on stdout
        # too, both handlers share one formatter, so the line is rendered once.
        handlers["file"] = {
            "class": "logging.handlers.WatchedFileHandler",
            "filename": log_file,
            "formatter": "main" if fmt == "json" else "json",
        }
    names = list(handlers)
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"main": renderer, "json": json_formatter},
        "handlers": handlers,
        "root": {"handlers": names, "level": level},
        "loggers": {
            # Requests are logged once, by RequestLogMiddleware; Django's own lines would repeat
            # them.
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
