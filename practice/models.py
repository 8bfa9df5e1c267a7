from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Case, IntegerField, Value, When

from practiceops.core.models import TimeStampedModel
from teams.models import SECTION_MAX_LENGTH, RehearsalCycle, Team


class Priority(models.TextChoices):
    LOW = "LOW", "Low"
    MEDIUM = "MEDIUM", "Medium"
    BLOCKING = "BLOCKING", "Blocking"


def priority_rank(field: str = "priority") -> Case:
    """0 for BLOCKING, 1 for MEDIUM, 2 for LOW: ascending order puts BLOCKING first."""
    return Case(
        When(**{field: Priority.BLOCKING}, then=Value(0)),
        When(**{field: Priority.MEDIUM}, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )


class AssignmentType(models.TextChoices):
    SONG_WORK = "SONG_WORK", "Song work"
    TECHNIQUE = "TECHNIQUE", "Technique"
    MEMORIZATION = "MEMORIZATION", "Memorization"
    LISTENING = "LISTENING", "Listening"


class AssignmentScope(models.TextChoices):
    TEAM = "TEAM", "Team"
    SECTION = "SECTION", "Section"


class Assignment(TimeStampedModel):
    cycle = models.ForeignKey(RehearsalCycle, on_delete=models.CASCADE, related_name="assignments")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    type = models.CharField(max_length=20, choices=AssignmentType.choices)
    scope = models.CharField(max_length=10, choices=AssignmentScope.choices)
    priority = models.CharField(max_length=10, choices=Priority.choices, default=Priority.LOW)
    section = models.CharField(max_length=SECTION_MAX_LENGTH, null=True, blank=True)
    title = models.CharField(max_length=200)
    song_ref = models.CharField(max_length=100, null=True, blank=True)
    notes = models.TextField(max_length=2000, null=True, blank=True)
    due_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "assignments"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(type__in=AssignmentType.values), name="assignments_type_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(scope__in=AssignmentScope.values), name="assignments_scope_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(priority__in=Priority.values), name="assignments_priority_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(title__length__gte=1), name="assignments_title_not_empty"
            ),
            # A SECTION assignment names its section; a TEAM one has none.
            models.CheckConstraint(
                condition=(models.Q(scope="SECTION", section__isnull=False) & ~models.Q(section=""))
                | models.Q(scope="TEAM", section__isnull=True),
                name="assignments_section_matches_scope",
            ),
        ]
        indexes = [
            models.Index(fields=["cycle", "scope", "section"], name="assignment_cycle_scope")
        ]

    def __str__(self) -> str:
        return self.title


class PracticeLog(TimeStampedModel):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="practice_logs"
    )
    # team and cycle lead the composite indexes below, which serve their lookups and cascades:
    # no single-column index of their own to keep up on every write.
    team = models.ForeignKey(
        Team, on_delete=models.CASCADE, related_name="practice_logs", db_index=False
    )
    # Kept (as null) when its cycle is deleted.
    cycle = models.ForeignKey(
        RehearsalCycle,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="practice_logs",
        db_index=False,
    )
    duration_minutes = models.PositiveSmallIntegerField()
    rating_1_5 = models.PositiveSmallIntegerField(null=True, blank=True)
    blocked_flag = models.BooleanField(default=False)
    notes = models.TextField(max_length=2000, null=True, blank=True)
    occurred_at = models.DateTimeField()
    assignments = models.ManyToManyField(
        Assignment, blank=True, related_name="practice_logs", db_table="practice_log_assignments"
    )

    class Meta:
        db_table = "practice_logs"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(duration_minutes__gte=1, duration_minutes__lte=600),
                name="practice_logs_duration_range",
            ),
            models.CheckConstraint(
                condition=models.Q(rating_1_5__isnull=True)
                | models.Q(rating_1_5__gte=1, rating_1_5__lte=5),
                name="practice_logs_rating_range",
            ),
        ]
        indexes = [
            # Covering: the dashboards' window figures are an index-only scan (PostgreSQL).
            models.Index(
                fields=["team", "occurred_at"],
                include=["user", "duration_minutes"],
                name="practicelog_team_occ_cover",
            ),
            models.Index(fields=["team", "user", "occurred_at"], name="practicelog_team_user_occ"),
            models.Index(fields=["cycle", "occurred_at"], name="practicelog_cycle_occurred"),
            # A section's logs of a cycle: each member's rows at once (a cycle-wide scan
            # would be filtered member by member).
            models.Index(
                fields=["cycle", "user", "occurred_at"], name="practicelog_cycle_user_occ"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.duration_minutes} min by {self.user_id}"


class PracticeDay(models.Model):
    """Practice per member per team-local day: the rollup the dashboards, compliance insights
    and digests read instead of the logs (practice/rollups.py keeps it, in the transaction of
    every practice-log write; ``manage.py rebuild_practice_rollups`` rebuilds it).

    ``day`` is the calendar day of ``occurred_at`` in the team's timezone; a timezone change
    rebuilds the team's rows. A row exists only while ``sessions`` > 0.
    """

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+", db_index=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="practice_days",
        db_index=False,
    )
    day = models.DateField()
    minutes = models.IntegerField()
    sessions = models.IntegerField()

    class Meta:
        db_table = "practice_days"
        constraints = [
            # Also the index of every reader: a member's days, or a team's members' days in a
            # window (team, user, day range).
            models.UniqueConstraint(fields=["team", "user", "day"], name="practice_days_key"),
        ]
        indexes = [
            # Deleting a user cascades here: its days without a scan.
            models.Index(fields=["user"], name="practice_days_user"),
        ]

    def __str__(self) -> str:
        return f"{self.day}: {self.minutes} min in {self.sessions} sessions by {self.user_id}"
