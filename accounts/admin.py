"""Staff screens for user accounts: e-mail log-in, no username."""

from __future__ import annotations

import structlog
from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import (
    BaseUserCreationForm,
    SetUnusablePasswordMixin,
)
from django.contrib.auth.forms import UserChangeForm as DjangoUserChangeForm
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User

logger = structlog.get_logger("practiceops.accounts")

admin.site.site_header = "PracticeOps administration"
admin.site.site_title = "PracticeOps admin"
admin.site.index_title = "Staff console"


class UserCreationForm(SetUnusablePasswordMixin, BaseUserCreationForm):
    """Django's admin creation form for a user who logs in with an e-mail address."""

    usable_password = SetUnusablePasswordMixin.create_usable_password_field()

    class Meta:
        model = User
        fields = ("email", "display_name")

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["password1"].required = False
        self.fields["password2"].required = False

    def clean_email(self) -> str:
        # Stored lower-case (a check constraint insists), so the uniqueness check is exact.
        email = User.objects.normalize_email(self.cleaned_data.get("email"))
        if User.objects.filter(email=email).exists():
            raise forms.ValidationError("A user with that e-mail address already exists.")
        return email


class UserChangeForm(DjangoUserChangeForm):
    class Meta:
        model = User
        fields = "__all__"

    def clean_email(self) -> str:
        email = User.objects.normalize_email(self.cleaned_data.get("email"))
        taken = User.objects.filter(email=email).exclude(pk=self.instance.pk).exists()
        if taken:
            raise forms.ValidationError("A user with that e-mail address already exists.")
        return email


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserChangeForm
    add_form = UserCreationForm
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Profile", {"fields": ("display_name",)}),
        (
            "Permissions",
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        ("Dates", {"fields": ("last_login", "created_at", "updated_at")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    "email",
                    "display_name",
                    "usable_password",
                    "password1",
                    "password2",
                ),
            },
        ),
    )
    readonly_fields = ("last_login", "created_at", "updated_at")
    list_display = (
        "email",
        "display_name",
        "team_count",
        "is_active",
        "is_staff",
        "last_login",
        "created_at",
    )
    list_filter = ("is_active", "is_staff", "is_superuser", "created_at")
    search_fields = ("email", "display_name")
    ordering = ("email",)
    filter_horizontal = ("groups", "user_permissions")
    actions = ("activate_users", "deactivate_users")

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        return (
            super().get_queryset(request).annotate(_team_count=Count("memberships", distinct=True))
        )

    @admin.display(description="Teams", ordering="_team_count")
    def team_count(self, obj: User) -> int:
        return obj._team_count

    @admin.action(description="Activate selected users", permissions=["change"])
    def activate_users(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        self._set_active(request, queryset, active=True)

    @admin.action(description="Deactivate selected users", permissions=["change"])
    def deactivate_users(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        self._set_active(request, queryset, active=False)

    def _set_active(self, request: HttpRequest, queryset: QuerySet[User], *, active: bool) -> None:
        users = list(queryset.exclude(is_active=active))
        if not active and any(user.pk == request.user.pk for user in users):
            # Locking oneself out of the console mid-action helps nobody.
            self.message_user(
                request, "You cannot deactivate your own account.", level=messages.ERROR
            )
            users = [user for user in users if user.pk != request.user.pk]
        for user in users:
            # Saved one by one (not a bulk update) so the admin log names each user.
            user.is_active = active
            user.save(update_fields=["is_active", "updated_at"])
            self.log_change(request, user, "Activated" if active else "Deactivated")
            logger.info(
                "user_activated" if active else "user_deactivated",
                user_id=str(user.pk),
                staff_user_id=str(request.user.pk),
            )
        verb = "activated" if active else "deactivated"
        self.message_user(request, f"{len(users)} user(s) {verb}.", level=messages.SUCCESS)


# django-otp's own device admin shows (and lets staff edit) other people's TOTP secrets; here a
# device is only listed and deleted. Deleting one resets that person's second factor: they
# enrol a new authenticator (and get new recovery codes) at their next sign-in.
admin.site.unregister(TOTPDevice)


@admin.register(TOTPDevice)
class StaffAuthenticatorAdmin(admin.ModelAdmin):
    list_display = ("user", "name", "confirmed", "created_at", "last_used_at")
    list_filter = ("confirmed", "created_at", "last_used_at")
    list_select_related = ("user",)
    search_fields = ("user__email", "user__display_name")
    fields = ("user", "name", "confirmed", "created_at", "last_used_at")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
