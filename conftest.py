"""Shared fixtures: the personas every test needs, each with an authenticated API client.

The team "Harmonia" has an ADMIN (no section), a SECTION_LEADER and a MEMBER for Soprano and
for Alto, and there is an outsider who belongs to another team.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from accounts.models import User
from accounts.services import token_pair_for_user
from accounts.tests.factories import UserFactory
from practiceops.core import prepared
from teams.models import Membership, Role, Team
from teams.tests.factories import CycleFactory, MembershipFactory, TeamFactory

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"


@dataclass
class Persona:
    user: User
    membership: Membership | None
    client: APIClient

    @property
    def id(self) -> str:
        return str(self.user.id)


def authed_client(user: User) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token_pair_for_user(user)['access_token']}")
    return client


def make_persona(
    team: Team | None, *, role: str = Role.MEMBER, section: str | None = None, **user_kwargs
) -> Persona:
    user = UserFactory(**user_kwargs)
    membership = (
        MembershipFactory(team=team, user=user, role=role, section=section) if team else None
    )
    return Persona(user=user, membership=membership, client=authed_client(user))


@pytest.fixture(autouse=True)
def verify_prepared_queries(monkeypatch):
    """Every prepared query of every test is checked against the ORM's own SQL and parameters
    for the same values (practiceops/core/prepared.py)."""
    monkeypatch.setattr(prepared, "VERIFY", True)


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def team(db) -> Team:
    return TeamFactory(name="Harmonia")


@pytest.fixture
def other_team(db) -> Team:
    return TeamFactory(name="Other Team")


@pytest.fixture
def admin(team) -> Persona:
    return make_persona(team, role=Role.ADMIN, display_name="Ada Admin")


@pytest.fixture
def soprano_leader(team) -> Persona:
    return make_persona(
        team, role=Role.SECTION_LEADER, section="Soprano", display_name="Sam Soprano-Leader"
    )


@pytest.fixture
def alto_leader(team) -> Persona:
    return make_persona(
        team, role=Role.SECTION_LEADER, section="Alto", display_name="Al Alto-Leader"
    )


@pytest.fixture
def soprano_member(team) -> Persona:
    return make_persona(team, role=Role.MEMBER, section="Soprano", display_name="Sue Soprano")


@pytest.fixture
def alto_member(team) -> Persona:
    return make_persona(team, role=Role.MEMBER, section="Alto", display_name="Alice Alto")


@pytest.fixture
def outsider(other_team) -> Persona:
    """Belongs to another team, not to Harmonia."""
    return make_persona(other_team, role=Role.ADMIN, display_name="Otto Outsider")


@pytest.fixture
def cycle(team):
    return CycleFactory(team=team)


@pytest.fixture
def anon() -> APIClient:
    return APIClient()


def _is_postgres() -> bool:
    return settings.DATABASES["default"]["ENGINE"] == "practiceops.core.postgresql"


@pytest.fixture
def require_postgres() -> None:
    """For tests that prove concurrency: they mean nothing on SQLite."""
    if not _is_postgres():
        if REQUIRE_SERVICES:
            pytest.fail("REQUIRE_SERVICES=1 but DATABASE_URL is not PostgreSQL")
        pytest.skip("needs PostgreSQL (set DATABASE_URL=postgres://…)")


@pytest.fixture
def redis_url() -> str:
    url = os.environ.get("REDIS_URL") or os.environ.get("TEST_REDIS_URL")
    if not url:
        if REQUIRE_SERVICES:
            pytest.fail("REQUIRE_SERVICES=1 but REDIS_URL is not set")
        pytest.skip("needs Redis (set REDIS_URL=redis://…)")
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError as exc:
        if REQUIRE_SERVICES:
            pytest.fail(f"REQUIRE_SERVICES=1 but Redis at {url} is not reachable: {exc}")
        pytest.skip(f"Redis at {url} is not reachable")
    return url


@pytest.fixture(autouse=True)
def _clear_cache():
    """Rate-limit counters must not leak from one test into the next."""
    from django.core.cache import cache

    try:
        cache.clear()
    except Exception:  # noqa: BLE001 - a test that stopped Redis cleans up after itself
        pass
    yield


def assert_error(
    response, status: int, code: str, message: str | None = None, field: str | None = "<any>"
) -> dict:
    """Assert the exact envelope of spec/api.md and return its ``error`` object."""
    assert response.status_code == status, (
        response.status_code,
        getattr(response, "content", b"")[:500],
    )
    body = response.json()
    assert set(body) == {"error"}, body
    error = body["error"]
    assert set(error) == {"code", "message", "field", "request_id"}, error
    assert error["code"] == code, error
    if message is not None:
        assert error["message"] == message, error
    if field != "<any>":
        assert error["field"] == field, error
    assert error["request_id"] == response["X-Request-ID"]
    return error
