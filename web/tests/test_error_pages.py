"""No default Django error page under /app/ (spec/web.md, ground rule 4): a GET on an action's
address, a crash and a lost database each answer a page of the app; the API keeps its envelope."""

from __future__ import annotations

import pytest
from django.test import Client

from web.tests.conftest import session_client
from web.tests.helpers import alerts, h1


@pytest.mark.parametrize("path", ["/app/t/{team}/log", "/app/logout", "/app/me/password"])
def test_get_on_an_action_address_is_an_app_405(soprano_member, team, path):
    client = session_client(soprano_member)
    response = client.get(path.format(team=team.pk))
    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert h1(response) == "Not a page"
    assert alerts(response) == ["This address performs an action: use its button on the page."]


def test_a_crash_under_the_app_is_the_apps_500_page(settings, db):
    settings.ROOT_URLCONF = "web.tests.urls_failing"
    response = Client(raise_request_exception=False).get("/app/boom")
    assert response.status_code == 500
    assert response["Content-Type"].startswith("text/html")
    assert h1(response) == "Something went wrong"
    assert b"secret detail" not in response.content


def test_a_lost_database_under_the_app_is_the_apps_503_page(settings, db):
    settings.ROOT_URLCONF = "web.tests.urls_failing"
    response = Client(raise_request_exception=False).get("/app/db-down")
    assert response.status_code == 503
    assert h1(response) == "PracticeOps is unavailable"


def test_the_api_keeps_the_envelope_for_a_crash(settings, db):
    settings.ROOT_URLCONF = "practiceops.core.tests.urls_boom"
    response = Client(raise_request_exception=False).get("/plain-boom")
    assert response.status_code == 500
    assert response.json()["error"]["code"] == "INTERNAL"
