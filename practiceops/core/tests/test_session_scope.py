"""Sessions, CSRF, session auth and messages run only where a session can exist."""

import pytest
from django.http import HttpResponse
from django.test import Client, RequestFactory

from practiceops.core.middleware import SessionScopedMiddleware

pytestmark = pytest.mark.django_db


def _seen(path, settings, **extra_settings):
    for key, value in extra_settings.items():
        setattr(settings, key, value)
    seen = {}

    def view(request):
        seen["session"] = hasattr(request, "session")
        seen["user"] = hasattr(request, "user")
        seen["messages"] = hasattr(request, "_messages")
        return HttpResponse("ok")

    SessionScopedMiddleware(view)(RequestFactory().get(path))
    return seen


@pytest.mark.parametrize("path", ["/me", "/teams/x/dashboards/member", "/health", "/administer"])
def test_api_paths_skip_the_session_stack(path, settings):
    assert _seen(path, settings) == {"session": False, "user": False, "messages": False}


@pytest.mark.parametrize("path", ["/admin/", "/admin/login/", "/app/", "/app/tickets"])
def test_admin_and_web_app_paths_run_it(path, settings):
    assert _seen(path, settings) == {"session": True, "user": True, "messages": True}


def test_admin_url_setting_adds_its_prefix(settings):
    seen = _seen("/staff-console/", settings, ADMIN_URL="staff-console/")
    assert seen == {"session": True, "user": True, "messages": True}


def test_csrf_is_still_enforced_in_the_admin_and_no_cookie_leaks_to_the_api(admin):
    client = Client(enforce_csrf_checks=True)
    response = client.get("/admin/login/")
    assert response.status_code == 200 and "csrftoken" in response.cookies
    refused = client.post("/admin/login/", {"username": "x", "password": "y"})
    assert refused.status_code == 403
    token = response.cookies["csrftoken"].value
    accepted = client.post(
        "/admin/login/", {"username": "x", "password": "y", "csrfmiddlewaretoken": token}
    )
    assert accepted.status_code == 200  # the form again, with its error: CSRF passed
    api = admin.client.get("/me")
    assert api.status_code == 200
    assert "sessionid" not in api.cookies and "csrftoken" not in api.cookies
    assert "Cookie" not in api.get("Vary", "")


def test_system_check_stands_in_for_the_silenced_admin_and_csrf_checks(settings):
    from practiceops.core.apps import check_session_scoped_middleware

    assert check_session_scoped_middleware() == []
    settings.SESSION_SCOPED_MIDDLEWARE = [
        "django.contrib.sessions.middleware.SessionMiddleware",
        "django.contrib.auth.middleware.AuthenticationMiddleware",
        "django.contrib.messages.middleware.MessageMiddleware",
    ]
    assert [e.id for e in check_session_scoped_middleware()] == ["core.E001"]
