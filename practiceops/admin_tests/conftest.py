"""Fixtures for the admin console's tests: a staff user, a logged-in test client, query counts."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from accounts.tests.factories import DEFAULT_PASSWORD, UserFactory


@pytest.fixture
def staff_user(db) -> User:
    return UserFactory(
        email="staff@example.com", display_name="Stella Staff", is_staff=True, is_superuser=True
    )


@pytest.fixture
def staff_client(staff_user) -> Client:
    client = Client()
    assert client.login(email=staff_user.email, password=DEFAULT_PASSWORD)
    return client


def messages_of(response) -> list[str]:
    """The admin messages a response carries (its context) or its redirect's page shows."""
    return [str(message) for message in response.context["messages"]] if response.context else []


def queries_for(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(ctx.captured_queries)


def assert_constant_queries(
    client: Client, url: str, make_rows: Callable[[int], object], *, rows_shown: str
) -> None:
    """The changelist costs the same number of queries with 5 rows and with 50."""
    make_rows(5)
    response = client.get(url)
    assert response.status_code == 200
    shown = response.context["cl"].result_count
    assert shown >= 5, rows_shown
    small = queries_for(client, url)
    make_rows(45)
    response = client.get(url)
    assert response.context["cl"].result_count == shown + 45, rows_shown
    assert len(response.context["cl"].result_list) == shown + 45
    large = queries_for(client, url)
    assert small == large, f"{rows_shown}: {small} queries for 5 rows, {large} for 50"
