"""Request ids and request logging (spec/operations.md → Logging)."""

import logging
import uuid

import pytest

from conftest import assert_error

pytestmark = pytest.mark.django_db


def _events(caplog, name):
    return [r.msg for r in caplog.records if isinstance(r.msg, dict) and r.msg.get("event") == name]


def test_safe_incoming_request_id_is_echoed_and_logged(admin, caplog):
    caplog.set_level(logging.INFO)
    response = admin.client.get("/me", HTTP_X_REQUEST_ID="client-trace_01.A")
    assert response.status_code == 200
    assert response["X-Request-ID"] == "client-trace_01.A"
    finished = _events(caplog, "request_finished")[-1]
    assert finished["request_id"] == "client-trace_01.A"
    assert (
        finished["method"] == "GET" and finished["path"] == "/me" and finished["status_code"] == 200
    )
    assert finished["user_id"] == admin.id
    assert finished["client_ip"] == "127.0.0.1"
    assert isinstance(finished["duration_ms"], float)
    # operations.md: every request logs request_started and request_finished, once each.
    started = _events(caplog, "request_started")
    assert len(started) == 1 and len(_events(caplog, "request_finished")) == 1
    assert started[0] == {**started[0], "request_id": "client-trace_01.A", "path": "/me"}


def test_one_line_per_request_when_request_started_is_off(admin, caplog, settings):
    from django.test import Client

    settings.LOG_REQUEST_STARTED = False  # read when the middleware chain is built
    caplog.set_level(logging.INFO)
    client = Client(HTTP_AUTHORIZATION=admin.client._credentials["HTTP_AUTHORIZATION"])
    client.get("/me", HTTP_X_REQUEST_ID="client-trace_02")
    assert _events(caplog, "request_started") == []
    assert _events(caplog, "request_finished")[-1]["request_id"] == "client-trace_02"


def test_an_exception_that_escapes_is_logged_once_as_request_failed(caplog, settings):
    from django.test import Client

    settings.ROOT_URLCONF = "practiceops.core.tests.urls_boom"
    caplog.set_level(logging.INFO)
    client = Client(raise_request_exception=False)
    response = client.get("/admin/boom", HTTP_X_REQUEST_ID="failing-1")
    assert response.status_code == 500
    failed = _events(caplog, "request_failed")
    assert [(e["request_id"], e["path"], e["status_code"]) for e in failed] == [
        ("failing-1", "/admin/boom", 500)
    ]
    assert [e for e in _events(caplog, "request_finished") if e["request_id"] == "failing-1"] == []


@pytest.mark.parametrize(
    "incoming", ["x" * 65, "has space", "semi;colon", 'quote"', "new\nline", "ünïcode"]
)
def test_unsafe_request_id_replaced_with_uuid(anon, incoming, caplog):
    caplog.set_level(logging.INFO)
    response = anon.get("/health", HTTP_X_REQUEST_ID=incoming)
    rid = response["X-Request-ID"]
    assert rid != incoming
    uuid.UUID(rid)
    assert all(e["request_id"] == rid for e in _events(caplog, "request_finished"))


def test_every_response_carries_a_request_id_and_errors_repeat_it(anon):
    response = anon.get("/me")
    error = assert_error(response, 401, "UNAUTHORIZED")
    assert error["request_id"] == response["X-Request-ID"]
    uuid.UUID(response["X-Request-ID"])
    response = anon.get("/me", HTTP_X_REQUEST_ID="abc-123")
    assert assert_error(response, 401, "UNAUTHORIZED")["request_id"] == "abc-123"


def test_secrets_never_logged(anon, caplog):
    caplog.set_level(logging.DEBUG)
    anon.post(
        "/auth/login",
        {"email": "a@example.com", "password": "super-secret-value"},
        format="json",
        HTTP_AUTHORIZATION="Bearer secret-token-value",
    )
    text = "\n".join(str(r.msg) for r in caplog.records)
    assert "super-secret-value" not in text
    assert "secret-token-value" not in text
