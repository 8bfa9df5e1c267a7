"""The keyset paginator: every row exactly once, with equal sort keys and nulls."""

import datetime

import pytest
from django.db.models import F
from django.http import QueryDict

from accounts.models import User
from accounts.tests.factories import UserFactory
from practiceops.core.errors import ValidationFailed
from practiceops.core.pagination import encode_cursor, null_flag, paginate

pytestmark = pytest.mark.django_db


def _walk(queryset, ordering, limit):
    seen, cursor, pages = [], None, 0
    while True:
        params = QueryDict(mutable=True)
        params["limit"] = str(limit)
        if cursor:
            params["cursor"] = cursor
        page = paginate(params, queryset, ordering, lambda rows: [r.pk for r in rows])
        seen += page["items"]
        cursor = page["next_cursor"]
        pages += 1
        if not cursor:
            return seen, pages


def test_equal_timestamps_served_once_in_order():
    stamp = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    users = [
        UserFactory(created_at=stamp if n % 2 else stamp + datetime.timedelta(seconds=n))
        for n in range(23)
    ]
    for limit in (1, 2, 5, 7, 50):
        seen, pages = _walk(User.objects.all(), ["created_at", "id"], limit)
        assert pages == -(-23 // limit)
        assert sorted(seen) == sorted(u.pk for u in users)
        assert len(seen) == len(set(seen)) == 23
        expected = [u.pk for u in sorted(users, key=lambda u: (u.created_at, u.pk))]
        assert seen == expected


def test_descending_with_nullable_key_nulls_last():
    base = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    users = [
        UserFactory(last_login=None if n % 3 == 0 else base + datetime.timedelta(hours=n % 4))
        for n in range(17)
    ]
    queryset = User.objects.annotate(login_null=null_flag("last_login"))
    ordering = ["login_null", "-last_login", "id"]
    seen, _ = _walk(queryset, ordering, 4)
    expected = list(
        User.objects.order_by(F("last_login").desc(nulls_last=True), "id").values_list(
            "pk", flat=True
        )
    )
    assert seen == expected
    assert len(set(seen)) == len(users)


@pytest.mark.parametrize(
    "cursor", ["%%%", "bm90LWpzb24", encode_cursor([1]), encode_cursor([{"a": 1}, 2])]
)
def test_bad_cursor_is_422(cursor):
    params = QueryDict(mutable=True)
    params["cursor"] = cursor
    with pytest.raises(ValidationFailed) as excinfo:
        paginate(params, User.objects.all(), ["created_at", "id"], list)
    assert excinfo.value.field == "cursor"


@pytest.mark.parametrize("limit", ["0", "101", "-1", "ten", "1.5"])
def test_bad_limit_is_422(limit):
    params = QueryDict(mutable=True)
    params["limit"] = limit
    with pytest.raises(ValidationFailed) as excinfo:
        paginate(params, User.objects.all(), ["created_at", "id"], list)
    assert excinfo.value.field == "limit"
