"""Every answer outside the admin console and /app/ is the JSON envelope, whatever the method.

Django's CSRF middleware guards non-DRF views: before, a POST/PUT/PATCH/DELETE that reached the
catch-all route or the health view got Django's HTML "403 CSRF verification failed" page. The
clients here enforce CSRF checks, as a browser-less client meets them in production.
"""

from __future__ import annotations

import json
import uuid

import pytest
from django.middleware.csrf import _get_failure_view
from django.test import Client, RequestFactory
from rest_framework.test import APIClient

from conftest import assert_error

pytestmark = pytest.mark.django_db

UNSAFE = ["post", "put", "patch", "delete"]


@pytest.fixture
def strict_anon() -> APIClient:
    return APIClient(enforce_csrf_checks=True)


def _strict(persona) -> APIClient:
    client = APIClient(enforce_csrf_checks=True)
    client.credentials(HTTP_AUTHORIZATION=persona.client._credentials["HTTP_AUTHORIZATION"])  # noqa: SLF001
    return client


@pytest.mark.parametrize("method", ["put", "post", "patch", "delete"])
def test_a_wrong_method_on_health_is_405_in_the_envelope(strict_anon, method):
    response = getattr(strict_anon, method)("/health")
    assert_error(response, 405, "METHOD_NOT_ALLOWED", field=None)
    assert response["Content-Type"].startswith("application/json")
    assert response["X-Request-ID"] == response.json()["error"]["request_id"]


@pytest.mark.parametrize("method", UNSAFE)
@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/no-such-route",
        "/tickets/{id}/no-such-action",
        "/teams/{id}/no-such-thing/deeper",
        "/static-looking.css",
    ],
)
def test_an_unknown_route_is_404_in_the_envelope_for_every_method(
    strict_anon, alto_member, method, path
):
    path = path.format(id=uuid.uuid4())
    for client in (strict_anon, _strict(alto_member)):
        response = getattr(client, method)(path, {"x": 1}, format="json")
        assert_error(response, 404, "NOT_FOUND", f"No route for {method.upper()} {path}", None)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", "/me"),
        ("delete", "/me/teams"),
        ("put", "/tickets/{ticket}"),
        ("get", "/tickets/{ticket}/claim"),
        ("post", "/teams/{team}/members"),
        ("put", "/teams/{team}"),
        ("delete", "/teams/{team}/dashboards/member"),
        ("patch", "/auth/login"),
        ("get", "/auth/refresh"),
        ("put", "/invites/some-token/accept"),
        ("delete", "/admin/jobs"),
    ],
)
def test_a_known_route_with_a_wrong_method_is_405(strict_anon, alto_member, team, method, path):
    path = path.format(team=team.id, ticket=uuid.uuid4())
    # 405 before any lookup or role check: for a member, and for a caller without a token.
    for client in (_strict(alto_member), strict_anon):
        response = getattr(client, method)(path, {}, format="json")
        assert_error(response, 405, "METHOD_NOT_ALLOWED", field=None)
        assert "Allow" in response


@pytest.mark.parametrize("path", ["/tickets/abc/claim", "/admin/jobs/weekly_digests/run", "/"])
def test_the_csrf_failure_view_answers_the_envelope_for_the_api(path):
    response = _get_failure_view()(RequestFactory().post(path), reason="CSRF cookie not set.")
    assert response.status_code == 403
    assert response["Content-Type"].startswith("application/json")
    error = json.loads(response.content)["error"]
    assert (error["code"], error["message"]) == ("FORBIDDEN", "CSRF verification failed")


@pytest.mark.parametrize("path", ["/admin/login/", "/app/tickets/1/claim"])
def test_the_csrf_failure_view_keeps_djangos_page_for_admin_and_app(path):
    response = _get_failure_view()(RequestFactory().post(path), reason="CSRF cookie not set.")
    assert response.status_code == 403
    assert response["Content-Type"].startswith("text/html")


def test_the_admin_console_keeps_djangos_csrf_page(settings):
    response = Client(enforce_csrf_checks=True).post("/admin/login/", {"username": "x"})
    assert response.status_code == 403
    assert response["Content-Type"].startswith("text/html")
    assert b"CSRF" in response.content


def test_the_admin_prefix_follows_the_admin_url_setting(settings):
    from practiceops.core.paths import admin_prefix, is_html_path

    settings.ADMIN_URL = "console-7f3a/"
    assert admin_prefix() == "/console-7f3a/"
    assert is_html_path("/console-7f3a/login/")
    assert not is_html_path("/console-7f3a/jobs")
    assert not is_html_path("/admin/login/")


def test_health_is_in_the_schema(anon):
    schema = anon.get("/openapi.json").json()
    operation = schema["paths"]["/health"]["get"]
    assert set(operation["responses"]) >= {"200", "503", "405"}
    body = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert body == {"$ref": "#/components/schemas/Health"}
    health = schema["components"]["schemas"]["Health"]
    assert set(health["properties"]) == {"status", "db", "cache", "broker"}
    assert not operation.get("security") or operation["security"] == [{}]


def test_suggested_ticket_due_date_is_a_date_in_the_schema(anon):
    schema = anon.get("/openapi.json").json()
    due_date = schema["components"]["schemas"]["SuggestedTicketOutput"]["properties"]["due_date"]
    assert due_date["format"] == "date"


def test_a_dot_dot_ticket_id_is_the_envelope_not_a_csrf_page(strict_anon, alto_member):
    # A client that does not normalise "/tickets/.." reaches the ticket route with id "..".
    assert_error(strict_anon.patch("/tickets/..", {}, format="json"), 401, "UNAUTHORIZED")
    assert_error(
        _strict(alto_member).patch("/tickets/..", {}, format="json"),
        422,
        "VALIDATION_ERROR",
        field="ticket_id",
    )
