"""Accounts: registration, credentials and the refresh-token chain."""

from __future__ import annotations

import hashlib

import structlog
from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken

from accounts.models import User
from practiceops.core.errors import Conflict, Unauthorized, ValidationFailed
from practiceops.core.ratelimit import enforce, enforce_per_ip

logger = structlog.get_logger("practiceops.accounts")

INVALID_CREDENTIALS = "Invalid email or password"
INVALID_REFRESH = "Invalid or expired refresh token"

# Hashed once per process so that an unknown e-mail costs the same hashing work as a wrong
# password: the two answers must not be told apart by their timing.
_DUMMY_HASH: str | None = None


def normalize_email(email: str) -> str:
    return email.strip().lower()


def _validate_new_password(password: str, *, user: User, field: str) -> None:
    try:
        validate_password(password, user=user)
    except DjangoValidationError as exc:
        raise ValidationFailed(" ".join(exc.messages), field=field)


def token_pair_for_user(user: User) -> dict[str, str]:
    """A new refresh token (recorded as outstanding) and an access token for ``user``."""
    refresh = RefreshToken.for_user(user)
    return {"access_token": str(refresh.access_token), "refresh_token": str(refresh)}


@transaction.atomic
def user_register(*, email: str, name: str, password: str) -> User:
    email = normalize_email(email)
    user = User(email=email, display_name=name)
    _validate_new_password(password, user=user, field="password")
    if User.objects.filter(email=email).exists():
        raise Conflict("Email already registered", field="email")
    user.set_password(password)
    try:
        # A savepoint, so a lost race on the unique e-mail leaves the transaction usable.
        with transaction.atomic():
            user.save()
    except IntegrityError:
        raise Conflict("Email already registered", field="email")
    logger.info("user_registered", user_id=str(user.id))
    return user


def user_authenticate(*, email: str, password: str) -> User:
    global _DUMMY_HASH
    user = User.objects.filter(email=normalize_email(email)).first()
    if user is None:
        if _DUMMY_HASH is None:
            _DUMMY_HASH = make_password("not-a-real-password")
        check_password(password, _DUMMY_HASH)
        raise Unauthorized(INVALID_CREDENTIALS)
    if not user.check_password(password) or not user.is_active:
        raise Unauthorized(INVALID_CREDENTIALS)
    return user


def email_hash(email: str) -> str:
    """What logs carry instead of an e-mail address: SHA-256 of the normalized address, 16 hex.

    An operator finds one account's attempts with
    ``printf %s user@example.com | sha256sum | cut -c1-16`` (runbook.md).
    """
    return hashlib.sha256(normalize_email(email).encode()).hexdigest()[:16]


def user_login_check(*, request: HttpRequest, email: str, password: str) -> User:
    """Every sign-in with an e-mail and a password: ``POST /auth/login``, the admin, ``/app``.

    Counts the attempt in the shared rate-limit buckets first, per client IP (``auth:login``)
    and per e-mail address (``auth:login:email``), so all doors share one limit; over it,
    raises ``RateLimited`` (``retry_after`` seconds) without checking the password. Then
    raises ``Unauthorized(INVALID_CREDENTIALS)`` for an unknown address, a wrong password or
    an inactive account (the same answer and hashing cost for all three). Returns the user;
    signing them in (a token pair, a session) is the caller's.
    """
    enforce_per_ip(request, group="auth:login")
    # Per address too, against credential stuffing spread over many IPs.
    enforce(request, group="auth:login:email", key=f"email:{normalize_email(email)}")
    return user_authenticate(email=email, password=password)


def _decode_refresh(raw: str) -> RefreshToken:
    try:
        # Verifies signature, expiry, type == "refresh" and the blacklist.
        return RefreshToken(raw)
    except TokenError:
        raise Unauthorized(INVALID_REFRESH)


@transaction.atomic
def token_refresh(*, raw_refresh: str) -> dict[str, str]:
    """A new access token for a live refresh token (spec/api.md → ``POST /auth/refresh``).

    By default the refresh token is not rotated: the answer carries the same one, which keeps
    working until it expires, is logged out or a password change revokes it (existing web
    clients store only the new access token). With ``REFRESH_TOKEN_ROTATION`` the old token is
    blacklisted and a new pair is issued. simplejwt's own rotation checks the blacklist with a
    plain SELECT and then get_or_create()s the blacklist row, so two parallel refreshes both
    succeed; here the outstanding-token row is locked first: the second refresh waits, then
    sees the blacklist row and is refused.
    """
    rotate = settings.REFRESH_TOKEN_ROTATION
    token = _decode_refresh(raw_refresh)
    outstanding_tokens = OutstandingToken.objects.filter(jti=token.get("jti"))
    if rotate:
        outstanding_tokens = outstanding_tokens.select_for_update(of=("self",))
    outstanding = outstanding_tokens.first()
    if outstanding is None or BlacklistedToken.objects.filter(token=outstanding).exists():
        raise Unauthorized(INVALID_REFRESH)
    user = User.objects.filter(pk=outstanding.user_id, is_active=True).first()
    if user is None or str(user.pk) != str(token.get("sub")):
        raise Unauthorized(INVALID_REFRESH)
    if not rotate:
        return {"access_token": str(AccessToken.for_user(user)), "refresh_token": raw_refresh}
    BlacklistedToken.objects.create(token=outstanding)
    return token_pair_for_user(user)


@transaction.atomic
def token_logout(*, user: User, raw_refresh: str) -> None:
    try:
        token = RefreshToken(raw_refresh, verify=True)
    except TokenError:
        # Already revoked or expired: logging out again is harmless, but a token that is not
        # a refresh token of ours at all is refused.
        try:
            token = RefreshToken(raw_refresh, verify=False)
            token.verify_token_type()
        except TokenError:
            raise Unauthorized(INVALID_REFRESH)
        if str(token.get("sub")) != str(user.pk):
            raise Unauthorized(INVALID_REFRESH)
        return
    if str(token.get("sub")) != str(user.pk):
        raise Unauthorized(INVALID_REFRESH)
    outstanding = (
        OutstandingToken.objects.select_for_update(of=("self",))
        .filter(jti=token.get("jti"))
        .first()
    )
    if outstanding is not None:
        BlacklistedToken.objects.get_or_create(token=outstanding)


@transaction.atomic
def password_change(*, user: User, current_password: str, new_password: str) -> None:
    """Set a new password and revoke every refresh token issued before."""
    if not user.check_password(current_password):
        raise ValidationFailed("Current password is incorrect", field="current_password")
    _validate_new_password(new_password, user=user, field="new_password")
    user.set_password(new_password)
    user.save(update_fields=["password", "updated_at"])
    refresh_tokens_revoke_all(user=user)
    logger.info("password_changed", user_id=str(user.pk))


@transaction.atomic
def refresh_tokens_revoke_all(*, user: User) -> int:
    live = OutstandingToken.objects.filter(user=user, blacklistedtoken__isnull=True)
    rows = [BlacklistedToken(token=token) for token in live]
    BlacklistedToken.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)
