"""What every page of the web app shares: who the caller is in which team, and how a page answers.

Modelled on healthchecks' ``_get_check_for_user``: one helper resolves the team and the caller's
membership through ``teams.access`` before a view runs; an unknown or hidden object is an
app-styled 404, a team the caller does not belong to an app-styled 403. Refusals of an action
are never error pages: the view re-renders its page with the API's message (``refused``).
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from practiceops.core.errors import ApiError, Forbidden, NotFound, ValidationFailed
from practiceops.core.rowsql import ModelRows
from teams.access import NOT_A_MEMBER, check_role, team_get
from teams.models import Membership, Role, Team
from web.nav import nav_items


@dataclass
class TeamContext:
    """The team a page is about, the caller's membership of it, and all their memberships
    (for the team switcher), read in one query."""

    team: Team
    membership: Membership
    memberships: list[Membership] = field(default_factory=list)


# Every page of the app reads them: SQL written once (practiceops/core/rowsql.py).
_MEMBERSHIPS_OF = ModelRows(
    [(Membership, "m"), (Team, "t")],
    "FROM {m} INNER JOIN {t} ON t.id = m.team_id WHERE m.user_id = %s ORDER BY m.created_at, m.id",
)


def memberships_of(user: Any) -> list[Membership]:
    """The caller's memberships with their teams, oldest first: the first is the primary team."""
    memberships = []
    for membership, team in _MEMBERSHIPS_OF.fetch_all(
        [(Membership._meta.get_field("user"), user.pk)]
    ):
        membership.team = team
        memberships.append(membership)
    return memberships


def team_context(user: Any, team_id: Any, *, role: str = Role.MEMBER) -> TeamContext:
    """The caller's membership of ``team_id`` (403 when not a member, 404 when no such team).

    The caller's memberships are read once and serve both the check and the team switcher, so a
    page costs no more queries than its API twin for the membership.
    """
    try:
        pk = team_id if isinstance(team_id, uuid.UUID) else uuid.UUID(str(team_id))
    except ValueError:
        raise NotFound("Team not found")
    memberships = memberships_of(user)
    membership = next((m for m in memberships if m.team_id == pk), None)
    if membership is None:
        team_get(pk)
        raise Forbidden(NOT_A_MEMBER)
    return TeamContext(
        team=membership.team, membership=check_role(membership, role), memberships=memberships
    )


def error_page(request: HttpRequest, error: ApiError) -> HttpResponse:
    """The app-styled page for a lookup that failed: 404 (unknown or hidden) or 403."""
    if isinstance(error, NotFound | ValidationFailed):
        status, title = 404, "Not found"
        message = error.message if isinstance(error, NotFound) else "Not found"
    elif isinstance(error, Forbidden):
        status, title, message = 403, "Not allowed", error.message
    else:
        status, title, message = error.status_code, "Something went wrong", error.message
    context = {"title": title, "message": message, "status": status}
    return render(request, "web/error.html", context, status=status)


def require_POST(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:  # noqa: N802
    """Django's ``require_POST``, answering a GET (a bookmarked or typed action URL) with an
    app-styled 405 page instead of an empty one; the action itself stays POST only."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method != "POST":
            context = {
                "title": "Not a page",
                "message": "This address performs an action: use its button on the page.",
                "status": 405,
            }
            response = render(request, "web/error.html", context, status=405)
            response["Allow"] = "POST"
            return response
        return view(request, *args, **kwargs)

    return wrapper


def app_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Signed in, and whatever lookup error escapes the view is answered by an app page."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except ApiError as error:
            return error_page(request, error)

    return login_required(wrapper)


def team_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A page under /app/t/{team}/: the view receives the TeamContext; times in the team's zone."""

    @app_page
    @functools.wraps(view)
    def wrapper(request: HttpRequest, team_id: str, *args: Any, **kwargs: Any) -> HttpResponse:
        ctx = team_context(request.user, team_id)
        with timezone.override(ctx.team.tzinfo):
            return view(request, ctx, *args, **kwargs)

    return wrapper


def page_context(ctx: TeamContext | None, current: str) -> dict[str, Any]:
    if ctx is None:
        return {"nav": [], "current": current}
    return {
        "team": ctx.team,
        "membership": ctx.membership,
        "switcher": ctx.memberships if len(ctx.memberships) > 1 else [],
        "nav": nav_items(ctx.team, ctx.membership),
        "current": current,
    }


def render_page(
    request: HttpRequest,
    template: str,
    ctx: TeamContext | None,
    context: dict[str, Any],
    *,
    current: str = "",
    partial: str | None = None,
    status: int = 200,
) -> HttpResponse:
    """The full page, or for an htmx request the named partial the page itself renders."""
    name = f"{template}#{partial}" if partial and getattr(request, "htmx", False) else template
    return render(request, name, {**page_context(ctx, current), **context}, status=status)


def refusal_status(request: HttpRequest, error: ApiError) -> int:
    """htmx swaps only 2xx answers (PITFALLS.md): a refused htmx POST answers 200 with the
    re-rendered fragment; a plain form POST answers the API's status with the page."""
    return 200 if getattr(request, "htmx", False) else error.status_code
