"""The invite page: preview, Join team (signed in), Create account and join (spec/web.md)."""

from __future__ import annotations

from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from practiceops.core.errors import ApiError, NotFound
from practiceops.core.ratelimit import enforce_per_ip
from teams import services as teams
from teams.api.serializers import InviteAcceptInput
from teams.selectors import invite_get_by_token
from web.forms import validate
from web.pages import error_page, refusal_status, render_page, require_POST

ACCOUNT_BACKEND = "django.contrib.auth.backends.ModelBackend"


def _preview(request: HttpRequest, token: str, *, error: ApiError | None = None) -> HttpResponse:
    try:
        invite = invite_get_by_token(token)
    except NotFound as exc:
        return error_page(request, exc)
    context = {
        "invite": invite,
        "expired": invite.expires_at <= timezone.now(),
        "token": token,
        "error": error,
        "values": request.POST if error else {},
    }
    status = refusal_status(request, error) if error else 200
    with timezone.override(invite.team.tzinfo):
        return render_page(request, "web/invite.html", None, context, status=status)


def invite(request: HttpRequest, token: str) -> HttpResponse:
    return _preview(request, token)


@require_POST
def invite_accept(request: HttpRequest, token: str) -> HttpResponse:
    """POST /invites/{token}/accept's path: its rate-limit bucket, serializer and service."""
    try:
        enforce_per_ip(request, group="invites:accept")
        if request.user.is_authenticated:
            membership, _ = teams.invite_accept(raw_token=token, user=request.user)
        else:
            data = validate(
                InviteAcceptInput,
                {
                    key: request.POST[key]
                    for key in ("name", "email", "password")
                    if request.POST.get(key)
                },
            )
            membership, _ = teams.invite_accept(raw_token=token, **data)
            login(request, membership.user, backend=ACCOUNT_BACKEND)
    except ApiError as error:
        if isinstance(error, NotFound):
            return error_page(request, error)
        return _preview(request, token, error=error)
    return redirect(reverse("web:week", args=[membership.team_id]))


def not_found(request: HttpRequest, rest: str = "") -> HttpResponse:
    """Any other path under /app/: the app-styled 404."""
    return render(
        request,
        "web/error.html",
        {"title": "Not found", "message": "There is no page at this address.", "status": 404},
        status=404,
    )
