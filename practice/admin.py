"""Staff screens for assignments and practice logs."""

from __future__ import annotations

from django.contrib import admin
from django.db import transaction
from django.http import HttpRequest

from practice.models import Assignment, PracticeLog
from practice.services import practice_log_rollup_moved, practice_log_rollup_removed


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = (
        "title",
        "team",
        "cycle",
        "type",
        "scope",
        "section",
        "priority",
        "due_at",
        "created_by",
    )
    list_select_related = ("cycle__team", "created_by")
    list_filter = ("type", "scope", "priority", "cycle__team", "due_at")
    search_fields = ("title", "song_ref", "notes", "section", "cycle__name", "cycle__team__name")
    autocomplete_fields = ("cycle",)
    date_hierarchy = "due_at"
    ordering = ("-created_at",)
    fields = (
        "cycle",
        "title",
        "type",
        "scope",
        "section",
        "priority",
        "song_ref",
        "notes",
        "due_at",
        "created_by",
        "created_at",
        "updated_at",
    )
    readonly_fields = ("created_by", "created_at", "updated_at")

    @admin.display(description="Team", ordering="cycle__team__name")
    def team(self, obj: Assignment) -> str:
        return obj.cycle.team.name

    def get_readonly_fields(self, request: HttpRequest, obj: Assignment | None = None):  # type: ignore[no-untyped-def]
        # Practice logs of the cycle's team link this assignment; it stays in that cycle.
        return (*self.readonly_fields, "cycle") if obj else self.readonly_fields

    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(PracticeLog)
class PracticeLogAdmin(admin.ModelAdmin):
    """Logs are written by members through the API; staff may correct one, not invent one."""

    list_display = (
        "occurred_at",
        "user",
        "team",
        "cycle",
        "duration_minutes",
        "rating_1_5",
        "blocked_flag",
    )
    list_select_related = ("user", "team", "cycle")
    list_filter = ("team", "blocked_flag", "rating_1_5", "occurred_at")
    search_fields = ("user__email", "user__display_name", "team__name", "notes")
    date_hierarchy = "occurred_at"
    ordering = ("-occurred_at",)
    raw_id_fields = ("assignments",)
    fields = (
        "user",
        "team",
        "cycle",
        "occurred_at",
        "duration_minutes",
        "rating_1_5",
        "blocked_flag",
        "notes",
        "assignments",
        "created_at",
        "updated_at",
    )
    readonly_fields = ("user", "team", "cycle", "created_at", "updated_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    # The rollups follow every correction, in the admin's own transaction (its change and
    # delete views run in one; the bulk delete action is wrapped here).
    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        stored = (
            PracticeLog.objects.select_for_update(of=("self",))
            .filter(pk=obj.pk)
            .values_list("occurred_at", "duration_minutes")
            .first()
        )
        super().save_model(request, obj, form, change)
        if stored is not None:
            practice_log_rollup_moved(obj, stored)

    def delete_model(self, request, obj):  # type: ignore[no-untyped-def]
        with transaction.atomic():
            stored = PracticeLog.objects.select_for_update(of=("self",)).filter(pk=obj.pk).first()
            if stored is not None:
                practice_log_rollup_removed(stored)
            super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):  # type: ignore[no-untyped-def]
        with transaction.atomic():
            for stored in queryset.select_for_update(of=("self",)).order_by("pk"):
                practice_log_rollup_removed(stored)
            super().delete_queryset(request, queryset)
