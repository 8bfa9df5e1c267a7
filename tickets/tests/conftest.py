import pytest

from conftest import make_persona
from teams.models import Role


@pytest.fixture
def tenor_member(team):
    return make_persona(team, role=Role.MEMBER, section="Tenor", display_name="Ted Tenor")


@pytest.fixture
def sectionless_member(team):
    return make_persona(team, role=Role.MEMBER, section=None, display_name="Nia Nosection")
