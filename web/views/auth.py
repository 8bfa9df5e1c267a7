"""Sign in and out of the web app with a Django session (spec/web.md → Ground rules 3)."""

from __future__ import annotations

from django.contrib.auth import login, logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from accounts import services as accounts
from practiceops.core.errors import ApiError
from web.forms import LoginForm
from web.pages import refusal_status, require_POST


def safe_next(request: HttpRequest, value: str | None) -> str | None:
    """``next`` only to a path of this site (never another host, never a scheme-relative URL)."""
    if (
        value
        and value.startswith("/")
        and url_has_allowed_host_and_scheme(
            value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return value
    return None


def login_view(request: HttpRequest) -> HttpResponse:
    next_url = safe_next(request, request.POST.get("next") or request.GET.get("next"))
    if request.user.is_authenticated and request.method != "POST":
        return redirect(next_url or reverse("web:home"))
    form = LoginForm(request.POST or None)
    error = None
    if request.method == "POST":
        try:
            user = _authenticate(request, form)
        except ApiError as exc:
            error = exc
        else:
            login(request, user)  # rotates the session id
            return redirect(next_url or reverse("web:home"))
    context = {"form": form, "next": next_url or "", "error": error}
    status = refusal_status(request, error) if error else 200
    return render(request, "web/login.html", context, status=status)


def _authenticate(request: HttpRequest, form: LoginForm):  # type: ignore[no-untyped-def]
    """The sign-in check every door shares (``POST /auth/login``, the admin console, here):
    the same rate-limit buckets, per IP and per e-mail, then the same service."""
    # An empty or oversized field is a failed sign-in like any other: counted, one message.
    password = form.cleaned_data["password"] if form.is_valid() else ""
    return accounts.user_login_check(
        request=request, email=request.POST.get("email", ""), password=password
    )


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect(reverse("web:login"))
