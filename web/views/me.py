"""Me: name, password, notification preferences, calendar links, teams, sign out."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from accounts import services as accounts
from notifications import services as notifications
from notifications.api.serializers import PreferencesInput
from notifications.selectors import preference_get_for_user
from practiceops.core.errors import ApiError
from practiceops.core.ratelimit import enforce_per_ip
from teams import services as teams
from web.forms import PasswordChangeForm, PreferencesForm, first_form_error, validate
from web.pages import (
    app_page,
    memberships_of,
    refusal_status,
    render_page,
    require_POST,
    team_context,
)

PASSWORD_CHANGED = "Password changed. You stay signed in here; other sessions have ended."
PREFERENCES_SAVED = "Preferences saved."


def _me_context(request: HttpRequest, **extra: Any) -> dict[str, Any]:
    memberships = memberships_of(request.user)
    teams_rows = []
    for membership in memberships:
        prefs = preference_get_for_user(user=request.user, team=membership.team)
        teams_rows.append({"membership": membership, "form": PreferencesForm(initial=prefs)})
    return {
        "memberships": memberships,
        "teams_rows": teams_rows,
        "password_form": PasswordChangeForm(),
        **extra,
    }


def _render_me(request: HttpRequest, *, status: int = 200, **extra: Any) -> HttpResponse:
    return render_page(request, "web/me.html", None, _me_context(request, **extra), status=status)


@login_required
def me(request: HttpRequest) -> HttpResponse:
    notice = {"password": PASSWORD_CHANGED, "preferences": PREFERENCES_SAVED}.get(
        request.GET.get("saved", "")
    )
    return _render_me(request, notice=notice)


@require_POST
@login_required
def password_change(request: HttpRequest) -> HttpResponse:
    """As POST /auth/password: refresh tokens revoked; this session kept, the others ended
    (their stored password hash no longer matches)."""
    form = PasswordChangeForm(request.POST)
    try:
        enforce_per_ip(request, group="auth:password")
        if not form.is_valid():
            raise first_form_error(form)
        accounts.password_change(
            user=request.user,
            current_password=form.cleaned_data["current_password"],
            new_password=form.cleaned_data["new_password"],
        )
    except ApiError as error:
        return _render_me(request, password_error=error, status=refusal_status(request, error))
    update_session_auth_hash(request, request.user)
    return redirect(reverse("web:me") + "?saved=password")


@require_POST
@app_page
def preferences_save(request: HttpRequest, team_id: str) -> HttpResponse:
    ctx = team_context(request.user, team_id)
    form = PreferencesForm(request.POST)
    try:
        if not form.is_valid():
            raise first_form_error(form)
        values = validate(PreferencesInput, dict(form.cleaned_data))
        notifications.preference_update(user=request.user, team=ctx.team, changes=values)
    except ApiError as error:
        return _render_me(
            request,
            preferences_error=error,
            error_team_id=ctx.team.pk,
            status=refusal_status(request, error),
        )
    return redirect(reverse("web:me") + "?saved=preferences")


@require_POST
@app_page
def calendar_link_new(request: HttpRequest, team_id: str) -> HttpResponse:
    """New calendar link: the old one stops working; the new URL is shown this once."""
    ctx = team_context(request.user, team_id)
    raw = teams.calendar_token_rotate(membership=ctx.membership)
    url = request.build_absolute_uri(f"/teams/{ctx.team.pk}/calendar.ics?token={raw}")
    return _render_me(request, calendar_url=url, calendar_team_id=ctx.team.pk)
