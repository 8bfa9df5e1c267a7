"""Ticket and assignment management (spec/web.md): Reassign, Reopen and edit fields on a
ticket; create, edit and delete assignments.

What a page offers comes from the rules the services refuse with (``tickets.rules``,
``practice.rules``); every POST goes through the API's input serializer and service, so a
refusal carries the API's message and changes nothing.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

from practice import selectors as practice_selectors
from practice import services as practice
from practice.api.serializers import AssignmentCreateInput, AssignmentUpdateInput
from practice.models import Assignment, AssignmentType, Priority
from practice.rules import assignment_scopes_for, can_delete_assignment, can_edit_assignment
from practiceops.core.errors import ApiError, Forbidden, NotFound
from teams.access import LEADER_REQUIRED, is_admin
from teams.models import Membership
from teams.selectors import cycle_active_for_team
from web.forms import validate
from web.pages import (
    TeamContext,
    app_page,
    memberships_of,
    refusal_status,
    render_page,
    require_POST,
    team_page,
)

NO_CYCLE = "There is no rehearsal yet: assignments belong to a rehearsal (add one in Team settings)"

# --- assignments ------------------------------------------------------------------------------


def assignments_page(
    request: HttpRequest, ctx: TeamContext, *, error: ApiError | None = None
) -> HttpResponse:
    """The Assignments page: the active cycle's visible assignments and, for each, what the
    caller may do (``practice.rules``); New assignment where the caller may create one."""
    membership = ctx.membership
    cycle = cycle_active_for_team(ctx.team)
    rows = (
        list(practice_selectors.assignment_list_for_user(membership, cycle=cycle)) if cycle else []
    )
    for row in rows:
        row.can_edit = can_edit_assignment(membership, row)
    context = {
        "cycle": cycle,
        "assignments": rows,
        "can_create": bool(assignment_scopes_for(membership)),
        "can_delete": can_delete_assignment(membership),
        "offer_settings": is_admin(membership),
        "error": error,
    }
    with timezone.override(ctx.team.tzinfo):
        return render_page(
            request,
            "web/assignments.html",
            ctx,
            context,
            current="assignments",
            status=refusal_status(request, error) if error else 200,
        )


def _assignment_values(assignment: Assignment | None, membership: Membership) -> dict[str, Any]:
    if assignment is None:
        scopes = assignment_scopes_for(membership)
        return {
            "title": "",
            "type": AssignmentType.SONG_WORK,
            "scope": scopes[0] if scopes else "",
            "section": membership.section or "",
            "priority": Priority.MEDIUM,
            "song_ref": "",
            "notes": "",
        }
    return {
        "title": assignment.title,
        "type": assignment.type,
        "scope": assignment.scope,
        "section": assignment.section or "",
        "priority": assignment.priority,
        "song_ref": assignment.song_ref or "",
        "notes": assignment.notes or "",
    }


def _assignment_body(post: Any, *, create: bool) -> dict[str, Any]:
    body = {
        "title": post.get("title", ""),
        "type": post.get("type", ""),
        "section": post.get("section") or None,
        "priority": post.get("priority", ""),
        "song_ref": post.get("song_ref") or None,
        "notes": post.get("notes") or None,
    }
    if create:
        body["scope"] = post.get("scope", "")
    return body


def _render_assignment_form(
    request: HttpRequest,
    ctx: TeamContext,
    *,
    assignment: Assignment | None,
    cycle: Any,
    values: dict[str, Any],
    error: ApiError | None,
) -> HttpResponse:
    context = {
        "assignment": assignment,
        "cycle": cycle,
        "values": values,
        "error": error,
        "types": AssignmentType.choices,
        "priorities": Priority.choices,
        "scopes": assignment_scopes_for(ctx.membership),
    }
    return render_page(
        request,
        "web/assignment_form.html",
        ctx,
        context,
        current="assignments",
        status=refusal_status(request, error) if error else 200,
    )


@team_page
def assignment_new(request: HttpRequest, ctx: TeamContext) -> HttpResponse:
    """New assignment in the active rehearsal (ADMIN: any; SECTION_LEADER: their section's)."""
    if not assignment_scopes_for(ctx.membership):
        raise Forbidden(LEADER_REQUIRED)
    cycle = cycle_active_for_team(ctx.team)
    values = _assignment_values(None, ctx.membership)
    error = None
    if request.method == "POST":
        values = {key: request.POST.get(key, "") for key in values}
        try:
            if cycle is None:
                raise NotFound(NO_CYCLE)
            data = validate(AssignmentCreateInput, _assignment_body(request.POST, create=True))
            practice.assignment_create(membership=ctx.membership, cycle=cycle, **data)
        except ApiError as exc:
            error = exc
        else:
            return redirect(reverse("web:assignments", args=[ctx.team.pk]))
    return _render_assignment_form(
        request, ctx, assignment=None, cycle=cycle, values=values, error=error
    )


def _assignment_ctx(request: HttpRequest, assignment_id: str) -> tuple[Assignment, TeamContext]:
    assignment, membership = practice_selectors.assignment_get_for_user(request.user, assignment_id)
    memberships = memberships_of(request.user)
    team = assignment.cycle.team
    membership.team = team
    return assignment, TeamContext(team=team, membership=membership, memberships=memberships)


@app_page
def assignment_edit(request: HttpRequest, assignment_id: str) -> HttpResponse:
    assignment, ctx = _assignment_ctx(request, assignment_id)
    if not can_edit_assignment(ctx.membership, assignment):
        raise Forbidden(practice.NOT_ASSIGNMENT_EDITOR)
    values = _assignment_values(assignment, ctx.membership)
    error = None
    if request.method == "POST":
        values = {**values, **{key: request.POST.get(key, "") for key in values if key != "scope"}}
        try:
            data = validate(AssignmentUpdateInput, _assignment_body(request.POST, create=False))
            practice.assignment_update(
                membership=ctx.membership, assignment=assignment, changes=data
            )
        except ApiError as exc:
            error = exc
        else:
            return redirect(reverse("web:assignments", args=[ctx.team.pk]))
    with timezone.override(ctx.team.tzinfo):
        return _render_assignment_form(
            request, ctx, assignment=assignment, cycle=assignment.cycle, values=values, error=error
        )


@require_POST
@app_page
def assignment_delete(request: HttpRequest, assignment_id: str) -> HttpResponse:
    assignment, ctx = _assignment_ctx(request, assignment_id)
    try:
        practice.assignment_delete(membership=ctx.membership, assignment=assignment)
    except ApiError as error:
        return assignments_page(request, ctx, error=error)
    return redirect(reverse("web:assignments", args=[ctx.team.pk]))
