"""The staff console's AdminSite: the shared login service, its rate limits, and a second factor.

``admin.site`` is this site (``accounts.apps.StaffAdminConfig``), so every ``ModelAdmin``
registered anywhere is behind it. What guards the console:

- ``/<ADMIN_URL>login/`` checks the password through ``accounts.services.user_login_check``:
  the same per-IP and per-e-mail buckets as ``POST /auth/login``; over the limit the admin's
  own login page answers 429 with ``Retry-After`` and the password is not checked.
- Failed and refused attempts are logged (``staff_login_failed``, ``staff_login_rate_limited``)
  with the e-mail's hash and the client IP.
- With ``ADMIN_REQUIRE_2FA`` a staff session sees no admin page until a TOTP code (or a
  one-time recovery code) has been accepted in it; an account without an authenticator is
  sent to enrol one first.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import structlog
from django import forms
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth import logout as auth_logout
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from accounts import services, two_factor
from practiceops.core.client_ip import client_ip
from practiceops.core.errors import RateLimited, Unauthorized
from practiceops.core.ratelimit import enforce

logger = structlog.get_logger("practiceops.accounts")

RATE_LIMITED_MESSAGE = (
    "Too many sign-in attempts. Wait {seconds} seconds before trying again; the password "
    "was not checked."
)
WRONG_CODE_MESSAGE = "That code is not valid (or was already used). Enter a new code."


def _rate_limited_message(exc: RateLimited) -> str:
    return RATE_LIMITED_MESSAGE.format(seconds=exc.retry_after)


class StaffAuthenticationForm(AdminAuthenticationForm):
    """The admin's login form, checking the password through the accounts' login service."""

    def clean(self) -> dict[str, Any]:
        email = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if email is None or not password:
            return self.cleaned_data
        fields = {
            "email_hash": services.email_hash(email),
            "client_ip": client_ip(self.request),
        }
        try:
            user = services.user_login_check(request=self.request, email=email, password=password)
        except RateLimited as exc:
            self.request.staff_login_refused = exc  # type: ignore[union-attr]
            logger.warning("staff_login_rate_limited", retry_after=exc.retry_after, **fields)
            raise ValidationError(_rate_limited_message(exc), code="rate_limited") from None
        except Unauthorized:
            logger.warning("staff_login_failed", reason="invalid_credentials", **fields)
            raise self.get_invalid_login_error() from None
        try:
            self.confirm_login_allowed(user)
        except ValidationError:
            logger.warning("staff_login_failed", reason="not_staff", user_id=str(user.pk), **fields)
            raise
        self.user_cache = user
        return self.cleaned_data


class SecondFactorForm(forms.Form):
    token = forms.CharField(
        label="Code",
        max_length=32,
        strip=True,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autofocus": True, "spellcheck": "false"}
        ),
    )


class StaffAdminSite(admin.AdminSite):
    login_form = StaffAuthenticationForm

    # --- the gate -------------------------------------------------------------------------

    def has_permission(self, request: HttpRequest) -> bool:
        return super().has_permission(request) and not self._awaits_second_factor(request)

    def _awaits_second_factor(self, request: HttpRequest) -> bool:
        user = request.user
        if not two_factor.second_factor_required(user):
            return False
        # Set by django-otp's middleware; a user just signed in by auth.login() has none.
        is_verified = getattr(user, "is_verified", None)
        return not (is_verified is not None and is_verified())

    # --- URLs -----------------------------------------------------------------------------

    def get_urls(self) -> list[URLPattern]:
        return [
            path("two-factor/", self._pending_view(self.second_factor), name="two_factor_verify"),
            path(
                "two-factor/setup/",
                self._pending_view(self.second_factor_setup),
                name="two_factor_setup",
            ),
            path(
                "two-factor/sign-out/",
                require_POST(self._pending_view(self.second_factor_sign_out)),
                name="two_factor_sign_out",
            ),
            *super().get_urls(),
        ]

    def _pending_view(self, view):  # type: ignore[no-untyped-def]
        """For a signed-in, active staff user (verified or not); others go to the login."""

        def inner(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            user = request.user
            if not (user.is_authenticated and user.is_active and user.is_staff):
                return HttpResponseRedirect(self._with_next(reverse("admin:login"), request))
            return view(request, *args, **kwargs)

        return never_cache(csrf_protect(inner))

    # --- login ----------------------------------------------------------------------------

    def login(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        if (
            request.method == "GET"
            and super().has_permission(request)
            and self._awaits_second_factor(request)
        ):
            return self._second_factor_redirect(request, self._next_url(request))
        response = super().login(request, extra_context)
        refused = getattr(request, "staff_login_refused", None)
        if refused is not None:
            response.status_code = 429
            response["Retry-After"] = str(refused.retry_after)
            return response
        if (
            request.method == "POST"
            and isinstance(response, HttpResponseRedirect)
            and self._awaits_second_factor(request)
        ):
            return self._second_factor_redirect(request, response.url)
        return response

    def _next_url(self, request: HttpRequest) -> str:
        candidate = request.POST.get(REDIRECT_FIELD_NAME) or request.GET.get(REDIRECT_FIELD_NAME)
        if candidate and url_has_allowed_host_and_scheme(
            candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return candidate
        return reverse("admin:index", current_app=self.name)

    def _with_next(self, url: str, request: HttpRequest, next_url: str | None = None) -> str:
        return f"{url}?{urlencode({REDIRECT_FIELD_NAME: next_url or self._next_url(request)})}"

    def _second_factor_redirect(self, request: HttpRequest, next_url: str) -> HttpResponse:
        name = (
            "admin:two_factor_verify"
            if two_factor.totp_device_confirmed(request.user) is not None
            else "admin:two_factor_setup"
        )
        return HttpResponseRedirect(self._with_next(reverse(name), request, next_url))

    def _page(self, request: HttpRequest, template: str, context: dict, status: int = 200):  # type: ignore[no-untyped-def]
        request.current_app = self.name
        return TemplateResponse(
            request,
            template,
            {
                **self.each_context(request),
                "next": self._next_url(request),
                "sign_out_url": reverse("admin:two_factor_sign_out"),
                **context,
            },
            status=status,
        )

    def _code_attempt_allowed(self, request: HttpRequest) -> RateLimited | None:
        """Codes are counted per user in the same shared cache as the password attempts."""
        try:
            enforce(request, group="admin:second_factor", key=f"user:{request.user.pk}")
        except RateLimited as exc:
            logger.warning(
                "staff_login_rate_limited",
                step="second_factor",
                email_hash=services.email_hash(request.user.email),
                client_ip=client_ip(request),
                retry_after=exc.retry_after,
            )
            return exc
        return None

    def _refused_page(self, request, template, context, exc: RateLimited):  # type: ignore[no-untyped-def]
        context["form"].add_error(None, _rate_limited_message(exc))
        response = self._page(request, template, context, status=429)
        response["Retry-After"] = str(exc.retry_after)
        return response

    # --- second factor --------------------------------------------------------------------

    def second_factor(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if not self._awaits_second_factor(request) and two_factor.second_factor_required(user):
            return HttpResponseRedirect(self._next_url(request))
        if two_factor.totp_device_confirmed(user) is None:
            return HttpResponseRedirect(self._with_next(reverse("admin:two_factor_setup"), request))
        template = "admin/two_factor/verify.html"
        form = SecondFactorForm(request.POST or None)
        context = {"title": "Two-factor sign-in", "form": form}
        if request.method == "POST" and form.is_valid():
            refused = self._code_attempt_allowed(request)
            if refused is not None:
                return self._refused_page(request, template, context, refused)
            device = two_factor.second_factor_verify(user=user, token=form.cleaned_data["token"])
            if device is not None:
                otp_login(request, device)
                # A new session id for the now fully signed-in session, as at the password step.
                request.session.cycle_key()
                logger.info("staff_second_factor_verified", user_id=str(user.pk))
                return HttpResponseRedirect(self._next_url(request))
            logger.warning(
                "staff_login_failed",
                reason="invalid_code",
                user_id=str(user.pk),
                email_hash=services.email_hash(user.email),
                client_ip=client_ip(request),
            )
            form.add_error("token", WRONG_CODE_MESSAGE)
        return self._page(request, template, context)

    def second_factor_setup(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        enrolled = two_factor.totp_device_confirmed(user) is not None
        if enrolled and self._awaits_second_factor(request):
            # Replacing an authenticator needs the current one (or a recovery code) first.
            return HttpResponseRedirect(
                self._with_next(reverse("admin:two_factor_verify"), request)
            )
        template = "admin/two_factor/setup.html"
        device = two_factor.totp_device_start(user=user)
        form = SecondFactorForm(request.POST or None)
        context = {
            "title": "Set up two-factor sign-in",
            "form": form,
            "replacing": enrolled,
            "qr_data_uri": two_factor.totp_qr_svg_data_uri(device),
            "secret": two_factor.totp_secret_base32(device),
        }
        if request.method == "POST" and form.is_valid():
            refused = self._code_attempt_allowed(request)
            if refused is not None:
                return self._refused_page(request, template, context, refused)
            confirmed = two_factor.totp_device_confirm(user=user, token=form.cleaned_data["token"])
            if confirmed is not None:
                device, codes = confirmed
                otp_login(request, device)
                request.session.cycle_key()
                # Shown once, in this answer only: the database keeps their digests.
                return self._page(
                    request,
                    "admin/two_factor/recovery_codes.html",
                    {"title": "Recovery codes", "codes": codes},
                )
            form.add_error("token", WRONG_CODE_MESSAGE)
        return self._page(request, template, context)

    def second_factor_sign_out(self, request: HttpRequest) -> HttpResponse:
        auth_logout(request)
        return HttpResponseRedirect(reverse("admin:login"))
