"""Ticket and assignment management (spec/web.md): Reassign, Reopen and edit fields on a
ticket; create, edit and delete assignments.

What a page offers comes from the rules the services refuse with (``tickets.rules``,
``practice.rules``); every POST goes through the API's input serializer and service, so a
refusal carries the API's message and changes nothing.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from practice import selectors as practice_selectors
from practice import services as practice
from practice.api.serializers import AssignmentCreateInput, AssignmentUpdateInput
from practice.models import Assignment, AssignmentType, Priority
from practice.rules import assignment_scopes_for, can_delete_assignment, can_edit_assignment
from practiceops.core.errors import ApiError, Forbidden, NotFound
from teams.access import LEADER_REQUIRED
from teams.models import Membership
from teams.selectors import cycle_active_for_team, member_list_for_user
from tickets import services as tickets
from tickets.api.serializers import TicketAssignInput, TicketUpdateInput
from tickets.models import Ticket, TicketCategory, TicketVisibility
from tickets.rules import ticket_actions
from tickets.visibility import can_view
from web.forms import validate
from web.pages import (
    TeamContext,
    app_page,
    memberships_of,
    refusal_status,
    render_page,
    team_page,
)
from web.views.tickets import _ticket_action, _ticket_ctx

NO_CYCLE = "There is no rehearsal yet: assignments belong to a rehearsal (add one in Team settings)"

# --- tickets ----------------------------------------------------------------------------------


def owner_choices(membership: Membership, ticket: Ticket) -> list[dict[str, Any]]:
    """Reassign's New owner: the team's members who can see ``ticket`` (``can_view``, the check
    ``ticket_assign`` refuses with), the current owner left out. One query."""
    choices = []
    for row in member_list_for_user(membership=membership).order_by("user__display_name"):
        candidate = Membership(
            team_id=membership.team_id,
            user_id=row["user_id"],
            role=row["role"],
            section=row["section"],
        )
        if row["user_id"] != ticket.owner_id and can_view(candidate, ticket):
            choices.append(row)
    return choices


@require_POST
@app_page
def ticket_assign(request: HttpRequest, ticket_id: str) -> HttpResponse:
    def act(ctx: TeamContext, ticket: Ticket) -> None:
        values = validate(TicketAssignInput, {"owner_id": request.POST.get("owner_id", "")})
        tickets.ticket_assign(
            membership=ctx.membership, ticket_id=ticket.pk, owner_id=values["owner_id"]
        )

    return _ticket_action(request, ticket_id, act)


def _ticket_values(ticket: Ticket) -> dict[str, Any]:
    return {
        "title": ticket.title,
        "description": ticket.description or "",
        "category": ticket.category,
        "visibility": ticket.visibility,
        "section": ticket.section or "",
        "song_ref": ticket.song_ref or "",
        "measures": ticket.measures or "",
        "priority": ticket.priority,
        # Due dates are midnight UTC of their day (spec/api.md): the day is UTC's.
        "due": ticket.due_at.astimezone(datetime.UTC).date().isoformat() if ticket.due_at else "",
    }


def ticket_update_body(post: Any) -> dict[str, Any]:
    """The PATCH /tickets/{id} body the edit form stands for (due dates: midnight UTC)."""
    due = (post.get("due") or "").strip()
    return {
        "title": post.get("title", ""),
        "description": post.get("description") or None,
        "category": post.get("category", ""),
        "visibility": post.get("visibility", ""),
        "section": post.get("section") or None,
        "song_ref": post.get("song_ref") or None,
        "measures": post.get("measures") or None,
        "priority": post.get("priority", ""),
        "due_at": f"{due}T00:00:00Z" if due else None,
    }


@app_page
def ticket_edit(request: HttpRequest, ticket_id: str) -> HttpResponse:
    """Edit a ticket's fields (owner, creator, their section's leader, an ADMIN)."""
    ticket, ctx = _ticket_ctx(request, ticket_id)
    if not ticket_actions(ctx.membership, ticket)["edit"]:
        raise Forbidden(tickets.EDIT_FORBIDDEN)
    values = _ticket_values(ticket)
    error = None
    if request.method == "POST":
        values = {key: request.POST.get(key, "") for key in values}
        try:
            changes = validate(TicketUpdateInput, ticket_update_body(request.POST))
            tickets.ticket_update(
                membership=ctx.membership, ticket_id=ticket.pk, changes=dict(changes)
            )
        except ApiError as exc:
            error = exc
        else:
            return redirect(reverse("web:ticket", args=[ticket.pk]))
    context = {
        "ticket": ticket,
        "values": values,
        "error": error,
        "categories": TicketCategory.choices,
        "visibilities": TicketVisibility.choices,
        "priorities": Priority.choices,
    }
    with timezone.override(ctx.team.tzinfo):
        return render_page(
            request,
            "web/ticket_edit.html",
            ctx,
            context,
            current="tickets",
            status=refusal_status(request, error) if error else 200,
        )


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
