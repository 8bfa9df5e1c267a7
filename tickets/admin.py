"""Staff screens for tickets.

``status`` is read-only here as everywhere: transitions, verify, reopen, unclaim and reassign are
admin actions (changelist) and buttons (change page) that call ``tickets.staff_services``,
which run the state machine's own functions. A refusal is shown as an error message and
changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseNotAllowed,
    HttpResponseRedirect,
)
from django.template.response import TemplateResponse
from django.urls import path, reverse

from practiceops.core.errors import ApiError
from teams.models import Membership
from tickets import staff_services, state_machine
from tickets.models import Ticket, TicketActivity, TicketStatus
from tickets.visibility import can_view

# Every status /transition may move to; VERIFIED is reached through verify only.
TRANSITION_TARGETS = (
    TicketStatus.OPEN,
    TicketStatus.IN_PROGRESS,
    TicketStatus.BLOCKED,
    TicketStatus.RESOLVED,
)


class TicketActionForm(ActionForm):
    note = forms.CharField(
        required=False,
        max_length=2000,
        label="Note",
        help_text="Required to resolve; kept as the verification note when verifying.",
    )


class WorkflowNoteForm(forms.Form):
    """The note posted with a button on the ticket page, held to the API's length limit."""

    content = forms.CharField(required=False, max_length=2000, strip=True)


class ReopenReasonForm(forms.Form):
    reason = forms.CharField(required=True, max_length=2000, strip=True)


class TicketActivityInline(admin.TabularInline):
    model = TicketActivity
    verbose_name = "activity"
    verbose_name_plural = "activity"
    fields = ("created_at", "type", "user", "old_status", "new_status", "content")
    readonly_fields = fields
    ordering = ("created_at", "id")
    extra = 0
    can_delete = False
    show_change_link = False

    def get_queryset(self, request: HttpRequest) -> QuerySet[TicketActivity]:
        return super().get_queryset(request).select_related("user")

    def has_add_permission(self, request: HttpRequest, obj: Ticket | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Ticket | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Ticket | None = None) -> bool:
        return False


def _transition_action(to_status: TicketStatus) -> Callable[..., None]:
    def action(modeladmin: TicketAdmin, request: HttpRequest, queryset: QuerySet[Ticket]) -> None:
        note = request.POST.get("note") or None
        modeladmin.run_for_each(
            request,
            queryset,
            lambda ticket: staff_services.ticket_transition_by_staff(
                staff_user=request.user, ticket_id=ticket.pk, to_status=to_status, content=note
            ),
            done=f"moved to {to_status.label}",
        )

    action.__name__ = f"transition_to_{to_status.value.lower()}"
    return admin.action(
        description=f"Move selected tickets to {to_status.label}", permissions=["change"]
    )(action)


class ReassignForm(forms.Form):
    owner = forms.ModelChoiceField(
        queryset=Membership.objects.none(), label="New owner", empty_label=None
    )

    def __init__(self, *args: Any, ticket: Ticket, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        members = Membership.objects.filter(team_id=ticket.team_id).select_related("user")
        # Only members who may see the ticket can own it (the service re-checks on the lock).
        allowed = [m.pk for m in members if can_view(m, ticket)]
        field = self.fields["owner"]
        field.queryset = members.filter(pk__in=allowed).order_by("user__display_name")
        field.label_from_instance = lambda m: (
            f"{m.user.display_name} <{m.user.email}> — {m.get_role_display()}"
            + (f", {m.section}" if m.section else "")
        )


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
    list_display = (
        "title",
        "team",
        "section",
        "status",
        "priority",
        "category",
        "visibility",
        "owner",
        "claimable",
        "due_at",
        "updated_at",
    )
    list_select_related = ("team", "owner")
    list_filter = ("status", "priority", "category", "visibility", "claimable", "team")
    search_fields = (
        "title",
        "description",
        "song_ref",
        "section",
        "owner__email",
        "owner__display_name",
        "team__name",
    )
    date_hierarchy = "created_at"
    ordering = ("-updated_at",)
    action_form = TicketActionForm
    actions = (
        *(_transition_action(target) for target in TRANSITION_TARGETS),
        "verify_tickets",
        "unclaim_tickets",
        "reassign_ticket",
    )
    inlines = (TicketActivityInline,)
    fieldsets = (
        (None, {"fields": ("team", "cycle", "title", "description", "category", "priority")}),
        ("Where", {"fields": ("visibility", "section", "song_ref", "measures", "due_at")}),
        (
            "State (read-only: changed through Workflow and the list's actions)",
            {
                "fields": (
                    "status",
                    "owner",
                    "created_by",
                    "claimable",
                    "claimed_by",
                    "claimed_at",
                    "resolved_at",
                    "resolved_note",
                    "verified_at",
                    "verified_by",
                    "verified_note",
                    "created_at",
                    "updated_at",
                )
            },
        ),
    )
    readonly_fields = (
        "team",
        "cycle",
        "status",
        "owner",
        "created_by",
        "claimable",
        "claimed_by",
        "claimed_at",
        "resolved_at",
        "resolved_note",
        "verified_at",
        "verified_by",
        "verified_note",
        "created_at",
        "updated_at",
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        # A ticket is created by a team member (with its CREATED activity) through the API.
        return False

    # --- actions ---------------------------------------------------------------------------

    def run_for_each(
        self,
        request: HttpRequest,
        queryset: QuerySet[Ticket],
        call: Callable[[Ticket], Ticket],
        *,
        done: str,
    ) -> int:
        """Call a staff service per ticket, each in its own transaction; report each refusal."""
        succeeded = 0
        for ticket in queryset.order_by("title", "id"):
            try:
                call(ticket)
            except ApiError as exc:
                self.message_user(request, f"“{ticket}”: {exc.message}", level=messages.ERROR)
            else:
                succeeded += 1
                self.log_change(request, ticket, f"{done[0].upper()}{done[1:]} from the admin")
        if succeeded:
            self.message_user(request, f"{succeeded} ticket(s) {done}.", level=messages.SUCCESS)
        return succeeded

    @admin.action(description="Verify selected tickets", permissions=["change"])
    def verify_tickets(self, request: HttpRequest, queryset: QuerySet[Ticket]) -> None:
        note = request.POST.get("note") or None
        self.run_for_each(
            request,
            queryset,
            lambda ticket: staff_services.ticket_verify_by_staff(
                staff_user=request.user, ticket_id=ticket.pk, content=note
            ),
            done="verified",
        )

    @admin.action(description="Unclaim selected tickets", permissions=["change"])
    def unclaim_tickets(self, request: HttpRequest, queryset: QuerySet[Ticket]) -> None:
        self.run_for_each(
            request,
            queryset,
            lambda ticket: staff_services.ticket_unclaim_by_staff(
                staff_user=request.user, ticket_id=ticket.pk
            ),
            done="unclaimed",
        )

    @admin.action(description="Reassign the selected ticket…", permissions=["change"])
    def reassign_ticket(
        self, request: HttpRequest, queryset: QuerySet[Ticket]
    ) -> HttpResponse | None:
        tickets = list(queryset[:2])
        if len(tickets) != 1:
            self.message_user(
                request, "Select exactly one ticket to reassign.", level=messages.WARNING
            )
            return None
        return HttpResponseRedirect(self._url("reassign", tickets[0].pk))

    # --- per-ticket workflow views ---------------------------------------------------------

    def get_urls(self):  # type: ignore[no-untyped-def]
        def wrap(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
            return self.admin_site.admin_view(view)

        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        return [
            path(
                "<path:object_id>/workflow/transition/",
                wrap(self.transition_view),
                name=f"{prefix}_transition",
            ),
            path(
                "<path:object_id>/workflow/verify/",
                wrap(self.verify_view),
                name=f"{prefix}_verify",
            ),
            path(
                "<path:object_id>/workflow/reopen/",
                wrap(self.reopen_view),
                name=f"{prefix}_reopen",
            ),
            path(
                "<path:object_id>/workflow/unclaim/",
                wrap(self.unclaim_view),
                name=f"{prefix}_unclaim",
            ),
            path(
                "<path:object_id>/workflow/reassign/",
                wrap(self.reassign_view),
                name=f"{prefix}_reassign",
            ),
            *super().get_urls(),
        ]

    def _url(self, name: str, pk: Any) -> str:
        return reverse(
            f"admin:{self.opts.app_label}_{self.opts.model_name}_{name}",
            args=[pk],
            current_app=self.admin_site.name,
        )

    def _ticket_for_change(self, request: HttpRequest, object_id: str) -> Ticket:
        ticket = self.get_object(request, unquote(object_id))
        if ticket is None:
            raise Http404("Ticket not found")
        if not self.has_change_permission(request, ticket):
            raise PermissionDenied
        return ticket

    def _note(self, request: HttpRequest) -> tuple[bool, str | None]:
        form = WorkflowNoteForm(request.POST)
        if not form.is_valid():
            self.message_user(
                request, f"Note: {' '.join(form.errors['content'])}", level=messages.ERROR
            )
            return False, None
        return True, form.cleaned_data["content"] or None

    def _run_one(
        self, request: HttpRequest, ticket: Ticket, call: Callable[[], Ticket], done: str
    ) -> HttpResponse:
        try:
            call()
        except ApiError as exc:
            self.message_user(request, exc.message, level=messages.ERROR)
        else:
            self.log_change(request, ticket, f"{done[0].upper()}{done[1:]} from the admin")
            self.message_user(request, f"Ticket {done}.", level=messages.SUCCESS)
        return HttpResponseRedirect(self._url("change", ticket.pk))

    def transition_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        ticket = self._ticket_for_change(request, object_id)
        to_status = request.POST.get("to_status", "")
        if to_status not in TicketStatus.values:
            self.message_user(request, f"Unknown status: {to_status}", level=messages.ERROR)
            return HttpResponseRedirect(self._url("change", ticket.pk))
        valid, note = self._note(request)
        if not valid:
            return HttpResponseRedirect(self._url("change", ticket.pk))
        label = TicketStatus(to_status).label
        return self._run_one(
            request,
            ticket,
            lambda: staff_services.ticket_transition_by_staff(
                staff_user=request.user, ticket_id=ticket.pk, to_status=to_status, content=note
            ),
            f"moved to {label}",
        )

    def verify_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        ticket = self._ticket_for_change(request, object_id)
        valid, note = self._note(request)
        if not valid:
            return HttpResponseRedirect(self._url("change", ticket.pk))
        return self._run_one(
            request,
            ticket,
            lambda: staff_services.ticket_verify_by_staff(
                staff_user=request.user, ticket_id=ticket.pk, content=note
            ),
            "verified",
        )

    def reopen_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        ticket = self._ticket_for_change(request, object_id)
        form = ReopenReasonForm(request.POST)
        if not form.is_valid():
            self.message_user(
                request, f"Reason: {' '.join(form.errors['reason'])}", level=messages.ERROR
            )
            return HttpResponseRedirect(self._url("change", ticket.pk))
        return self._run_one(
            request,
            ticket,
            lambda: staff_services.ticket_reopen_by_staff(
                staff_user=request.user, ticket_id=ticket.pk, reason=form.cleaned_data["reason"]
            ),
            "reopened",
        )

    def unclaim_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        ticket = self._ticket_for_change(request, object_id)
        return self._run_one(
            request,
            ticket,
            lambda: staff_services.ticket_unclaim_by_staff(
                staff_user=request.user, ticket_id=ticket.pk
            ),
            "unclaimed",
        )

    def reassign_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        ticket = self._ticket_for_change(request, object_id)
        form = ReassignForm(request.POST or None, ticket=ticket)
        if request.method == "POST" and form.is_valid():
            owner = form.cleaned_data["owner"]
            return self._run_one(
                request,
                ticket,
                lambda: staff_services.ticket_assign_by_staff(
                    staff_user=request.user, ticket_id=ticket.pk, owner_id=owner.user_id
                ),
                f"assigned to {owner.user.display_name}",
            )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"Reassign “{ticket}”",
            "ticket": ticket,
            "form": form,
            "change_url": self._url("change", ticket.pk),
        }
        return TemplateResponse(request, "admin/tickets/ticket/reassign.html", context)

    def change_view(self, request, object_id, form_url="", extra_context=None):  # type: ignore[no-untyped-def]
        ticket = self.get_object(request, unquote(object_id))
        extra_context = extra_context or {}
        if ticket is not None and self.has_change_permission(request, ticket):
            extra_context["workflow"] = self._workflow(ticket)
        return super().change_view(request, object_id, form_url, extra_context)

    def _workflow(self, ticket: Ticket) -> dict[str, Any]:
        """The buttons the change page offers: the moves the state machine allows from here."""
        allowed = state_machine.TRANSITIONS[ticket.status]
        return {
            "status": ticket.get_status_display(),
            "targets": [
                {"value": target.value, "label": target.label}
                for target in TRANSITION_TARGETS
                if target in allowed
            ],
            "can_verify": ticket.status == TicketStatus.RESOLVED,
            "can_reopen": ticket.status == TicketStatus.RESOLVED,
            "can_unclaim": ticket.claimable
            and ticket.owner_id is not None
            and not ticket.is_closed,
            "can_reassign": ticket.status != TicketStatus.VERIFIED,
            "transition_url": self._url("transition", ticket.pk),
            "verify_url": self._url("verify", ticket.pk),
            "reopen_url": self._url("reopen", ticket.pk),
            "unclaim_url": self._url("unclaim", ticket.pk),
            "reassign_url": self._url("reassign", ticket.pk),
        }
