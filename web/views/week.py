"""/app/, the no-team page, This week, and logging practice."""

from __future__ import annotations

import datetime
from collections import namedtuple
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from insights.selectors.catch_up import catch_up_get
from insights.selectors.common import Window
from insights.selectors.member import member_dashboard_get, practice_days_for_user
from practice import services as practice
from practice.api.serializers import PracticeLogInput
from practice.selectors import assignment_list_for_user, practice_log_get_for_user
from practiceops.core.errors import ApiError, ValidationFailed
from teams.selectors import cycle_active_for_team
from tickets.selectors import TicketFilters, ticket_rows
from web.forms import LogPracticeForm, first_form_error, validate
from web.pages import (
    TeamContext,
    memberships_of,
    refusal_status,
    render_page,
    require_POST,
    team_page,
)

NO_CYCLE = "There is no rehearsal yet: an admin adds one in Team settings before practice is logged"
MY_TICKETS_LIMIT = 20


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """/app/: the primary team's This week (the first membership), or how to get a team."""
    memberships = memberships_of(request.user)
    if memberships:
        return redirect(reverse("web:week", args=[memberships[0].team_id]))
    return render_page(request, "web/no_team.html", None, {}, current="")


MY_TICKET_COLUMNS = ("pk", "title", "status", "due_at")
MyTicket = namedtuple("MyTicket", MY_TICKET_COLUMNS)  # noqa: PYI024


def my_open_tickets(ctx: TeamContext) -> list:
    """Open tickets the caller owns (claimed or given), through the API's ticket selector: the
    columns This week and the Log practice form show, as rows rather than Ticket instances."""
    rows = ticket_rows(
        ctx.membership,
        TicketFilters(owner_me=True),
        MY_TICKET_COLUMNS,
        0,
        MY_TICKETS_LIMIT,
        open_only=True,
    )
    return [MyTicket(*row) for row in rows]


def week_context(ctx: TeamContext, *, form: LogPracticeForm | None = None) -> dict[str, Any]:
    team = ctx.team
    cycle = cycle_active_for_team(team)
    days = practice_days_for_user(team, ctx.membership.user_id)
    dashboard = member_dashboard_get(team=team, membership=ctx.membership, cycle=cycle, days=days)
    today = team.today()
    previous = Window.last_days(today - datetime.timedelta(days=7), team.tzinfo)
    last_week = sum(
        m for day, (_, m) in days.items() if previous.first_day <= day <= previous.last_day
    )
    tickets = my_open_tickets(ctx)
    if form is None:
        form = LogPracticeForm(
            initial={"quick": dashboard["quick_log_defaults"]["duration_min_default"]},
            assignments=dashboard["assignments"],
            tickets=tickets,
        )
    return {
        "cycle": cycle,
        "catch_up": catch_up_get(team=team, membership=ctx.membership, since=None, cycle=cycle),
        "dashboard": dashboard,
        "summary": dashboard["weekly_summary"],
        "minutes_last_week": last_week,
        "my_tickets": tickets,
        "form": form,
    }


@team_page
def week(request: HttpRequest, ctx: TeamContext) -> HttpResponse:
    context = week_context(ctx)
    logged_id = request.GET.get("logged")
    if logged_id:
        # Back from a plain form POST: confirm the log and, when blocked, offer its ticket.
        try:
            log, _ = practice_log_get_for_user(request.user, logged_id)
        except ApiError:
            log = None
        if log is not None and log.user_id == ctx.membership.user_id:
            context["logged"] = log
            context["suggested"] = practice.suggested_ticket(log, context["cycle"])
    return render_page(request, "web/week.html", ctx, context, current="week")


@require_POST
@team_page
def practice_log_create(request: HttpRequest, ctx: TeamContext) -> HttpResponse:
    """Log practice from This week (or /practice/new): the API's serializer, then its service.

    After a blocked log the page offers the suggested ticket, prefilled, to create in one click.
    """
    cycle = cycle_active_for_team(ctx.team)
    dashboard_assignments: list = []
    tickets = my_open_tickets(ctx)
    if cycle is not None:
        dashboard_assignments = list(
            assignment_list_for_user(ctx.membership, cycle=cycle).values("id", "title")
        )
    form = LogPracticeForm(request.POST, assignments=dashboard_assignments, tickets=tickets)
    try:
        if cycle is None:
            raise ValidationFailed(NO_CYCLE)
        if not form.is_valid():
            raise first_form_error(form)
        values = validate(PracticeLogInput, form.api_data())
        with transaction.atomic():
            log = practice.practice_log_create(
                membership=ctx.membership,
                cycle=cycle,
                duration_minutes=values["duration_minutes"],
                notes=values.get("notes"),
                rating_1_5=values.get("rating_1_5"),
                blocked_flag=values.get("blocked_flag", False),
                assignment_ids=values.get("assignment_ids", []),
                ticket_ids=values.get("ticket_ids", []),
            )
    except ApiError as error:
        context = week_context(ctx, form=form)
        context["log_error"] = error
        return render_page(
            request,
            "web/week.html",
            ctx,
            context,
            current="week",
            partial="week-main",
            status=refusal_status(request, error),
        )
    suggested = practice.suggested_ticket(log, cycle)
    if request.htmx:
        context = week_context(ctx)
        context.update({"logged": log, "suggested": suggested})
        return render_page(
            request, "web/week.html", ctx, context, current="week", partial="week-main"
        )
    return redirect(reverse("web:week", args=[ctx.team.pk]) + f"?logged={log.pk}#log-practice")
