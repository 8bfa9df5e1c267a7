"""Bearer-token authentication with the exact messages of spec/api.md → Auth."""

from __future__ import annotations

import time
from typing import Any

from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.tokens import AccessToken

from accounts.models import User

USER_COLUMNS = ("id", "email", "display_name", "is_active", "is_staff", "is_superuser")
# Tokens "issued" in the future are forged or come from a badly skewed clock.
IAT_LEEWAY_SECONDS = 30


def decode_access_token(raw: str) -> AccessToken:
    try:
        token = AccessToken(raw)  # signature, expiry and type == "access"
    except TokenError:
        raise AuthenticationFailed("Invalid or expired token")
    iat = token.get("iat")
    if not isinstance(iat, int | float) or iat > time.time() + IAT_LEEWAY_SECONDS:
        raise AuthenticationFailed("Invalid or expired token")
    if not isinstance(token.get("sub"), str) or not _sub_is_uuid(token["sub"]):
        raise AuthenticationFailed("Invalid or expired token")
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
        # Only the columns requests read (ids, names, the staff flags that permissions check):
        # not the password hash or the timestamps. A deferred one is loaded when touched (the
        # password change reads the hash: one query more there).
        user = User.objects.filter(pk=token["sub"], is_active=True).only(*USER_COLUMNS).first()
        if user is None:
            raise AuthenticationFailed("User not found")
        return user, token

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="api"'


def _sub_is_uuid(value: Any) -> bool:
    import uuid

    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True
