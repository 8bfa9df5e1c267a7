"""Team settings (ADMIN, spec/web.md): team name and timezone; members (role, section, remove);
invites (create — the link shown once —, list, revoke); rehearsals (create, edit, delete).

Each form posts to its own action, which validates with the API's input serializer and writes
through the API's service; a refusal re-renders the page with the API's message next to the
form it concerns (the last admin's refusal included), the input kept and nothing changed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from practiceops.core.errors import ApiError, NotFound
from practiceops.core.params import parse_uuid
from teams import selectors, services
from teams.access import check_role
from teams.api.serializers import (
    CycleCreateInput,
    CycleUpdateInput,
    InviteCreateInput,
    MembershipUpdateInput,
    TeamUpdateInput,
)
from teams.models import Invite, RehearsalCycle, Role
from web.forms import validate
from web.pages import TeamContext, refusal_status, render_page, require_POST, team_page

SAVED = {
    "team": "Team saved.",
    "member": "Member saved.",
    "removed": "Member removed.",
    "revoked": "Invite revoked.",
    "rehearsal": "Rehearsal saved.",
    "rehearsal-deleted": "Rehearsal deleted.",
}
INVITE_HOURS = ((24, "1 day"), (72, "3 days"), (168, "7 days"), (336, "14 days"), (720, "30 days"))
INVITES_LIMIT = 100
INVITE_LINK_KEY = "web:new_invite_link"
CYCLES_LIMIT = 200


def settings_context(ctx: TeamContext) -> dict[str, Any]:
    team = ctx.team
    active = selectors.cycle_active_for_team(team)
    cycles = list(selectors.cycle_list_for_calendar(team=team).reverse()[:CYCLES_LIMIT])
    return {
        "members": list(
            selectors.member_list_for_user(membership=ctx.membership).order_by(
                *selectors.MEMBER_ORDERING
            )
        ),
        "invites": list(
            selectors.invite_list_for_team(team=team).order_by(*selectors.INVITE_ORDERING)[
                :INVITES_LIMIT
            ]
        ),
        "cycles": cycles,
        "active_cycle_id": active.pk if active else None,
        "roles": Role.choices,
        "timezones": services.timezone_names(),
        "invite_hours": INVITE_HOURS,
        "today": team.today(),
    }


def _admin(ctx: TeamContext) -> TeamContext:
    """ADMINs only: 403 "Admin role required", as PATCH /teams/{id} answers."""
    check_role(ctx.membership, Role.ADMIN)
    return ctx


def _render(
    request: HttpRequest,
    ctx: TeamContext,
    *,
    status: int = 200,
    error: ApiError | None = None,
    error_at: str = "",
    **extra: Any,
) -> HttpResponse:
    context = {**settings_context(ctx), "error": error, "error_at": error_at, **extra}
    # A refusal of one row's form is shown on that row; when the row is not listed (a used
    # invite, say), at the top of the page.
    placed = error_at in ("", "team", "invite", "rehearsal")
    for row in context["members"]:
        row["error"] = error if error_at == f"member-{row['user_id']}" else None
        placed = placed or row["error"] is not None
    for item in [*context["invites"], *context["cycles"]]:
        kind = "invite" if isinstance(item, Invite) else "rehearsal"
        item.error = error if error_at == f"{kind}-{item.pk}" else None
        placed = placed or item.error is not None
    context["page_error"] = None if placed else error
    values = extra.get("values") or {}
    context["chosen_timezone"] = values.get("timezone") if error_at == "team" else ctx.team.timezone
    return render_page(
        request, "web/settings.html", ctx, context, current="settings", status=status
    )


@team_page
def team_settings(request: HttpRequest, ctx: TeamContext) -> HttpResponse:
    _admin(ctx)
    created = request.session.pop(INVITE_LINK_KEY, None)
    if created and created.get("team") != str(ctx.team.pk):
        created = None
    return _render(
        request,
        ctx,
        notice=SAVED.get(request.GET.get("saved", "")),
        invite_link=created["link"] if created else None,
        invite_email=created["email"] if created else None,
    )


def _action(
    request: HttpRequest,
    ctx: TeamContext,
    *,
    error_at: str,
    saved: str,
    act: Callable[[], Any],
    anchor: str,
) -> HttpResponse:
    """Run one settings action; success → the page (POST → redirect → GET); a refusal → the
    page again with the API's message at ``error_at`` and the posted values."""
    _admin(ctx)
    try:
        act()
    except ApiError as error:
        # A service may have set fields on the team before refusing: show it as stored.
        ctx.team.refresh_from_db()
        return _render(
            request,
            ctx,
            status=refusal_status(request, error),
            error=error,
            error_at=error_at,
            values=request.POST,
        )
    return redirect(reverse("web:settings", args=[ctx.team.pk]) + f"?saved={saved}#{anchor}")


@require_POST
@team_page
def team_save(request: HttpRequest, ctx: TeamContext) -> HttpResponse:
    def act() -> None:
        data = validate(
            TeamUpdateInput,
            {"name": request.POST.get("name", ""), "timezone": request.POST.get("timezone", "")},
        )
        services.team_update(
            team=ctx.team, name=data.get("name"), timezone_name=data.get("timezone")
        )

    return _action(request, ctx, error_at="team", saved="team", act=act, anchor="team")


@require_POST
@team_page
def member_save(request: HttpRequest, ctx: TeamContext, user_id: str) -> HttpResponse:
    def act() -> None:
        target = parse_uuid(user_id, field="user_id")
        data = validate(
            MembershipUpdateInput,
            {"role": request.POST.get("role", ""), "section": request.POST.get("section", "")},
        )
        services.membership_update(
            team=ctx.team, user_id=target, role=data.get("role"), section=data.get("section")
        )

    return _action(
        request, ctx, error_at=f"member-{user_id}", saved="member", act=act, anchor="members"
    )


@require_POST
@team_page
def member_remove(request: HttpRequest, ctx: TeamContext, user_id: str) -> HttpResponse:
    _admin(ctx)
    target = parse_uuid(user_id, field="user_id")
    try:
        services.membership_remove(team=ctx.team, user_id=target, removed_by=request.user)
    except ApiError as error:
        return _render(
            request,
            ctx,
            status=refusal_status(request, error),
            error=error,
            error_at=f"member-{user_id}",
        )
    if target == ctx.membership.user_id:
        # An ADMIN who removed themself has left the team.
        return redirect(reverse("web:home"))
    return redirect(reverse("web:settings", args=[ctx.team.pk]) + "?saved=removed#members")


@require_POST
@team_page
def invite_create(request: HttpRequest, ctx: TeamContext) -> HttpResponse:
    """Create invite: the link is shown this once (only its hash is stored), with Copy link."""
    _admin(ctx)
    try:
        hours = request.POST.get("expires_in_hours") or "168"
        data = validate(
            InviteCreateInput,
            {
                "email": request.POST.get("email") or None,
                "role": request.POST.get("role", ""),
                "section": request.POST.get("section") or None,
                "expires_in_hours": int(hours) if hours.isdigit() else hours,
            },
        )
        invite, raw = services.invite_create(
            team=ctx.team,
            created_by=request.user,
            email=data.get("email") or None,
            role=data["role"],
            section=data.get("section"),
            expires_in_hours=data["expires_in_hours"],
        )
    except ApiError as error:
        return _render(
            request,
            ctx,
            status=refusal_status(request, error),
            error=error,
            error_at="invite",
            values=request.POST,
        )
    # POST → redirect → GET, the link handed over in the session and shown once: a reload of
    # the page neither creates a second invite nor shows the link again.
    request.session[INVITE_LINK_KEY] = {
        "link": request.build_absolute_uri(reverse("web:invite", args=[raw])),
        "email": invite.email,
        "team": str(ctx.team.pk),
    }
    return redirect(reverse("web:settings", args=[ctx.team.pk]) + "#invites")


@require_POST
@team_page
def invite_revoke(request: HttpRequest, ctx: TeamContext, invite_id: str) -> HttpResponse:
    def act() -> None:
        invite = selectors.invite_get_by_id_or_token(invite_id)
        if invite.team_id != ctx.team.pk:
            raise NotFound(services.INVITE_NOT_FOUND)
        services.invite_revoke(invite=invite, revoked_by=request.user)

    return _action(
        request, ctx, error_at=f"invite-{invite_id}", saved="revoked", act=act, anchor="invites"
    )


def _cycle(ctx: TeamContext, cycle_id: str) -> RehearsalCycle:
    pk = parse_uuid(cycle_id, field="cycle_id")
    cycle = RehearsalCycle.objects.filter(pk=pk, team=ctx.team).first()
    if cycle is None:
        raise NotFound("Cycle not found")
    return cycle


@require_POST
@team_page
def rehearsal_create(request: HttpRequest, ctx: TeamContext) -> HttpResponse:
    def act() -> None:
        data = validate(
            CycleCreateInput,
            {"date": request.POST.get("date", ""), "label": request.POST.get("label") or None},
        )
        services.cycle_create(
            team=ctx.team, date=data["date"], label=data.get("label"), created_by=request.user
        )

    return _action(
        request, ctx, error_at="rehearsal", saved="rehearsal", act=act, anchor="rehearsals"
    )


@require_POST
@team_page
def rehearsal_save(request: HttpRequest, ctx: TeamContext, cycle_id: str) -> HttpResponse:
    def act() -> None:
        cycle = _cycle(ctx, cycle_id)
        body = {"date": request.POST.get("date", "")}
        if request.POST.get("label"):
            body["label"] = request.POST["label"]
        data = validate(CycleUpdateInput, body)
        services.cycle_update(
            cycle=cycle, date=data.get("date"), label=data.get("label"), updated_by=request.user
        )

    return _action(
        request,
        ctx,
        error_at=f"rehearsal-{cycle_id}",
        saved="rehearsal",
        act=act,
        anchor="rehearsals",
    )


@require_POST
@team_page
def rehearsal_delete(request: HttpRequest, ctx: TeamContext, cycle_id: str) -> HttpResponse:
    def act() -> None:
        services.cycle_delete(cycle=_cycle(ctx, cycle_id), deleted_by=request.user)

    return _action(
        request,
        ctx,
        error_at=f"rehearsal-{cycle_id}",
        saved="rehearsal-deleted",
        act=act,
        anchor="rehearsals",
    )
