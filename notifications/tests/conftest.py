"""Fixtures of the notifications tests: a staff persona, job runs, an SMTP server."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from conftest import make_persona
from notifications.models import JobRun, JobTrigger
from notifications.runner import job_run_create, job_run_execute


@pytest.fixture(autouse=True)
def _outbox_settings(settings):
    # Retries happen at once in tests (eager tasks); specific tests set a real backoff.
    settings.EMAIL_RETRY_BACKOFF_SECONDS = 0
    settings.FRONTEND_URL = "https://app.example.test"
    settings.PUBLIC_API_URL = "https://api.example.test"


@pytest.fixture
def staff(db):
    """A staff user who belongs to no team."""
    return make_persona(None, is_staff=True, display_name="Stella Staff")


@pytest.fixture
def run_job() -> Callable[[str], JobRun]:
    """Run a job in-process (as ``run_job NAME --sync`` does) and return its finished run."""

    def _run(name: str) -> JobRun:
        run = job_run_create(job_name=name, trigger=JobTrigger.MANUAL)
        finished = job_run_execute(run.id)
        assert finished is not None
        return finished

    return _run


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RecordingHandler:
    """An aiosmtpd handler that refuses the first ``refuse`` DATA commands with 451, then accepts."""

    def __init__(self, refuse: int = 0, code: str = "451 4.3.0 Try again later") -> None:
        self.refuse = refuse
        self.code = code
        self.attempts = 0
        self.messages: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.attempts += 1
        if self.attempts <= self.refuse:
            return self.code
        self.messages.append(envelope)
        return "250 OK"


@pytest.fixture
def smtp_server(settings) -> Iterator[Callable[..., RecordingHandler]]:
    """Start an aiosmtpd server on a free port and point Django's SMTP backend at it."""
    from aiosmtpd.controller import Controller

    controllers = []

    def _start(refuse: int = 0, code: str = "451 4.3.0 Try again later") -> RecordingHandler:
        handler = RecordingHandler(refuse=refuse, code=code)
        port = free_port()
        controller = Controller(handler, hostname="127.0.0.1", port=port)
        controller.start()
        controllers.append(controller)
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = port
        settings.EMAIL_USE_TLS = False
        settings.EMAIL_HOST_USER = ""
        settings.EMAIL_HOST_PASSWORD = ""
        settings.EMAIL_TIMEOUT = 5
        return handler

    yield _start
    for controller in controllers:
        controller.stop()
