"""Fixtures for the admin console's tests: a staff user, a signed-in client, query counts.

``staff_client`` is signed in the way a real staff member ends up after the login form and
the second factor: a confirmed TOTP device, and the session holding django-otp's record
that it verified the user (what ``django_otp.login`` writes). Nothing in the settings is
relaxed for it.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from accounts.tests.factories import DEFAULT_PASSWORD, UserFactory

# Every admin URL in the tests follows ADMIN_URL, as the console does.
ADMIN = f"/{settings.ADMIN_URL}"


def sign_in_verified(client: Client, user: User) -> TOTPDevice:
    """Sign ``user`` in with a password and mark the session verified by a new TOTP device."""
    device = TOTPDevice.objects.create(user=user, name="Test authenticator", confirmed=True)
    assert client.login(email=user.email, password=DEFAULT_PASSWORD)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return device


@pytest.fixture
def staff_user(db) -> User:
    return UserFactory(
        email="staff@example.com", display_name="Stella Staff", is_staff=True, is_superuser=True
    )


@pytest.fixture
def staff_client(staff_user) -> Client:
    client = Client()
    sign_in_verified(client, staff_user)
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
