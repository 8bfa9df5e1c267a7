"""The bearer user lookup (accounts/authentication.py): the ORM's answer, without the ORM."""

import uuid

import pytest
from django.test.utils import CaptureQueriesContext

from accounts.authentication import USER_COLUMNS, active_user
from accounts.models import User
from accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_active_user_equals_the_orm_lookup_in_one_query(django_assert_num_queries):
    from django.db import connection

    user = UserFactory(display_name="Zoë Ünïcode", is_staff=True)
    with CaptureQueriesContext(connection) as ctx:
        found = active_user(str(user.pk))
    assert len(ctx.captured_queries) == 1
    expected = User.objects.only(*USER_COLUMNS).get(pk=user.pk, is_active=True)
    assert [getattr(found, name) for name in USER_COLUMNS] == [
        getattr(expected, name) for name in USER_COLUMNS
    ]
    assert isinstance(found.pk, uuid.UUID) and found.is_staff is True
    assert found.is_superuser is False
    assert found.get_deferred_fields() == expected.get_deferred_fields()
    assert not found._state.adding and found._state.db == "default"
    # A deferred column is loaded when touched (the password change reads the hash).
    assert found.check_password("nope") is False


def test_inactive_and_unknown_users_are_none():
    user = UserFactory(is_active=False)
    assert active_user(str(user.pk)) is None
    assert active_user(str(uuid.uuid4())) is None
