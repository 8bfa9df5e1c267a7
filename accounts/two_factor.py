"""Staff second factor: TOTP devices (django-otp) and one-time recovery codes.

Who needs it: staff signing in to the admin console while ``ADMIN_REQUIRE_2FA`` is on. The
API (JWT) and the web app do not use it; a non-staff user never enrols.
"""

from __future__ import annotations

import hashlib
import secrets

import segno
import structlog
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_otp.models import Device
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import RecoveryCode, RecoveryCodeDevice, User

logger = structlog.get_logger("practiceops.accounts")

TOTP_DEVICE_NAME = "Authenticator app"
RECOVERY_DEVICE_NAME = "Recovery codes"
RECOVERY_CODE_COUNT = 10
# Crockford-like base32 without the look-alikes 0/O and 1/I/L: 12 characters = 60 bits.
_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
_CODE_LENGTH = 12


def second_factor_required(user: User) -> bool:
    """Whether ``user`` must prove a second factor before any admin page."""
    return bool(settings.ADMIN_REQUIRE_2FA and user.is_authenticated and user.is_staff)


def totp_device_confirmed(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


@transaction.atomic
def totp_device_start(*, user: User) -> TOTPDevice:
    """The unconfirmed device being enrolled (one per user: reloading the page keeps its QR)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
    return device


def totp_qr_svg_data_uri(device: TOTPDevice) -> str:
    """The device's otpauth:// URL as an SVG QR code in a ``data:`` URI (for an ``<img>``)."""
    return segno.make(device.config_url, error="m").svg_data_uri(scale=5, border=2)


def totp_secret_base32(device: TOTPDevice) -> str:
    """The secret as authenticator apps take it when typed in (the QR code's ``secret=``)."""
    import base64

    return base64.b32encode(device.bin_key).decode().rstrip("=")


@transaction.atomic
def totp_device_confirm(*, user: User, token: str) -> tuple[TOTPDevice, list[str]] | None:
    """Confirm the device being enrolled with a code from the app; issue recovery codes.

    Locks the unconfirmed device row so two submissions of one code cannot both confirm.
    Returns the device and the new recovery codes (shown once), or None for a wrong code.
    """
    device = (
        TOTPDevice.objects.select_for_update()
        .filter(user=user, confirmed=False)
        .order_by("id")
        .first()
    )
    if device is None or not device.verify_token(token):
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    # One authenticator at a time: the one it replaces (and any half-enrolment) goes.
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    codes = recovery_codes_issue(user=user)
    logger.info("staff_second_factor_enrolled", user_id=str(user.pk))
    return device, codes


def _code_hash(code: str) -> str:
    normalized = "".join(ch for ch in code.upper() if ch.isalnum())
    return hashlib.sha256(normalized.encode()).hexdigest()


@transaction.atomic
def recovery_codes_issue(*, user: User) -> list[str]:
    """Replace the user's recovery codes with new ones; only their digests are stored."""
    device, _ = RecoveryCodeDevice.objects.get_or_create(
        user=user, defaults={"name": RECOVERY_DEVICE_NAME}
    )
    device.codes.all().delete()
    codes = [
        "".join(secrets.choice(_CODE_ALPHABET) for _ in range(_CODE_LENGTH))
        for _ in range(RECOVERY_CODE_COUNT)
    ]
    RecoveryCode.objects.bulk_create(
        RecoveryCode(device=device, code_hash=_code_hash(code)) for code in codes
    )
    return [f"{code[:4]}-{code[4:8]}-{code[8:]}" for code in codes]


def recovery_code_use(*, device: RecoveryCodeDevice, code: str) -> bool:
    """Spend one recovery code: a conditional UPDATE, so a code works once even in a race."""
    used = RecoveryCode.objects.filter(
        device=device, code_hash=_code_hash(code), used_at__isnull=True
    ).update(used_at=timezone.now())
    return used == 1


def recovery_codes_left(user: User) -> int:
    return RecoveryCode.objects.filter(device__user=user, used_at__isnull=True).count()


@transaction.atomic
def second_factor_verify(*, user: User, token: str) -> Device | None:
    """The confirmed device that accepts ``token`` (a TOTP code or a recovery code), or None.

    The TOTP device row is locked while checking, so one code cannot be accepted twice by two
    parallel requests (django-otp refuses a code at or before the last accepted time step,
    and its throttling delays each further try after a wrong one).
    """
    token = "".join((token or "").split())
    if not token:
        return None
    if len(token) <= 8 and token.isdigit():  # an authenticator's code; recovery codes are 12
        device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True).first()
        if device is not None and device.verify_token(token):
            return device
        return None
    recovery = RecoveryCodeDevice.objects.filter(user=user, confirmed=True).first()
    if recovery is not None and recovery.verify_token(token):
        logger.warning(
            "staff_recovery_code_used",
            user_id=str(user.pk),
            recovery_codes_left=recovery_codes_left(user),
        )
        return recovery
    return None
