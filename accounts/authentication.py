"""Bearer-token authentication with the exact messages of spec/api.md → Auth."""

from __future__ import annotations

import functools
import time
import uuid
from typing import Any

from django.db import connections, router
from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.tokens import AccessToken
from rest_framework_simplejwt.utils import aware_utcnow

from accounts.models import User

# The columns requests read from the caller (ids, names, the staff flags that permissions
# check): not the password hash or the timestamps. A deferred one is loaded when touched (the
# password change reads the hash: one query more there).
USER_COLUMNS = ("id", "email", "display_name", "is_active", "is_staff", "is_superuser")


@functools.cache
def _lookup(alias: str, vendor: str) -> tuple[str, list[str], list[tuple[Any, list]]]:
    """The user lookup's SQL and each column's converters, built once per database.

    Every authenticated request runs this one query. Built through the ORM (a queryset, its
    compiler, ``first()``'s ordering) it cost about 0.7 ms of CPU against 0.1 ms for a bare
    round trip (measured in-process, README → Performance). The values go through the
    converters the ORM applies, so the instance is what
    ``User.objects.only(*USER_COLUMNS).get(pk=…, is_active=True)`` gives.
    """
    connection = connections[alias]
    quote = connection.ops.quote_name
    # In the model's field order: from_db() fills the loaded fields in that order.
    fields = [f for f in User._meta.concrete_fields if f.attname in USER_COLUMNS]
    columns = ", ".join(quote(f.column) for f in fields)
    table = quote(User._meta.db_table)
    pk = quote(User._meta.pk.column)
    active = quote(User._meta.get_field("is_active").column)
    # Identifiers from the model's own metadata, quoted; the id is a parameter.
    sql = f"SELECT {columns} FROM {table} WHERE {pk} = %s AND {active} LIMIT 1"  # noqa: S608  # nosec B608
    converters = []
    for field in fields:
        column = field.get_col(User._meta.db_table)
        found = connection.ops.get_db_converters(column) + field.get_db_converters(connection)
        converters.append((column, found))
    return sql, [f.attname for f in fields], converters


def active_user(user_id: str) -> User | None:
    """The active user with this id (a UUID string), USER_COLUMNS loaded, or None."""
    connection = connections[router.db_for_read(User)]
    sql, names, converters = _lookup(connection.alias, connection.vendor)
    param = User._meta.pk.get_db_prep_value(uuid.UUID(user_id), connection)
    with connection.cursor() as cursor:
        cursor.execute(sql, [param])
        row = cursor.fetchone()
    if row is None:
        return None
    values = []
    for value, (column, column_converters) in zip(row, converters, strict=True):
        for converter in column_converters:
            value = converter(value, column, connection)
        values.append(value)
    return User.from_db(connection.alias, names, values)


# Tokens "issued" in the future are forged or come from a badly skewed clock.
IAT_LEEWAY_SECONDS = 30


# Access tokens this process has verified, by their text: a client sends the same token with
# every request until it expires, and checking its signature and claims again each time cost
# about as much as the user lookup that follows (README → Performance). A cached token is still
# checked for expiry on every use; the user behind it is still loaded (and refused when
# deactivated or deleted) on every request.
_VERIFIED_TOKENS: dict[str, AccessToken] = {}
_VERIFIED_TOKENS_MAX = 2048


def decode_access_token(raw: str) -> AccessToken:
    token = _VERIFIED_TOKENS.get(raw)
    if token is not None:
        try:
            token.check_exp(current_time=aware_utcnow())
        except TokenError:
            _VERIFIED_TOKENS.pop(raw, None)
            raise AuthenticationFailed("Invalid or expired token")
        return token
    try:
        token = AccessToken(raw)  # signature, expiry and type == "access"
    except TokenError:
        raise AuthenticationFailed("Invalid or expired token")
    iat = token.get("iat")
    if not isinstance(iat, int | float) or iat > time.time() + IAT_LEEWAY_SECONDS:
        raise AuthenticationFailed("Invalid or expired token")
    if not isinstance(token.get("sub"), str) or not _sub_is_uuid(token["sub"]):
        raise AuthenticationFailed("Invalid or expired token")
    if len(_VERIFIED_TOKENS) >= _VERIFIED_TOKENS_MAX:
        _VERIFIED_TOKENS.clear()  # bounded memory; the next requests verify afresh
    _VERIFIED_TOKENS[raw] = token
    return token


class BearerAuthentication(BaseAuthentication):
    def authenticate(self, request: Request) -> tuple[User, AccessToken] | None:
        header = request.META.get("HTTP_AUTHORIZATION")
        if header is None:
            return None  # DRF answers NotAuthenticated: "Missing authorization header"
        parts = header.split()
        if len(parts) != 2 or parts[0] != "Bearer":
            raise AuthenticationFailed("Invalid authorization header format")
        token = decode_access_token(parts[1])
        # Loading the user on every request is what refuses deleted and deactivated users.
        user = active_user(token["sub"])
        if user is None:
            raise AuthenticationFailed("User not found")
        return user, token

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="api"'


def _sub_is_uuid(value: Any) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True
