"""Staff sign-in: the shared login service and rate limits, log events, and the second factor."""

from __future__ import annotations

import datetime
import logging
import re
from unittest import mock

import pytest
import time_machine
from django.contrib import admin
from django.core.cache import caches
from django.test import Client, override_settings
from django.urls import NoReverseMatch, reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import two_factor
from accounts.models import RecoveryCode, User
from accounts.services import email_hash
from accounts.tests.factories import DEFAULT_PASSWORD, UserFactory
from practiceops.admin_tests.conftest import ADMIN

LOGIN = f"{ADMIN}login/"
VERIFY = f"{ADMIN}two-factor/"
SETUP = f"{ADMIN}two-factor/setup/"
START = datetime.datetime(2026, 12, 3, 9, 0, 5, tzinfo=datetime.UTC)


def _events(caplog, name):
    return [r.msg for r in caplog.records if isinstance(r.msg, dict) and r.msg.get("event") == name]


def _code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def _password_step(client: Client, email: str, password: str = DEFAULT_PASSWORD, **extra):
    return client.post(LOGIN, {"username": email, "password": password, "next": ADMIN}, **extra)


@pytest.fixture
def staff(db) -> User:
    return UserFactory(email="stella@example.com", is_staff=True, is_superuser=True)


@pytest.fixture
def enrolled(staff) -> TOTPDevice:
    return TOTPDevice.objects.create(user=staff, name="Phone", confirmed=True)


# --- the password step: same service, same buckets ---------------------------------------------


@time_machine.travel(START, tick=False)
def test_eleventh_wrong_password_for_one_staff_email_is_refused_without_checking_it(
    staff, settings, caplog
):
    settings.TRUSTED_PROXY_COUNT = 1
    client = Client()
    caplog.set_level(logging.INFO)
    for n in range(10):
        response = _password_step(client, staff.email, "wrong", HTTP_X_FORWARDED_FOR=f"10.1.0.{n}")
        assert response.status_code == 200
        assert "Please enter the correct email and password" in response.content.decode()
    with mock.patch.object(User, "check_password", autospec=True) as check:
        refused = _password_step(client, staff.email, HTTP_X_FORWARDED_FOR="10.1.0.99")
        assert check.call_count == 0
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 60
    page = refused.content.decode()
    assert refused.templates[0].name == "admin/login.html"
    assert re.search(r"Too many sign-in attempts\. Wait \d+ seconds before trying again", page)
    assert "_auth_user_id" not in client.session

    failed = _events(caplog, "staff_login_failed")
    assert len(failed) == 10
    assert failed[0]["email_hash"] == email_hash(staff.email) == email_hash("STELLA@example.com ")
    assert failed[0]["client_ip"] == "10.1.0.0" and failed[0]["reason"] == "invalid_credentials"
    (limited,) = _events(caplog, "staff_login_rate_limited")
    assert limited["client_ip"] == "10.1.0.99"
    assert limited["email_hash"] == email_hash(staff.email)
    for event in [*failed, limited]:
        assert staff.email not in repr(event)
    # The API's own limiter logged the refusal too, on the admin's path.
    (exceeded,) = _events(caplog, "rate_limit_exceeded")
    assert exceeded["path"] == LOGIN and exceeded["group"] == "auth:login:email"


@time_machine.travel(START, tick=False)
def test_eleventh_attempt_from_one_ip_over_many_emails_is_refused(staff):
    client = Client()
    for n in range(10):
        assert _password_step(client, f"guess{n}@example.com", "wrong").status_code == 200
    refused = _password_step(client, staff.email)
    assert refused.status_code == 429
    assert "_auth_user_id" not in client.session


@time_machine.travel(START, tick=False)
def test_admin_and_api_logins_share_one_bucket(staff, anon):
    for _ in range(5):
        assert _password_step(Client(), staff.email, "wrong").status_code == 200
    for _ in range(5):
        body = {"email": staff.email, "password": "wrong"}
        assert anon.post("/auth/login", body, format="json").status_code == 401
    body = {"email": staff.email, "password": DEFAULT_PASSWORD}
    assert anon.post("/auth/login", body, format="json").status_code == 429
    assert _password_step(Client(), staff.email).status_code == 429


def test_right_password_after_the_refusal_is_refused_until_the_window_passes(staff):
    client = Client()
    with time_machine.travel(START, tick=False) as clock:
        for _ in range(10):
            _password_step(client, staff.email, "wrong")
        refused = _password_step(client, staff.email)
        assert refused.status_code == 429
        wait = int(refused["Retry-After"])
        clock.shift(wait - 1)
        assert _password_step(client, staff.email).status_code == 429
        clock.shift(61)
        signed_in = _password_step(client, staff.email)
    assert signed_in.status_code == 302
    assert signed_in["Location"].startswith(SETUP)
    assert client.session["_auth_user_id"] == str(staff.pk)


def test_non_staff_sign_in_is_refused_and_logged(db, caplog):
    member = UserFactory(email="member@example.com")
    caplog.set_level(logging.INFO)
    response = _password_step(Client(), member.email)
    assert response.status_code == 200
    assert "for a staff account" in response.content.decode()
    (event,) = _events(caplog, "staff_login_failed")
    assert event["reason"] == "not_staff" and event["email_hash"] == email_hash(member.email)
    # A non-staff user is never asked for a second factor (nor can they enrol).
    assert not two_factor.second_factor_required(member)
    client = Client()
    client.force_login(member)
    assert client.get(SETUP)["Location"].startswith(LOGIN)


def test_admin_login_fails_open_when_the_cache_is_down(staff, caplog, settings):
    settings.AUTH_RATE_LIMIT = "1/m"
    settings.ADMIN_REQUIRE_2FA = False
    dead = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    caplog.set_level(logging.WARNING)
    with override_settings(CACHES=dead):
        caches._settings = caches.settings = dead  # noqa: SLF001
        try:
            del caches["default"]
        except (AttributeError, KeyError):
            pass
        try:
            for _ in range(3):
                response = _password_step(Client(), staff.email)
                assert response.status_code == 302 and response["Location"] == ADMIN
        finally:
            try:
                del caches["default"]
            except (AttributeError, KeyError):
                pass
    assert _events(caplog, "rate_limit_backend_unavailable")


# --- the second factor -------------------------------------------------------------------------


def _admin_urls() -> list[str]:
    """The index and, for every registered model, its changelist and add page."""
    urls = [ADMIN, f"{ADMIN}password_change/"]
    for model in admin.site._registry:  # noqa: SLF001
        meta = model._meta  # noqa: SLF001
        for view in ("changelist", "add"):
            try:
                urls.append(reverse(f"admin:{meta.app_label}_{meta.model_name}_{view}"))
            except NoReverseMatch:
                pass
    return urls


def test_staff_without_a_second_factor_cannot_open_any_admin_page(staff, team):
    client = Client()
    assert _password_step(client, staff.email)["Location"].startswith(SETUP)
    urls = [*_admin_urls(), f"{ADMIN}teams/team/{team.pk}/overview/"]
    assert len(urls) > 20
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(f"{LOGIN}?next="), url
        # ...and the login page sends the signed-in staff member on to enrol.
        onward = client.get(response["Location"])
        assert onward.status_code == 302 and onward["Location"].startswith(SETUP), url
    assert client.get(f"{ADMIN}logout/").status_code == 302


def test_enrolment_shows_a_qr_code_and_confirms_with_a_code(staff):
    client = Client()
    _password_step(client, staff.email)
    page = client.get(SETUP)
    assert page.status_code == 200
    html = page.content.decode()
    assert re.search(r'<img id="two-factor-qr" src="data:image/svg\+xml;charset=utf-8,%3Csvg', html)
    device = TOTPDevice.objects.get(user=staff)
    assert device.confirmed is False
    assert two_factor.totp_secret_base32(device) in html
    # Reloading keeps the same secret (the app may already have scanned it).
    client.get(SETUP)
    assert TOTPDevice.objects.filter(user=staff).count() == 1

    with time_machine.travel(START, tick=False) as clock:
        wrong = client.post(SETUP, {"token": "000000" if _code(device) != "000000" else "111111"})
        assert wrong.status_code == 200 and "That code is not valid" in wrong.content.decode()
        device.refresh_from_db()
        assert device.confirmed is False
        clock.shift(5)  # past django-otp's back-off after a wrong code
        done = client.post(SETUP, {"token": _code(device), "next": ADMIN})
    assert done.status_code == 200
    codes = re.findall(r"<li><code>([A-Z0-9-]+)</code></li>", done.content.decode())
    assert len(codes) == 10 and len(set(codes)) == 10
    device.refresh_from_db()
    assert device.confirmed is True
    stored = set(RecoveryCode.objects.values_list("code_hash", flat=True))
    assert len(stored) == 10
    assert not {code.replace("-", "") for code in codes} & stored
    assert client.get(ADMIN).status_code == 200


def test_enrolled_staff_must_enter_a_code_and_a_replayed_code_is_refused(staff, enrolled):
    first = Client()
    with time_machine.travel(START, tick=False) as clock:
        step = _password_step(first, staff.email)
        assert step["Location"].startswith(VERIFY)
        assert first.get(ADMIN).status_code == 302
        code = _code(enrolled)
        wrong = "123456" if code != "123456" else "654321"
        refused = first.post(VERIFY, {"token": wrong})
        assert refused.status_code == 200
        assert "That code is not valid" in refused.content.decode()
        assert first.get(ADMIN).status_code == 302
        clock.shift(5)
        before = first.session.session_key
        accepted = first.post(VERIFY, {"token": code, "next": f"{ADMIN}accounts/user/"})
        assert first.session.session_key != before
        assert accepted.status_code == 302
        assert accepted["Location"] == f"{ADMIN}accounts/user/"
        assert first.get(ADMIN).status_code == 200

        # The same code again, in another session, within its 30 seconds: refused.
        second = Client()
        _password_step(second, staff.email)
        clock.shift(5)
        replay = second.post(VERIFY, {"token": code})
        assert replay.status_code == 200
        assert "That code is not valid" in replay.content.decode()
        assert second.get(ADMIN).status_code == 302
        # The next code is accepted.
        clock.shift(30)
        assert second.post(VERIFY, {"token": _code(enrolled)}).status_code == 302
        assert second.get(ADMIN).status_code == 200


def test_a_recovery_code_works_once(staff):
    TOTPDevice.objects.create(user=staff, name="Lost phone", confirmed=True)
    codes = two_factor.recovery_codes_issue(user=staff)
    first = Client()
    _password_step(first, staff.email)
    assert first.post(VERIFY, {"token": codes[0].lower()}).status_code == 302
    assert first.get(ADMIN).status_code == 200
    assert two_factor.recovery_codes_left(staff) == 9

    second = Client()
    _password_step(second, staff.email)
    again = second.post(VERIFY, {"token": codes[0]})
    assert again.status_code == 200 and "That code is not valid" in again.content.decode()
    assert second.get(ADMIN).status_code == 302
    # A verified session may replace the lost authenticator.
    assert first.get(SETUP).status_code == 200


def test_codes_are_rate_limited_per_user(staff, enrolled, settings):
    settings.AUTH_RATE_LIMIT = "3/m"
    client = Client()
    _password_step(client, staff.email)
    with time_machine.travel(START, tick=False):
        # Counted even while django-otp's own back-off refuses them unchecked.
        for _ in range(3):
            client.post(VERIFY, {"token": "000000"})
        refused = client.post(VERIFY, {"token": _code(enrolled)})
    assert refused.status_code == 429 and int(refused["Retry-After"]) >= 1
    assert "Too many sign-in attempts" in refused.content.decode()
    assert client.get(ADMIN).status_code == 302


def test_second_factor_off_for_a_local_demo(staff, settings):
    settings.ADMIN_REQUIRE_2FA = False
    client = Client()
    response = _password_step(client, staff.email)
    assert response.status_code == 302 and response["Location"] == ADMIN
    assert client.get(ADMIN).status_code == 200


# --- two server processes sharing Redis ----------------------------------------------------------


class _Browser:
    """A cookie-keeping HTTP client that posts the admin's login form like a browser."""

    def __init__(self) -> None:
        import http.cookiejar
        import urllib.request

        class _NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
                return None

        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect
        )

    def request(self, url: str, data: dict | None = None, headers: dict | None = None):
        import urllib.error
        import urllib.parse
        import urllib.request

        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(url, data=body, headers=headers or {})  # noqa: S310
        try:
            with self.opener.open(request, timeout=20) as response:
                return response.status, dict(response.headers), response.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, dict(exc.headers), exc.read().decode()

    def sign_in(self, base: str, email: str, password: str, ip: str):
        _, _, page = self.request(f"{base}{LOGIN}")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        form = {"csrfmiddlewaretoken": token, "username": email, "password": password}
        return self.request(f"{base}{LOGIN}", form, {"X-Forwarded-For": ip})


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_limits_hold_across_two_server_processes_sharing_redis(redis_url, tmp_path):
    from django.contrib.auth.hashers import Argon2PasswordHasher

    from practiceops.testing import live_server

    password = "a-staff-password-42"
    # Hashed with a hasher the servers know (the test settings use a fast one of their own).
    User.objects.create(
        email="ops@example.com",
        display_name="Ops",
        is_staff=True,
        password=Argon2PasswordHasher().encode(password, "twoprocesssalt12"),
    )
    env = {
        # DEBUG only so that the login page renders without collectstatic's manifest.
        "DEBUG": "true",
        "ADMIN_REQUIRE_2FA": "true",
        "REDIS_URL": redis_url,
        # Ten a day, not a minute: the servers' clocks cannot be frozen, and a window that
        # ended halfway through the attempts would split their count (a day makes that
        # vanishingly unlikely; the window itself is tested in-process with a frozen clock).
        "AUTH_RATE_LIMIT": "10/d",
        "TRUSTED_PROXY_COUNT": "1",
        "CACHE_KEY_PREFIX": f"staff-rl-{tmp_path.name}",
    }
    browser = _Browser()
    with live_server(**env) as first, live_server(**env) as second:
        servers = (first, second)
        # One staff e-mail from ten addresses, alternating between the processes.
        per_email = [
            browser.sign_in(servers[n % 2], "ops@example.com", "wrong", f"10.2.0.{n}")
            for n in range(11)
        ]
        right = browser.sign_in(second, "ops@example.com", password, "10.2.0.50")
        # One address trying ten other e-mails.
        per_ip = [
            browser.sign_in(servers[n % 2], f"guess{n}@example.com", "wrong", "192.0.2.7")
            for n in range(11)
        ]
    assert [status for status, _, _ in per_email] == [200] * 10 + [429]
    assert "Please enter the correct email and password" in per_email[0][2]
    assert "Too many sign-in attempts" in per_email[10][2]
    assert 1 <= int(per_email[10][1]["Retry-After"]) <= 86400
    assert right[0] == 429, "the right password is refused while the window lasts"
    assert [status for status, _, _ in per_ip] == [200] * 10 + [429]


def test_authenticators_are_listed_without_their_secrets_and_deleting_one_resets_it(
    staff_client, staff
):
    other = UserFactory(email="otto@example.com", is_staff=True)
    device = TOTPDevice.objects.create(user=other, name="Otto's phone", confirmed=True)
    listing = staff_client.get(f"{ADMIN}otp_totp/totpdevice/")
    assert listing.status_code == 200 and "otto@example.com" in listing.content.decode()
    detail = staff_client.get(f"{ADMIN}otp_totp/totpdevice/{device.pk}/change/")
    assert detail.status_code == 200
    assert device.key not in detail.content.decode()
    assert two_factor.totp_secret_base32(device) not in detail.content.decode()
    assert staff_client.get(f"{ADMIN}otp_totp/totpdevice/add/").status_code == 403
    response = staff_client.post(f"{ADMIN}otp_totp/totpdevice/{device.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=other).exists()
    # Otto enrols again at his next sign-in.
    client = Client()
    assert _password_step(client, other.email)["Location"].startswith(SETUP)


def test_authenticator_changelist_query_count_is_constant(staff_client):
    from practiceops.admin_tests.conftest import assert_constant_queries

    def make_rows(n):
        for _ in range(n):
            TOTPDevice.objects.create(user=UserFactory(is_staff=True), name="Phone")

    assert_constant_queries(
        staff_client, f"{ADMIN}otp_totp/totpdevice/", make_rows, rows_shown="authenticators"
    )


def test_a_session_waiting_for_its_code_can_sign_out(staff, enrolled):
    client = Client()
    _password_step(client, staff.email)
    assert client.get(f"{ADMIN}two-factor/sign-out/").status_code == 405
    response = client.post(f"{ADMIN}two-factor/sign-out/")
    assert response.status_code == 302 and response["Location"] == LOGIN
    assert "_auth_user_id" not in client.session
    assert client.get(VERIFY)["Location"].startswith(LOGIN)
