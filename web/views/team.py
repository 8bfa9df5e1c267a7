"""Assignments (read for members)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from practice.selectors import assignment_list_for_user
from teams.selectors import cycle_active_for_team
from web.pages import TeamContext, render_page, team_page


@team_page
def assignments(request: HttpRequest, ctx: TeamContext) -> HttpResponse:
    cycle = cycle_active_for_team(ctx.team)
    rows = list(assignment_list_for_user(ctx.membership, cycle=cycle)) if cycle else []
    context = {"cycle": cycle, "assignments": rows}
    return render_page(request, "web/assignments.html", ctx, context, current="assignments")
