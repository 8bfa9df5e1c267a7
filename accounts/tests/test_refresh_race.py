"""Parallel refreshes of one token: with rotation exactly one wins (PITFALLS.md → simplejwt);
without rotation (the default) every one succeeds and the token stays alive."""

import threading

import pytest
from django.db import connection
from rest_framework.test import APIClient

from accounts.services import token_pair_for_user
from accounts.tests.factories import UserFactory


@pytest.mark.django_db(transaction=True)
def test_ten_parallel_refreshes_give_exactly_one_success(require_postgres, settings):
    settings.AUTH_RATE_LIMIT = "1000/m"
    settings.REFRESH_TOKEN_ROTATION = True
    user = UserFactory()
    for _round in range(3):
        refresh = token_pair_for_user(user)["refresh_token"]
        barrier = threading.Barrier(10)
        statuses: list[int] = []
        tokens: list[str] = []

        def attempt() -> None:
            client = APIClient()
            barrier.wait()
            try:
                response = client.post("/auth/refresh", {"refresh_token": refresh}, format="json")
                statuses.append(response.status_code)
                if response.status_code == 200:
                    tokens.append(response.json()["refresh_token"])
            finally:
                connection.close()

        threads = [threading.Thread(target=attempt) for _ in range(10)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(statuses) == [200] + [401] * 9
        # The single new chain works; the old token is dead.
        client = APIClient()
        assert (
            client.post("/auth/refresh", {"refresh_token": tokens[0]}, format="json").status_code
            == 200
        )
        assert (
            client.post("/auth/refresh", {"refresh_token": refresh}, format="json").status_code
            == 401
        )


@pytest.mark.django_db(transaction=True)
def test_ten_parallel_refreshes_without_rotation_all_succeed(require_postgres, settings):
    settings.AUTH_RATE_LIMIT = "1000/m"
    assert settings.REFRESH_TOKEN_ROTATION is False
    user = UserFactory()
    refresh = token_pair_for_user(user)["refresh_token"]
    barrier = threading.Barrier(10)
    answers: list[tuple[int, str | None]] = []

    def attempt() -> None:
        client = APIClient()
        barrier.wait()
        try:
            response = client.post("/auth/refresh", {"refresh_token": refresh}, format="json")
            body = response.json()
            answers.append((response.status_code, body.get("refresh_token")))
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers == [(200, refresh)] * 10
    client = APIClient()
    assert (
        client.post("/auth/refresh", {"refresh_token": refresh}, format="json").status_code == 200
    )
