"""The ticket list, New ticket, the ticket page and its actions (claim, comment, moves, verify)."""

from __future__ import annotations

import datetime
import uuid
from collections import namedtuple
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from practiceops.core.errors import ApiError, NotFound
from teams.access import is_leader
from teams.models import Membership
from teams.selectors import (
    cycle_active_among,
    cycle_active_for_team,
    cycle_list_for_calendar,
    member_list_for_user,
)
from tickets import services as tickets
from tickets.api.serializers import (
    TicketAssignInput,
    TicketCommentInput,
    TicketCreateInput,
    TicketReopenInput,
    TicketTransitionInput,
    TicketUpdateInput,
    TicketVerifyInput,
)
from tickets.models import Ticket, TicketStatus
from tickets.rules import can_claim, ticket_actions
from tickets.selectors import (
    TicketFilters,
    activity_list_for_ticket,
    ticket_get_for_user,
    ticket_rows,
)
from tickets.visibility import can_view
from web.forms import TicketCreateForm, first_form_error, validate
from web.pages import (
    TeamContext,
    app_page,
    memberships_of,
    refusal_status,
    render_page,
    require_POST,
    team_page,
)

# The list in pages of the API's default page size (spec/api.md → Pagination): every visible
# ticket is reachable, page by page, and a page costs the same whatever the cycle's size.
PAGE_SIZE = 50
MAX_PAGE = 10_000
# What a row of the list shows (web.rows.ticket_rows), and what can_claim reads.
LIST_COLUMNS = (
    "pk",
    "title",
    "status",
    "priority",
    "category",
    "section",
    "song_ref",
    "measures",
    "due_at",
    "owner_id",
    "owner_name",
    "claimable",
)
STATUS_CHOICES = TicketStatus.choices


def _cycle_choice(ctx: TeamContext, raw: str | None) -> tuple[list, Any]:
    cycles = list(cycle_list_for_calendar(team=ctx.team))
    chosen = None
    if raw:
        chosen = next((c for c in cycles if str(c.pk) == raw), None)
    if chosen is None:
        chosen = cycle_active_among(cycles, ctx.team.today())
    return cycles, chosen


def list_context(ctx: TeamContext, params: Any) -> dict[str, Any]:
    cycles, cycle = _cycle_choice(ctx, params.get("cycle"))
    status = params.get("status") or None
    if status not in TicketStatus.values:
        status = None
    filters = TicketFilters(
        status=status,
        section=(params.get("section") or "").strip()[:50] or None,
        song_ref=(params.get("song") or "").strip()[:100] or None,
        owner_me=params.get("mine") == "1",
        cycle_id=cycle.pk if cycle is not None else uuid.UUID(int=0),
    )
    page = _page_number(params.get("page"))
    start = (page - 1) * PAGE_SIZE
    # Rows, not model instances: a row shows a dozen columns, and building a Ticket and its
    # owner per row cost more than the rest of the query. One row more than a page tells
    # whether a next page exists, in the same query.
    rows = list_rows(ctx.membership, filters, start, start + PAGE_SIZE + 1)
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    return {
        "cycles": cycles,
        "cycle": cycle,
        "filters": filters,
        "status_choices": STATUS_CHOICES,
        # The list offers Claim only: the check ticket_claim refuses with.
        "rows": [(ticket, {"claim": can_claim(ctx.membership, ticket)}) for ticket in rows],
        "page": page,
        "previous_page": _page_query(params, page - 1) if page > 1 else None,
        "next_page": _page_query(params, page + 1) if more else None,
    }


ListRow = namedtuple("ListRow", LIST_COLUMNS)  # noqa: PYI024


def list_rows(membership: Membership, filters: TicketFilters, start: int, stop: int) -> list:
    """Rows ``start:stop`` of the tickets ``membership`` may see, in TICKET_ORDERING."""
    rows = ticket_rows(membership, filters, LIST_COLUMNS, start, stop, owner_name=True)
    return [ListRow(*row) for row in rows]


def _page_number(raw: str | None) -> int:
    try:
        page = int(raw or 1)
    except ValueError:
        return 1
    return min(max(page, 1), MAX_PAGE)


def _page_query(params: Any, page: int) -> str:
    """The list's query string (its filters kept) for ``page``."""
    query = params.copy() if hasattr(params, "copy") else QueryDict(mutable=True)
    query.pop("page", None)
    if page > 1:
        query["page"] = str(page)
    return f"?{query.urlencode()}" if query else "?"


@team_page
def ticket_list(request: HttpRequest, ctx: TeamContext) -> HttpResponse:
    return render_page(
        request, "web/tickets.html", ctx, list_context(ctx, request.GET), current="tickets"
    )


@team_page
def ticket_new(request: HttpRequest, ctx: TeamContext) -> HttpResponse:
    """New ticket (GET the form; POST creates it in the active cycle through the API's rules)."""
    form = TicketCreateForm(request.POST or None, initial={"priority": "MEDIUM"})
    error = None
    if request.method == "POST":
        try:
            cycle = cycle_active_for_team(ctx.team)
            if cycle is None:
                raise NotFound("There is no rehearsal yet: tickets belong to a rehearsal")
            if not form.is_valid():
                raise first_form_error(form)
            values = validate(TicketCreateInput, form.api_data())
            ticket = tickets.ticket_create(membership=ctx.membership, cycle=cycle, **values)
        except ApiError as exc:
            error = exc
        else:
            return redirect(reverse("web:ticket", args=[ticket.pk]))
    status = refusal_status(request, error) if error else 200
    return render_page(
        request,
        "web/ticket_new.html",
        ctx,
        # Claimable tickets are for leaders (ticket_create refuses anyone else).
        {"form": form, "error": error, "offer_claimable": is_leader(ctx.membership)},
        current="tickets",
        status=status,
    )


# --- the ticket page ------------------------------------------------------------------------


def _ticket_ctx(request: HttpRequest, ticket_id: str) -> tuple[Ticket, TeamContext]:
    ticket, membership = ticket_get_for_user(request.user, ticket_id)
    memberships = memberships_of(request.user)
    membership.team = next(m.team for m in memberships if m.team_id == ticket.team_id)
    return ticket, TeamContext(team=membership.team, membership=membership, memberships=memberships)


def _new_owners(ctx: TeamContext, ticket: Ticket) -> list[dict[str, Any]]:
    """Members who can see the ticket (the rule ticket_assign checks the new owner against)."""
    rows = []
    for row in member_list_for_user(membership=ctx.membership):
        candidate = Membership(
            team_id=ticket.team_id, user_id=row["user_id"], role=row["role"], section=row["section"]
        )
        if row["user_id"] != ticket.owner_id and can_view(candidate, ticket):
            rows.append(row)
    return rows


def _people(ticket: Ticket, activities: list) -> dict[str, str]:
    """Names of the owner and the creator: usually already loaded with the timeline."""
    users = {a.user_id: a.user for a in activities if a.user_id}
    missing = {ticket.owner_id, ticket.created_by_id} - set(users) - {None}
    if missing:
        users.update(User.objects.in_bulk(missing))
    names = {}
    for role, user_id in (("owner", ticket.owner_id), ("creator", ticket.created_by_id)):
        if user_id in users:
            names[role] = users[user_id].display_name
    return names


def _render_ticket(
    request: HttpRequest, ticket: Ticket, ctx: TeamContext, *, error: ApiError | None = None
) -> HttpResponse:
    activities = list(activity_list_for_ticket(ticket).order_by("created_at", "id"))
    actions = ticket_actions(ctx.membership, ticket)
    edit_form = None
    if actions["edit"]:
        edit_form = TicketCreateForm(
            request.POST if error and "title" in request.POST else None,
            initial={
                **{name: getattr(ticket, name) for name in tickets.EDITABLE_FIELDS},
                "due": ticket.due_at.astimezone(datetime.UTC).date() if ticket.due_at else None,
            },
        )
    context = {
        "edit_form": edit_form,
        "new_owners": _new_owners(ctx, ticket) if actions["reassign"] else [],
        "ticket": ticket,
        "actions": actions,
        "activities": activities,
        "people": _people(ticket, activities),
        "error": error,
        "values": request.POST if error else {},
    }
    with timezone.override(ctx.team.tzinfo):
        return render_page(
            request,
            "web/ticket.html",
            ctx,
            context,
            current="tickets",
            partial="ticket-main",
            status=refusal_status(request, error) if error else 200,
        )


@app_page
def ticket_detail(request: HttpRequest, ticket_id: str) -> HttpResponse:
    ticket, ctx = _ticket_ctx(request, ticket_id)
    return _render_ticket(request, ticket, ctx)


def _ticket_action(
    request: HttpRequest, ticket_id: str, act: Callable[[TeamContext, Ticket], Any]
) -> HttpResponse:
    """Run one action; success → the ticket page (POST → redirect → GET, or the fragment for
    htmx); a refusal → the page again with the API's message, nothing changed."""
    ticket, ctx = _ticket_ctx(request, ticket_id)
    try:
        act(ctx, ticket)
    except ApiError as error:
        ticket.refresh_from_db()
        return _render_ticket(request, ticket, ctx, error=error)
    if request.htmx:
        ticket.refresh_from_db()
        return _render_ticket(request, ticket, ctx)
    return redirect(reverse("web:ticket", args=[ticket.pk]))


@require_POST
@app_page
def ticket_comment(request: HttpRequest, ticket_id: str) -> HttpResponse:
    def act(ctx: TeamContext, ticket: Ticket) -> None:
        values = validate(TicketCommentInput, {"content": request.POST.get("content", "")})
        tickets.ticket_comment(membership=ctx.membership, ticket_id=ticket.pk, **values)

    return _ticket_action(request, ticket_id, act)


@require_POST
@app_page
def ticket_transition(request: HttpRequest, ticket_id: str) -> HttpResponse:
    def act(ctx: TeamContext, ticket: Ticket) -> None:
        values = validate(
            TicketTransitionInput,
            {
                "to_status": request.POST.get("to_status", ""),
                "content": request.POST.get("content") or None,
            },
        )
        tickets.ticket_transition(membership=ctx.membership, ticket_id=ticket.pk, **values)

    return _ticket_action(request, ticket_id, act)


@require_POST
@app_page
def ticket_verify(request: HttpRequest, ticket_id: str) -> HttpResponse:
    def act(ctx: TeamContext, ticket: Ticket) -> None:
        values = validate(TicketVerifyInput, {"content": request.POST.get("content") or None})
        tickets.ticket_verify(membership=ctx.membership, ticket_id=ticket.pk, **values)

    return _ticket_action(request, ticket_id, act)


@require_POST
@app_page
def ticket_reopen(request: HttpRequest, ticket_id: str) -> HttpResponse:
    def act(ctx: TeamContext, ticket: Ticket) -> None:
        values = validate(TicketReopenInput, {"reason": request.POST.get("reason", "")})
        tickets.ticket_reopen(membership=ctx.membership, ticket_id=ticket.pk, **values)

    return _ticket_action(request, ticket_id, act)


@require_POST
@app_page
def ticket_assign(request: HttpRequest, ticket_id: str) -> HttpResponse:
    def act(ctx: TeamContext, ticket: Ticket) -> None:
        values = validate(TicketAssignInput, {"owner_id": request.POST.get("owner_id", "")})
        tickets.ticket_assign(membership=ctx.membership, ticket_id=ticket.pk, **values)

    return _ticket_action(request, ticket_id, act)


@require_POST
@app_page
def ticket_edit(request: HttpRequest, ticket_id: str) -> HttpResponse:
    def act(ctx: TeamContext, ticket: Ticket) -> None:
        form = TicketCreateForm(request.POST)
        if not form.is_valid():
            raise first_form_error(form)
        values = validate(TicketUpdateInput, form.api_data())
        tickets.ticket_update(membership=ctx.membership, ticket_id=ticket.pk, changes=values)

    return _ticket_action(request, ticket_id, act)


@require_POST
@app_page
def ticket_unclaim(request: HttpRequest, ticket_id: str) -> HttpResponse:
    def act(ctx: TeamContext, ticket: Ticket) -> None:
        tickets.ticket_unclaim(membership=ctx.membership, ticket_id=ticket.pk)

    return _ticket_action(request, ticket_id, act)


@require_POST
@app_page
def ticket_claim(request: HttpRequest, ticket_id: str) -> HttpResponse:
    """Claim from the list (back to the list, or the row for htmx) or from the ticket page."""
    ticket, ctx = _ticket_ctx(request, ticket_id)
    error = None
    try:
        tickets.ticket_claim(membership=ctx.membership, ticket_id=ticket.pk)
    except ApiError as exc:
        error = exc
    ticket.refresh_from_db()
    if request.POST.get("from") != "list":
        if error is None and not request.htmx:
            return redirect(reverse("web:ticket", args=[ticket.pk]))
        return _render_ticket(request, ticket, ctx, error=error)
    with timezone.override(ctx.team.tzinfo):
        if request.htmx:
            context = {
                "ticket": ticket,
                "actions": ticket_actions(ctx.membership, ticket),
                "row_error": error,
            }
            return render_page(
                request, "web/tickets.html", ctx, context, current="tickets", partial="ticket-row"
            )
        if error is None:
            return redirect(reverse("web:tickets", args=[ctx.team.pk]))
        context = list_context(ctx, request.GET)
        context["error"] = error
        return render_page(
            request,
            "web/tickets.html",
            ctx,
            context,
            current="tickets",
            status=refusal_status(request, error),
        )
