"""Web app fixtures: the root personas, each signed in with a session (Django's test client)."""

from __future__ import annotations

import pytest
from django.test import Client

from conftest import Persona


def session_client(persona: Persona | None) -> Client:
    client = Client()
    if persona is not None:
        client.force_login(persona.user)
    return client


@pytest.fixture
def web(db):
    """``web(persona)`` → a Django test client signed in as that persona (None: signed out)."""
    return session_client
