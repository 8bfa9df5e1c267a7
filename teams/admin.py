"""Staff screens for teams, their memberships, invites and rehearsal cycles."""

from __future__ import annotations

import datetime

from django import forms
from django.contrib import admin, messages
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from practiceops.core.errors import ApiError, ValidationFailed
from teams.models import Invite, Membership, RehearsalCycle, Team
from teams.services import invite_revoke, team_timezone_changed, timezone_validate


class TeamForm(forms.ModelForm):
    class Meta:
        model = Team
        fields = ("name", "timezone", "weekly_goal_days")

    def clean_timezone(self) -> str:
        # The API's rule: Team.tzinfo would silently fall back to UTC for an unknown name.
        try:
            return timezone_validate((self.cleaned_data.get("timezone") or "").strip())
        except ValidationFailed as exc:
            raise forms.ValidationError(exc.message)


class MembershipInline(admin.TabularInline):
    model = Membership
    fields = ("user", "role", "section", "created_at")
    readonly_fields = ("created_at",)
    autocomplete_fields = ("user",)
    extra = 0

    def get_queryset(self, request: HttpRequest) -> QuerySet[Membership]:
        return (
            super().get_queryset(request).select_related("user").order_by("section", "user__email")
        )


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    form = TeamForm
    list_display = ("name", "timezone", "weekly_goal_days", "member_count", "created_at")
    list_filter = ("timezone", "weekly_goal_days", "created_at")
    search_fields = ("name",)
    ordering = ("name",)
    readonly_fields = ("created_at", "updated_at")
    fields = ("name", "timezone", "weekly_goal_days", "created_at", "updated_at")
    inlines = (MembershipInline,)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Team]:
        return super().get_queryset(request).annotate(_member_count=Count("memberships"))

    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        super().save_model(request, obj, form, change)
        # The admin's change view runs in one transaction: the rebuild joins it.
        if change and "timezone" in form.changed_data:
            team_timezone_changed(obj)

    @admin.display(description="Members", ordering="_member_count")
    def member_count(self, obj: Team) -> int:
        return obj._member_count


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "user_name", "team", "role", "section", "created_at")
    list_select_related = ("user", "team")
    list_filter = ("role", "team", "section")
    search_fields = ("user__email", "user__display_name", "team__name", "section")
    autocomplete_fields = ("user", "team")
    # The calendar-feed token hash stays out of every screen, like the invite token's.
    fields = ("team", "user", "role", "section", "created_at", "updated_at")
    readonly_fields = ("created_at", "updated_at")
    ordering = ("team__name", "section", "user__email")

    def get_readonly_fields(self, request: HttpRequest, obj: Membership | None = None):  # type: ignore[no-untyped-def]
        # A membership is one person in one team: moving it would be a different membership.
        return (*self.readonly_fields, "team", "user") if obj else self.readonly_fields

    @admin.display(description="Name", ordering="user__display_name")
    def user_name(self, obj: Membership) -> str:
        return obj.user.display_name


class InviteStatus:
    ACTIVE = "active"
    USED = "used"
    EXPIRED = "expired"


def invite_status(invite: Invite, now: datetime.datetime | None = None) -> str:
    if invite.used_at is not None:
        return InviteStatus.USED
    if invite.expires_at <= (now or timezone.now()):
        return InviteStatus.EXPIRED
    return InviteStatus.ACTIVE


class InviteStatusFilter(admin.SimpleListFilter):
    title = "status"
    parameter_name = "status"

    def lookups(self, request, model_admin):  # type: ignore[no-untyped-def]
        return [
            (InviteStatus.ACTIVE, "Active"),
            (InviteStatus.USED, "Used"),
            (InviteStatus.EXPIRED, "Expired"),
        ]

    def queryset(self, request, queryset):  # type: ignore[no-untyped-def]
        now = timezone.now()
        if self.value() == InviteStatus.USED:
            return queryset.filter(used_at__isnull=False)
        if self.value() == InviteStatus.EXPIRED:
            return queryset.filter(used_at__isnull=True, expires_at__lte=now)
        if self.value() == InviteStatus.ACTIVE:
            return queryset.filter(Q(used_at__isnull=True) & Q(expires_at__gt=now))
        return queryset


@admin.register(Invite)
class InviteAdmin(admin.ModelAdmin):
    """Invites are created, accepted and revoked through the API; here they are looked at.

    The token hash is never shown: ``fields`` leaves it out of every screen.
    """

    list_display = (
        "team",
        "email",
        "role",
        "section",
        "status",
        "expires_at",
        "used_by",
        "created_by",
        "created_at",
    )
    list_select_related = ("team", "used_by", "created_by")
    list_filter = (InviteStatusFilter, "role", "team", "created_at")
    search_fields = ("email", "team__name", "section", "used_by__email", "created_by__email")
    fields = (
        "team",
        "email",
        "role",
        "section",
        "status",
        "expires_at",
        "used_at",
        "used_by",
        "created_by",
        "created_at",
    )
    readonly_fields = fields
    ordering = ("-created_at",)
    actions = ("revoke_invites",)

    @admin.display(description="Status")
    def status(self, obj: Invite) -> str:
        return invite_status(obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        # The raw token is shown once at creation, by the API; an admin-made invite has none.
        return False

    def has_change_permission(self, request: HttpRequest, obj: Invite | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Invite | None = None) -> bool:
        # Removing an invite is revoking it: through the service, which refuses a used one.
        return False

    @admin.action(description="Revoke selected unused invites", permissions=["revoke"])
    def revoke_invites(self, request: HttpRequest, queryset: QuerySet[Invite]) -> None:
        revoked = 0
        for invite in queryset.select_related("team"):
            try:
                invite_revoke(invite=invite, revoked_by=request.user)
            except ApiError as exc:
                self.message_user(
                    request,
                    f"Invite to {invite.team} ({invite.email or 'anyone'}): {exc.message}",
                    level=messages.ERROR,
                )
            else:
                revoked += 1
        if revoked:
            self.message_user(request, f"{revoked} invite(s) revoked.", level=messages.SUCCESS)

    def has_revoke_permission(self, request: HttpRequest) -> bool:
        opts = self.opts
        return request.user.has_perm(f"{opts.app_label}.delete_{opts.model_name}")


@admin.register(RehearsalCycle)
class RehearsalCycleAdmin(admin.ModelAdmin):
    list_display = ("name", "team", "date", "created_at")
    list_select_related = ("team",)
    list_filter = ("team", "date")
    search_fields = ("name", "team__name")
    autocomplete_fields = ("team",)
    date_hierarchy = "date"
    ordering = ("-date", "team__name")
    fields = ("team", "name", "date", "created_at", "updated_at")
    readonly_fields = ("created_at", "updated_at")

    def get_readonly_fields(self, request: HttpRequest, obj: RehearsalCycle | None = None):  # type: ignore[no-untyped-def]
        # Its assignments, logs and tickets belong to the cycle's team.
        return (*self.readonly_fields, "team") if obj else self.readonly_fields
