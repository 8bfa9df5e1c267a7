"""One error envelope for every layer (spec/api.md → Errors), and junk input never a 5xx."""

import json

import pytest
from django.test import Client

from conftest import assert_error

pytestmark = pytest.mark.django_db


def test_unknown_route_and_trailing_slash(anon):
    assert_error(anon.get("/nope"), 404, "NOT_FOUND", field=None)
    assert_error(anon.post("/auth/login/", {}, format="json"), 404, "NOT_FOUND")


def test_wrong_method(anon):
    assert_error(anon.get("/auth/login"), 405, "METHOD_NOT_ALLOWED", "Method GET not allowed")
    assert_error(anon.delete("/auth/register"), 405, "METHOD_NOT_ALLOWED")


def test_unsupported_media_type(anon):
    response = anon.post(
        "/auth/login", "email=a&password=b", content_type="application/x-www-form-urlencoded"
    )
    assert_error(response, 415, "UNSUPPORTED_MEDIA_TYPE")
    response = anon.post("/auth/login", "hello", content_type="text/plain")
    assert_error(response, 415, "UNSUPPORTED_MEDIA_TYPE")


def test_payload_too_large(anon, settings):
    big = json.dumps({"email": "a@b.c", "password": "x" * (1024 * 1024 + 10)})
    response = anon.post("/auth/login", big, content_type="application/json")
    assert_error(response, 413, "PAYLOAD_TOO_LARGE")
    settings.MAX_BODY_BYTES = 2048
    response = anon.post(
        "/auth/register", json.dumps({"name": "x" * 3000}), content_type="application/json"
    )
    assert_error(response, 413, "PAYLOAD_TOO_LARGE")


def test_malformed_json_and_non_objects(anon):
    assert_error(
        anon.post("/auth/login", "{bad", content_type="application/json"),
        422,
        "VALIDATION_ERROR",
        "Request body is not valid JSON",
    )
    assert_error(
        anon.post("/auth/login", "NaN", content_type="application/json"), 422, "VALIDATION_ERROR"
    )
    for body in ["[1, 2]", '"text"', "42", "null", "true"]:
        assert_error(
            anon.post("/auth/login", body, content_type="application/json"), 422, "VALIDATION_ERROR"
        )


def test_unexpected_exception_is_internal_without_details(settings, caplog):
    settings.ROOT_URLCONF = "practiceops.core.tests.urls_boom"
    client = Client(raise_request_exception=False)
    for path in ("/boom", "/plain-boom"):
        response = client.get(path)
        error = assert_error(response, 500, "INTERNAL", "Internal server error", field=None)
        assert (
            "psycopg" not in response.content.decode()
            and "Traceback" not in response.content.decode()
        )
        assert error["request_id"]
    events = [r.msg.get("event") for r in caplog.records if isinstance(r.msg, dict)]
    assert "unhandled_exception" in events


def test_database_errors_are_503(settings):
    settings.ROOT_URLCONF = "practiceops.core.tests.urls_boom"
    response = Client(raise_request_exception=False).get("/db-down")
    assert_error(response, 503, "SERVICE_UNAVAILABLE", "Database unavailable")


def test_debug_mode_still_answers_json_404(settings, anon):
    settings.DEBUG = True
    assert_error(anon.get("/definitely/not/here"), 404, "NOT_FOUND")


JUNK_BODIES = [
    "not json",
    "[]",
    "[{}]",
    '"string"',
    "123",
    "{}",
    json.dumps({"email": "a" * 100_000, "password": "b" * 100_000, "name": "c" * 100_000}),
    json.dumps({"email": 1, "password": 2, "name": 3, "refresh_token": 4}),
    json.dumps({"email": True, "password": None, "name": [], "refresh_token": {}}),
    json.dumps({"email": {"$gt": ""}, "password": {"$ne": None}}),
    json.dumps({"email": "a@b.c", "password": "x\u0000y", "name": "n\u0000"}),
    json.dumps({"email": "'; DROP TABLE users; --", "password": "' OR '1'='1", "name": "<script>"}),
    json.dumps({"unknown": "field", "extra": [1, 2, 3]}),
    json.dumps(
        {"current_password": 1.5, "new_password": -1, "refresh_token": 1e309 if False else 1e300}
    ),
    '{"email": "\\ud800"}',
    "\xff\xfe garbage bytes",
]

ENDPOINTS = ["/auth/register", "/auth/login", "/auth/refresh", "/auth/logout", "/auth/password"]


@pytest.mark.parametrize("path", ENDPOINTS)
@pytest.mark.parametrize("body", JUNK_BODIES, ids=range(len(JUNK_BODIES)))
def test_junk_input_never_5xx(admin, anon, path, body, settings):
    settings.AUTH_RATE_LIMIT = "10000/m"
    for client in (anon, admin.client):
        response = client.generic(
            "POST", path, body.encode("utf-8", "surrogatepass"), content_type="application/json"
        )
        assert response.status_code < 500, (path, body[:80], response.content[:300])
        if response.status_code >= 400:
            assert_error(response, response.status_code, response.json()["error"]["code"])


@pytest.mark.parametrize(
    "query", ["limit=0", "limit=101", "limit=abc", "cursor=!!!", "limit=5&cursor=bm90LWpzb24"]
)
def test_me_ignores_but_never_crashes_on_query_junk(admin, query):
    assert admin.client.get(f"/me?{query}").status_code == 200
