from __future__ import annotations

from typing import Any

from rest_framework import serializers

from notifications.models import (
    DEADLINE_REMINDER_HOURS_RANGE,
    NO_LOG_DAYS_RANGE,
    EmailStatus,
    JobRun,
    JobStatus,
    JobTrigger,
)
from practiceops.core.fields import StrictBooleanField, StrictIntegerField


class PreferencesInput(serializers.Serializer):
    email_enabled = StrictBooleanField(required=False)
    deadline_reminder_hours = StrictIntegerField(
        required=False,
        min_value=DEADLINE_REMINDER_HOURS_RANGE[0],
        max_value=DEADLINE_REMINDER_HOURS_RANGE[1],
    )
    no_log_days = StrictIntegerField(
        required=False, min_value=NO_LOG_DAYS_RANGE[0], max_value=NO_LOG_DAYS_RANGE[1]
    )
    weekly_digest_enabled = StrictBooleanField(required=False)


class PreferencesOutput(serializers.Serializer):
    email_enabled = serializers.BooleanField()
    deadline_reminder_hours = serializers.IntegerField()
    no_log_days = serializers.IntegerField()
    weekly_digest_enabled = serializers.BooleanField()


class NotificationOutput(serializers.Serializer):
    id = serializers.UUIDField()
    kind = serializers.CharField()
    subject = serializers.CharField()
    status = serializers.ChoiceField(choices=EmailStatus.choices)
    sent_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()


class NotificationPageOutput(serializers.Serializer):
    items = NotificationOutput(many=True)
    next_cursor = serializers.CharField(allow_null=True)


class UnsubscribeOutput(serializers.Serializer):
    email = serializers.CharField()
    team_id = serializers.UUIDField()
    team_name = serializers.CharField()
    kind = serializers.CharField()
    setting = serializers.CharField(allow_null=True, help_text="The preference the link turns off")
    enabled = serializers.BooleanField(allow_null=True, help_text="That preference's current value")
    unsubscribed = serializers.BooleanField()
    message = serializers.CharField()


class JobStatsOutput(serializers.Serializer):
    considered = serializers.IntegerField()
    queued = serializers.IntegerField()
    skipped = serializers.IntegerField()
    sent = serializers.IntegerField()
    failed = serializers.IntegerField()


class JobRunOutput(serializers.Serializer):
    id = serializers.UUIDField()
    job_name = serializers.CharField()
    trigger = serializers.ChoiceField(choices=JobTrigger.choices)
    status = serializers.ChoiceField(choices=JobStatus.choices)
    requested_by = serializers.UUIDField(allow_null=True)
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    duration_ms = serializers.IntegerField(allow_null=True)
    error = serializers.CharField(allow_null=True)
    stats = JobStatsOutput()
    created_at = serializers.DateTimeField()


class JobRunEnvelope(serializers.Serializer):
    run = JobRunOutput()


class JobRunPageOutput(serializers.Serializer):
    items = JobRunOutput(many=True)
    next_cursor = serializers.CharField(allow_null=True)


class LastRunOutput(serializers.Serializer):
    id = serializers.UUIDField()
    status = serializers.ChoiceField(choices=JobStatus.choices)
    trigger = serializers.ChoiceField(choices=JobTrigger.choices)
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    duration_ms = serializers.IntegerField(allow_null=True)
    error = serializers.CharField(allow_null=True)
    stats = JobStatsOutput()


class JobOutput(serializers.Serializer):
    name = serializers.CharField()
    description = serializers.CharField()
    schedule = serializers.CharField(
        allow_null=True, help_text="Crontab (minute hour day month weekday), UTC"
    )
    enabled = serializers.BooleanField()
    next_run_at = serializers.DateTimeField(allow_null=True)
    last_run = LastRunOutput(allow_null=True)


class JobListOutput(serializers.Serializer):
    jobs = JobOutput(many=True)


STATS_KEYS = ("considered", "queued", "skipped", "sent", "failed")


def stats_output(stats: dict[str, Any] | None) -> dict[str, int]:
    """The five counts every run has, then any a job adds (``released`` for stale claims)."""
    stats = stats or {}
    counts = {key: int(stats.get(key, 0)) for key in STATS_KEYS}
    counts.update({key: value for key, value in stats.items() if key not in counts})
    return counts


def job_run_output(run: JobRun) -> dict[str, Any]:
    """A run as the API shows it (plain values; the JSON renderer writes timestamps with Z)."""
    return {
        "id": run.id,
        "job_name": run.job_name,
        "trigger": run.trigger,
        "status": run.status,
        "requested_by": run.requested_by_id,
        "started_at": run.started_at,
        "finished_at": run.finished_at,
        "duration_ms": run.duration_ms,
        "error": run.error,
        "stats": stats_output(run.stats),
        "created_at": run.created_at,
    }


def last_run_output(run: JobRun | None) -> dict[str, Any] | None:
    if run is None:
        return None
    return {
        "id": run.id,
        "status": run.status,
        "trigger": run.trigger,
        "started_at": run.started_at,
        "finished_at": run.finished_at,
        "duration_ms": run.duration_ms,
        "error": run.error,
        "stats": stats_output(run.stats),
    }
