"""Assignments: read for members; leaders create, edit and delete (web.views.leader_tickets)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from web.pages import TeamContext, team_page
from web.views.leader_tickets import assignments_page


@team_page
def assignments(request: HttpRequest, ctx: TeamContext) -> HttpResponse:
    return assignments_page(request, ctx)
