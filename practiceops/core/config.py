"""Reading configuration from the environment.

Every misconfiguration stops start-up with one line that names the variable
(spec/operations.md), instead of a traceback from deep inside Django.
"""

from __future__ import annotations

import os
import re
import sys

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


class ConfigError(Exception):
    def __init__(self, variable: str, message: str) -> None:
        super().__init__(f"{variable}: {message}")
        self.variable = variable


def fail(variable: str, message: str) -> None:
    """Print one line naming the variable and exit non-zero."""
    sys.stderr.write(f"Configuration error: {variable}: {message}\n")
    raise SystemExit(2)


def env_str(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    lowered = raw.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    fail(name, f"expected true or false, got {raw!r}")
    return default  # pragma: no cover


def env_int(
    name: str, default: int, *, minimum: int | None = None, maximum: int | None = None
) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        fail(name, f"expected a whole number, got {raw!r}")
    if minimum is not None and value < minimum:
        fail(name, f"must be at least {minimum}, got {value}")
    if maximum is not None and value > maximum:
        fail(name, f"must be at most {maximum}, got {value}")
    return value


def env_list(name: str, default: str) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        raw = default
    return [item.strip() for item in raw.split(",") if item.strip()]


_RATE_RE = re.compile(r"^(\d+)/(\d*)([smhd])$")
_RATE_WORDS = {"second": "s", "minute": "m", "hour": "h", "day": "d"}


def env_rate(name: str, default: str) -> str:
    """A django-ratelimit rate such as ``10/m``; ``10/minute`` is accepted too."""
    raw = (os.environ.get(name) or default).strip().lower()
    count, _, unit = raw.partition("/")
    unit = _RATE_WORDS.get(unit, unit)
    normalized = f"{count}/{unit}"
    match = _RATE_RE.match(normalized)
    if not match or int(match.group(1)) < 1:
        fail(name, f"expected a rate like 10/m (per s, m, h or d), got {raw!r}")
    return normalized


def warn(message: str) -> None:
    """One line on stderr: start-up goes on, but the operator should know."""
    sys.stderr.write(f"Warning: {message}\n")
