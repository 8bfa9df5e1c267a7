"""Staff screens for notification preferences, job runs, e-mail deliveries and schedules."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django_celery_beat.admin import PeriodicTaskAdmin as BeatPeriodicTaskAdmin
from django_celery_beat.models import PeriodicTask

from notifications.models import (
    EmailDelivery,
    EmailStatus,
    JobRun,
    JobTrigger,
    NotificationPreference,
)
from notifications.outbox import email_deliveries_retry
from notifications.runner import job_run_start
from notifications.schedules import SCHEDULED_JOB_TASK
from practiceops.core.errors import ApiError, ServiceUnavailable


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = (
        "user",
        "team",
        "email_enabled",
        "weekly_digest_enabled",
        "deadline_reminder_hours",
        "no_log_days",
        "updated_at",
    )
    list_select_related = ("user", "team")
    list_filter = ("email_enabled", "weekly_digest_enabled", "team")
    search_fields = ("user__email", "user__display_name", "team__name")
    autocomplete_fields = ("user", "team")
    ordering = ("team__name", "user__email")
    fields = (
        "user",
        "team",
        "email_enabled",
        "weekly_digest_enabled",
        "deadline_reminder_hours",
        "no_log_days",
        "created_at",
        "updated_at",
    )
    readonly_fields = ("created_at", "updated_at")

    def get_readonly_fields(self, request: HttpRequest, obj: NotificationPreference | None = None):  # type: ignore[no-untyped-def]
        # One row per member and team: the pair is what the row is about.
        return (*self.readonly_fields, "user", "team") if obj else self.readonly_fields


def _request_id(request: HttpRequest) -> str | None:
    return getattr(request, "request_id", None)


def _start_runs(admin_obj: admin.ModelAdmin, request: HttpRequest, job_names: list[str]) -> None:
    """Start one manual run per job, as ``POST /admin/jobs/{name}/run`` does."""
    for name in job_names:
        try:
            run, _ = job_run_start(
                job_name=name,
                trigger=JobTrigger.MANUAL,
                requested_by=request.user,
                request_id=_request_id(request),
            )
        except ApiError as exc:
            admin_obj.message_user(request, f"{name}: {exc.message}", level=messages.ERROR)
        else:
            run.refresh_from_db()
            admin_obj.message_user(
                request,
                f"{name}: run {run.pk} started ({run.get_status_display().lower()}).",
                level=messages.SUCCESS,
            )


@admin.register(JobRun)
class JobRunAdmin(admin.ModelAdmin):
    """The run history: written by the job runner, read here; runs are started by actions."""

    list_display = (
        "job_name",
        "status",
        "trigger",
        "requested_by",
        "created_at",
        "started_at",
        "duration_ms",
        "stats_summary",
    )
    list_select_related = ("requested_by",)
    list_filter = ("status", "trigger", "job_name", "created_at")
    search_fields = ("job_name", "error", "request_id", "id")
    date_hierarchy = "created_at"
    ordering = ("-created_at",)
    fields = (
        "job_name",
        "status",
        "trigger",
        "requested_by",
        "request_id",
        "created_at",
        "started_at",
        "finished_at",
        "duration_ms",
        "stats_pretty",
        "error",
        "deliveries_link",
    )
    readonly_fields = fields
    actions = ("run_again",)

    @admin.display(description="Stats")
    def stats_summary(self, obj: JobRun) -> str:
        stats = obj.stats or {}
        common = ("considered", "queued", "sent", "failed", "skipped")
        # A job's own counts (stale_claim_release's "released") follow the common ones.
        keys = [key for key in common if key in stats]
        keys += sorted(key for key in stats if key not in common)
        return ", ".join(f"{key} {stats[key]}" for key in keys)

    @admin.display(description="Stats")
    def stats_pretty(self, obj: JobRun) -> str:
        return format_html("<pre>{}</pre>", json.dumps(obj.stats or {}, indent=2, sort_keys=True))

    @admin.display(description="E-mails")
    def deliveries_link(self, obj: JobRun) -> str:
        url = reverse("admin:notifications_emaildelivery_changelist")
        return format_html('<a href="{}?job_run={}">E-mails of this run</a>', url, obj.pk)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: JobRun | None = None) -> bool:
        return False

    def has_run_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("django_celery_beat.change_periodictask") or bool(
            request.user.is_superuser
        )

    @admin.action(description="Run the selected runs' jobs again now", permissions=["run"])
    def run_again(self, request: HttpRequest, queryset: QuerySet[JobRun]) -> None:
        names = sorted(set(queryset.values_list("job_name", flat=True)))
        _start_runs(self, request, names)


@admin.register(EmailDelivery)
class EmailDeliveryAdmin(admin.ModelAdmin):
    """The outbox and its history.

    The message context is never shown: an invitation's context holds the raw invite link
    until the e-mail has gone out.
    """

    list_display = (
        "created_at",
        "kind",
        "to",
        "subject",
        "status",
        "attempts",
        "team",
        "job_run",
        "sent_at",
    )
    list_select_related = ("team", "job_run")
    list_filter = ("status", "kind", "team", "created_at")
    search_fields = ("to", "subject", "kind", "dedupe_key", "user__email")
    date_hierarchy = "created_at"
    ordering = ("-created_at",)
    fields = (
        "kind",
        "status",
        "to",
        "subject",
        "user",
        "team",
        "job_run",
        "template",
        "dedupe_key",
        "attempts",
        "last_error",
        "next_attempt_at",
        "sent_at",
        "created_at",
    )
    readonly_fields = fields
    actions = ("retry_failed",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: EmailDelivery | None = None) -> bool:
        return False

    def has_retry_permission(self, request: HttpRequest) -> bool:
        opts = self.opts
        return request.user.has_perm(f"{opts.app_label}.view_{opts.model_name}") and bool(
            request.user.is_staff
        )

    @admin.action(description="Retry selected failed e-mails", permissions=["retry"])
    def retry_failed(self, request: HttpRequest, queryset: QuerySet[EmailDelivery]) -> None:
        selected = list(queryset.values_list("id", "status"))
        failed = [pk for pk, status in selected if status == EmailStatus.FAILED]
        skipped = len(selected) - len(failed)
        if skipped:
            self.message_user(
                request,
                f"{skipped} selected e-mail(s) had not failed and were left alone.",
                level=messages.WARNING,
            )
        if not failed:
            return
        try:
            count = email_deliveries_retry(delivery_ids=failed)
        except ServiceUnavailable:
            # The rows are pending again (committed before the send was queued); the
            # outbox sweep sends them once the queue is back.
            self.message_user(
                request,
                "The e-mails are queued again, but the task queue is unavailable: they go "
                "out with the next outbox sweep.",
                level=messages.WARNING,
            )
            return
        self.message_user(
            request, f"{count} failed e-mail(s) queued again.", level=messages.SUCCESS
        )


admin.site.unregister(PeriodicTask)


@admin.register(PeriodicTask)
class PeriodicTaskAdmin(BeatPeriodicTaskAdmin):
    """django-celery-beat's own admin; "Run" starts a PracticeOps job as a manual run.

    The package's run action would fire the scheduled task, recorded as a scheduled run with
    nobody behind it; a job started by staff is a manual run that names who started it, as
    ``POST /admin/jobs/{name}/run`` records it.
    """

    list_select_related = ("interval", "crontab", "solar", "clocked")

    @admin.action(description="Run selected tasks")
    def run_tasks(self, request: HttpRequest, queryset: QuerySet[PeriodicTask]) -> None:
        jobs: list[str] = []
        others: list[Any] = []
        for task in queryset:
            job_name = _job_name(task)
            if job_name:
                jobs.append(job_name)
            else:
                others.append(task.pk)
        _start_runs(self, request, jobs)
        if others:
            super().run_tasks(request, queryset.filter(pk__in=others))


def _job_name(task: PeriodicTask) -> str | None:
    if task.task != SCHEDULED_JOB_TASK:
        return None
    try:
        kwargs = json.loads(task.kwargs or "{}")
    except ValueError:
        return None
    name = kwargs.get("job_name") if isinstance(kwargs, dict) else None
    return name if isinstance(name, str) else None
