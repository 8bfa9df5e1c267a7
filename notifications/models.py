from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from practiceops.core.models import TimeStampedModel, UUIDModel
from teams.models import Team

# The effective preferences of a member who never saved any (domain.md).
PREFERENCE_DEFAULTS = {
    "email_enabled": True,
    "deadline_reminder_hours": 24,
    "no_log_days": 3,
    "weekly_digest_enabled": True,
}
DEADLINE_REMINDER_HOURS_RANGE = (1, 168)
NO_LOG_DAYS_RANGE = (1, 30)


class NotificationPreference(TimeStampedModel):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    team = models.ForeignKey(
        Team, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    email_enabled = models.BooleanField(default=PREFERENCE_DEFAULTS["email_enabled"])
    deadline_reminder_hours = models.PositiveSmallIntegerField(
        default=PREFERENCE_DEFAULTS["deadline_reminder_hours"]
    )
    no_log_days = models.PositiveSmallIntegerField(default=PREFERENCE_DEFAULTS["no_log_days"])
    weekly_digest_enabled = models.BooleanField(
        default=PREFERENCE_DEFAULTS["weekly_digest_enabled"]
    )

    class Meta:
        db_table = "notification_preferences"
        constraints = [
            models.UniqueConstraint(
                fields=["user", "team"], name="notification_preferences_unique_user_team"
            ),
            models.CheckConstraint(
                condition=models.Q(
                    deadline_reminder_hours__gte=DEADLINE_REMINDER_HOURS_RANGE[0],
                    deadline_reminder_hours__lte=DEADLINE_REMINDER_HOURS_RANGE[1],
                ),
                name="notification_preferences_deadline_hours_range",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    no_log_days__gte=NO_LOG_DAYS_RANGE[0], no_log_days__lte=NO_LOG_DAYS_RANGE[1]
                ),
                name="notification_preferences_no_log_days_range",
            ),
        ]
        indexes = [models.Index(fields=["team", "email_enabled"], name="notifpref_team_email")]

    def __str__(self) -> str:
        return f"Preferences of {self.user_id} in {self.team_id}"


class EmailStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    SUPPRESSED = "suppressed", "Suppressed"


class JobTrigger(models.TextChoices):
    SCHEDULE = "schedule", "Schedule"
    MANUAL = "manual", "Manual"


class JobStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    SUCCESS = "success", "Success"
    FAILURE = "failure", "Failure"


class JobRun(UUIDModel):
    job_name = models.CharField(max_length=64)
    trigger = models.CharField(max_length=10, choices=JobTrigger.choices)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    error = models.TextField(null=True, blank=True)
    # {considered, queued, skipped, sent, failed}: sent/failed grow as the run's e-mails go out.
    stats = models.JSONField(default=dict, blank=True)
    # The X-Request-ID of the manual trigger, carried into the worker's log lines.
    request_id = models.CharField(max_length=64, null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        db_table = "job_runs"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(trigger__in=JobTrigger.values), name="job_runs_trigger_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=JobStatus.values), name="job_runs_status_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["created_at", "id"], name="jobrun_created"),
            models.Index(fields=["job_name", "created_at"], name="jobrun_name_created"),
            models.Index(fields=["status", "created_at"], name="jobrun_status_created"),
        ]

    def __str__(self) -> str:
        return f"{self.job_name} {self.status} ({self.id})"


class EmailDelivery(UUIDModel):
    """One e-mail the product decided to send: the outbox row and its delivery history."""

    kind = models.CharField(max_length=40)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="email_deliveries",
    )
    team = models.ForeignKey(
        Team, on_delete=models.CASCADE, null=True, blank=True, related_name="email_deliveries"
    )
    job_run = models.ForeignKey(
        JobRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="deliveries"
    )
    # What makes a job run twice, retried or started by two beats send nothing twice.
    dedupe_key = models.CharField(max_length=255, unique=True)
    to = models.EmailField(max_length=254)
    subject = models.CharField(max_length=255)
    template = models.CharField(max_length=100)
    context = models.JSONField(default=dict, blank=True)
    status = models.CharField(
        max_length=12, choices=EmailStatus.choices, default=EmailStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # A pending row is sent no earlier than this (retries back off exponentially).
    next_attempt_at = models.DateTimeField(default=timezone.now)
    # Set by the conditional UPDATE that hands a row to exactly one sender; expires so a
    # row claimed by a worker that died is picked up again.
    claim_token = models.UUIDField(null=True, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        db_table = "email_deliveries"
        verbose_name_plural = "email deliveries"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=EmailStatus.values),
                name="email_deliveries_status_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="delivery_status_next"),
            models.Index(fields=["job_run", "status"], name="delivery_run_status"),
            models.Index(
                fields=["user", "team", "created_at", "id"], name="delivery_user_team_created"
            ),
            models.Index(
                fields=["user", "team", "kind", "created_at"], name="delivery_user_team_kind"
            ),
            models.Index(fields=["claim_token"], name="delivery_claim_token"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} to {self.to} ({self.status})"
