"""Practice history (own logs: edit, delete; leaders: their section's or the team's) and CSV."""

from __future__ import annotations

import datetime
from collections import OrderedDict
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

from practice import selectors
from practice import services as practice
from practice.api.csv_export import practice_logs_csv_response
from practice.api.serializers import PracticeLogInput
from practiceops.core.errors import ApiError, NotFound
from teams.access import is_leader
from teams.selectors import member_list_for_user
from web.forms import PracticeLogEditForm, first_form_error, validate
from web.pages import (
    TeamContext,
    app_page,
    memberships_of,
    refusal_status,
    render_page,
    require_POST,
    team_page,
)
from web.views.week import week_context

HISTORY_LIMIT = 200


def _date(raw: str | None) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


@team_page
def practice_history(request: HttpRequest, ctx: TeamContext) -> HttpResponse:
    params = request.GET
    leader = is_leader(ctx.membership)
    everyone = leader and params.get("who") == "team"
    section = (params.get("section") or "").strip() or None
    date_from, date_to = _date(params.get("from")), _date(params.get("to"))
    error = None
    try:
        scope = selectors.practice_log_scope(
            ctx.membership, me=not everyone, section=section if everyone else None
        )
    except ApiError as exc:
        error = exc
        scope = selectors.practice_log_scope(ctx.membership, me=True, section=None)
        everyone = False
    logs = selectors.practice_log_list_for_user(
        ctx.membership, team=ctx.team, scope=scope, date_from=date_from, date_to=date_to
    )
    member = params.get("member") or None
    members: list[dict[str, Any]] = []
    if everyone:
        members = list(member_list_for_user(membership=ctx.membership, section=scope.section))
        if member and any(str(m["user_id"]) == member for m in members):
            logs = logs.filter(user_id=member)
    names = {m["user_id"]: m["user__display_name"] for m in members}
    by_day: OrderedDict[datetime.date, list[dict[str, Any]]] = OrderedDict()
    tz = ctx.team.tzinfo
    for row in logs[:HISTORY_LIMIT]:
        row["member_name"] = names.get(row["user_id"])
        by_day.setdefault(row["occurred_at"].astimezone(tz).date(), []).append(row)
    context = {
        "by_day": list(by_day.items()),
        "leader": leader,
        "everyone": everyone,
        "members": members,
        "params": params,
        "error": error,
        "csv_query": request.GET.urlencode(),
    }
    return render_page(request, "web/practice.html", ctx, context, current="practice")


@team_page
def practice_new(request: HttpRequest, ctx: TeamContext) -> HttpResponse:
    # A plain form here: after saving, the member lands on This week with the confirmation.
    context = {**week_context(ctx), "standalone": True}
    return render_page(request, "web/practice_new.html", ctx, context, current="practice")


@team_page
def practice_csv(request: HttpRequest, ctx: TeamContext) -> HttpResponse:
    """The export of GET /teams/{id}/practice-logs.csv, for the signed-in leader."""
    section = (request.GET.get("section") or "").strip() or None
    scope = selectors.export_scope(ctx.membership, section=section)
    rows = selectors.practice_log_export_rows(
        ctx.team,
        scope,
        date_from=_date(request.GET.get("from")),
        date_to=_date(request.GET.get("to")),
    )
    return practice_logs_csv_response(ctx.team, rows)


def _own_log(request: HttpRequest, log_id: str) -> tuple[Any, TeamContext]:
    log, membership = selectors.practice_log_get_for_user(request.user, log_id)
    memberships = memberships_of(request.user)
    if log.user_id != membership.user_id:
        # Only one's own logs are edited or deleted here; another member's is not shown at all.
        raise NotFound("Practice log not found")
    membership.team = log.team
    return log, TeamContext(team=log.team, membership=membership, memberships=memberships)


@app_page
def practice_edit(request: HttpRequest, log_id: str) -> HttpResponse:
    log, ctx = _own_log(request, log_id)
    initial = {
        "minutes": log.duration_minutes,
        "rating": log.rating_1_5,
        "notes": log.notes or "",
        "blocked": log.blocked_flag,
    }
    form = PracticeLogEditForm(request.POST or None, initial=initial)
    error = None
    if request.method == "POST":
        try:
            if not form.is_valid():
                raise first_form_error(form)
            values = validate(PracticeLogInput, form.api_data())
            practice.practice_log_update(membership=ctx.membership, log=log, changes=values)
        except ApiError as exc:
            error = exc
        else:
            return redirect(reverse("web:practice", args=[ctx.team.pk]))
    with timezone.override(ctx.team.tzinfo):
        return render_page(
            request,
            "web/practice_edit.html",
            ctx,
            {"form": form, "log": log, "error": error},
            current="practice",
            status=refusal_status(request, error) if error else 200,
        )


@require_POST
@app_page
def practice_delete(request: HttpRequest, log_id: str) -> HttpResponse:
    log, ctx = _own_log(request, log_id)
    practice.practice_log_delete(membership=ctx.membership, log=log)
    return redirect(reverse("web:practice", args=[ctx.team.pk]))
