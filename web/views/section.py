"""Section overview (spec/web.md): compliance, risk, PRIVATE aggregates, a per-section chart,
the outcomes of the last 28 days, and the verification queue with Verify and Reopen.

Every figure comes from the leader dashboard's and the outcomes' selectors (the API's twins
``GET /teams/{id}/dashboards/leader`` and ``…/leader/outcomes``), scoped by them: a
SECTION_LEADER sees their section, an ADMIN the team. The queue offers exactly the tickets
``tickets.selectors.verifiable_tickets_q`` lists, the rule ``ticket_verify`` and
``ticket_reopen`` refuse with.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from accounts.models import User
from insights.charts import grouped_bar_chart
from insights.selectors import dashboard_cycle, leader_dashboard_get, outcomes_get
from insights.selectors.common import UNASSIGNED_SECTION, WINDOW_DAYS
from practiceops.core.errors import ApiError
from practiceops.core.params import parse_uuid
from teams.access import check_role, is_admin
from teams.models import Role
from tickets import services as tickets
from tickets.api.serializers import TicketReopenInput, TicketVerifyInput
from web.forms import validate
from web.pages import TeamContext, refusal_status, render_page, require_POST, team_page

# The per-member table's sortable columns: (query value, header, sort key).
SORTS: dict[str, tuple[str, Any]] = {
    "name": ("Member", lambda row: (row["name"] or "").casefold()),
    "section": ("Section", lambda row: ((row["section"] or "~").casefold(), row["name"] or "")),
    "days": ("Days", lambda row: row["days_logged_7d"]),
    "minutes": ("Minutes", lambda row: row["minutes_7d"]),
    "last": (
        "Last log",
        lambda row: row["last_logged_at"] or datetime.datetime.min.replace(tzinfo=datetime.UTC),
    ),
}
DEFAULT_SORT = "section"
QUEUE_DONE = {"verified": "verified", "reopened": "reopened"}


def sort_members(rows: list[dict[str, Any]], sort: str, direction: str) -> list[dict[str, Any]]:
    key = SORTS[sort][1]
    return sorted(rows, key=key, reverse=direction == "desc")


def sort_headers(sort: str, direction: str) -> list[dict[str, Any]]:
    """The table's headers: each a link that sorts by it (again: the other way)."""
    headers = []
    for value, (label, _) in SORTS.items():
        current = value == sort
        next_direction = "desc" if current and direction == "asc" else "asc"
        headers.append(
            {
                "label": label,
                "query": f"?sort={value}&dir={next_direction}#compliance",
                "aria_sort": ("ascending" if direction == "asc" else "descending")
                if current
                else None,
                "numeric": value in ("days", "minutes"),
            }
        )
    return headers


def section_rows(members: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per section of the members in scope: how many, how many practised, their minutes."""
    by_section: dict[str, dict[str, Any]] = {}
    for row in members:
        label = row["section"] or UNASSIGNED_SECTION
        entry = by_section.setdefault(
            label, {"section": label, "members": 0, "practised": 0, "minutes": 0}
        )
        entry["members"] += 1
        entry["practised"] += 1 if row["days_logged_7d"] else 0
        entry["minutes"] += row["minutes_7d"]
    labels = sorted(label for label in by_section if label != UNASSIGNED_SECTION)
    if UNASSIGNED_SECTION in by_section:
        labels.append(UNASSIGNED_SECTION)
    rows = [by_section[label] for label in labels]
    for entry in rows:
        entry["share"] = round(100 * entry["practised"] / entry["members"])
    return rows


def section_chart(rows: list[dict[str, Any]]) -> Any:
    if not rows:
        return None
    described = "; ".join(
        f"{row['section']}: {row['practised']} of {row['members']} members practised"
        for row in rows
    )
    return grouped_bar_chart(
        title=f"Members who practised in the last {WINDOW_DAYS} days, by section",
        groups=[row["section"] for row in rows],
        series=[
            ("Members", [row["members"] for row in rows]),
            ("Practised", [row["practised"] for row in rows]),
        ],
        unit="members",
        description=described,
    )


def owner_names(dashboard: dict[str, Any]) -> dict[Any, str]:
    """Names of the queue's owners, in one query for the whole queue (an owner may be outside
    the leader's members, e.g. of a TEAM ticket in another section)."""
    owners = {item["owner_id"] for item in dashboard["verification_queue"] if item["owner_id"]}
    if not owners:
        return {}
    return dict(User.objects.filter(pk__in=owners).values_list("id", "display_name"))


def overview_context(ctx: TeamContext, params: Any) -> dict[str, Any]:
    team, membership = ctx.team, ctx.membership
    cycle = dashboard_cycle(team, None)
    dashboard = leader_dashboard_get(team=team, membership=membership, cycle=cycle)
    outcomes = outcomes_get(team=team, membership=membership, date_from=None, date_to=None)
    sort = params.get("sort") if params.get("sort") in SORTS else DEFAULT_SORT
    direction = "desc" if params.get("dir") == "desc" else "asc"
    members = dashboard["compliance"]["practice_days_by_member"]
    sections = section_rows(members)
    names = owner_names(dashboard)
    queue = [
        {**item, "owner_name": names.get(item["owner_id"])}
        for item in dashboard["verification_queue"]
    ]
    return {
        "cycle": cycle,
        "dashboard": dashboard,
        "compliance": dashboard["compliance"],
        "compliance_pct": round(100 * dashboard["compliance"]["logged_last_7_days_pct"]),
        "members": sort_members(members, sort, direction),
        "headers": sort_headers(sort, direction),
        "risk": dashboard["risk_summary"],
        "private": dashboard["private_ticket_aggregates"],
        "sections": sections,
        "chart": section_chart(sections),
        "outcomes": outcomes,
        "queue": queue,
        "window_days": WINDOW_DAYS,
        "is_admin_view": is_admin(membership),
    }


def _leader_ctx(ctx: TeamContext) -> TeamContext:
    """Leaders only (403 "Section leader or admin role required", as the dashboard answers)."""
    check_role(ctx.membership, Role.SECTION_LEADER)
    return ctx


@team_page
def section_overview(request: HttpRequest, ctx: TeamContext) -> HttpResponse:
    _leader_ctx(ctx)
    context = overview_context(ctx, request.GET)
    done = request.GET.get("done")
    if done in QUEUE_DONE:
        context["notice"] = f"Ticket {QUEUE_DONE[done]}: it has left the verification queue."
    return render_page(request, "web/section.html", ctx, context, current="section")


def _queue_action(
    request: HttpRequest, ctx: TeamContext, ticket_id: str, action: str
) -> HttpResponse:
    """Verify or Reopen from the queue: the API's serializer, then its service.

    htmx: the row is replaced in place (by a confirmation, or by itself with the refusal);
    without JavaScript: POST → redirect → GET, or the page again with the API's message.
    """
    _leader_ctx(ctx)
    try:
        if action == "verify":
            values = validate(TicketVerifyInput, {"content": request.POST.get("content") or None})
            ticket = tickets.ticket_verify(
                membership=ctx.membership, ticket_id=_uuid(ticket_id), **values
            )
        else:
            values = validate(TicketReopenInput, {"reason": request.POST.get("reason", "")})
            ticket = tickets.ticket_reopen(
                membership=ctx.membership, ticket_id=_uuid(ticket_id), **values
            )
    except ApiError as error:
        return _queue_refusal(request, ctx, ticket_id, action, error)
    done = "verified" if action == "verify" else "reopened"
    if request.htmx:
        return render_page(
            request,
            "web/section.html",
            ctx,
            {"done_ticket": ticket, "done": done},
            current="section",
            partial="queue-done",
        )
    return redirect(reverse("web:section", args=[ctx.team.pk]) + f"?done={done}#queue")


def _uuid(raw: str) -> Any:
    return parse_uuid(raw, field="ticket_id")


def _queue_refusal(
    request: HttpRequest, ctx: TeamContext, ticket_id: str, action: str, error: ApiError
) -> HttpResponse:
    context = overview_context(ctx, request.GET)
    context.update(
        {"row_error": error, "error_ticket_id": ticket_id, "values": request.POST, "action": action}
    )
    status = refusal_status(request, error)
    item = next((i for i in context["queue"] if str(i["id"]) == ticket_id), None)
    if request.htmx:
        # The row again with the message and the input kept; or, when the ticket has left the
        # queue meanwhile (verified or reopened by someone else), the message in its place.
        context["item"] = item
        partial = "queue-row" if item is not None else "queue-gone"
        return render_page(
            request, "web/section.html", ctx, context, current="section", partial=partial
        )
    if item is None:
        # The ticket left the queue meanwhile (verified or reopened by someone else): the
        # message goes above the queue.
        context["queue_error"] = error
    return render_page(request, "web/section.html", ctx, context, current="section", status=status)


@require_POST
@team_page
def queue_verify(request: HttpRequest, ctx: TeamContext, ticket_id: str) -> HttpResponse:
    return _queue_action(request, ctx, ticket_id, "verify")


@require_POST
@team_page
def queue_reopen(request: HttpRequest, ctx: TeamContext, ticket_id: str) -> HttpResponse:
    return _queue_action(request, ctx, ticket_id, "reopen")
