from __future__ import annotations

import datetime
import zoneinfo

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from practiceops.core.models import TimeStampedModel, UUIDModel

SECTION_MAX_LENGTH = 50


class Role(models.TextChoices):
    MEMBER = "MEMBER", "Member"
    SECTION_LEADER = "SECTION_LEADER", "Section leader"
    ADMIN = "ADMIN", "Admin"


class Team(TimeStampedModel):
    name = models.CharField(max_length=100)
    timezone = models.CharField(max_length=64, default="UTC")
    weekly_goal_days = models.PositiveSmallIntegerField(default=3)

    class Meta:
        db_table = "teams"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(name__length__gte=1), name="teams_name_not_empty"
            ),
            models.CheckConstraint(
                condition=models.Q(weekly_goal_days__gte=1, weekly_goal_days__lte=7),
                name="teams_weekly_goal_days_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def tzinfo(self) -> zoneinfo.ZoneInfo:
        try:
            return zoneinfo.ZoneInfo(self.timezone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            return zoneinfo.ZoneInfo("UTC")

    def today(self) -> datetime.date:
        """Today's date in the team's timezone: what "today", streaks and windows use."""
        return timezone.now().astimezone(self.tzinfo).date()


class Membership(TimeStampedModel):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.MEMBER)
    section = models.CharField(max_length=SECTION_MAX_LENGTH, null=True, blank=True)
    # SHA-256 hex of the member's secret calendar-feed token; the raw token is shown once.
    calendar_token_hash = models.CharField(max_length=64, null=True, blank=True, unique=True)

    class Meta:
        db_table = "team_memberships"
        constraints = [
            models.UniqueConstraint(
                fields=["team", "user"], name="team_memberships_unique_team_user"
            ),
            models.CheckConstraint(
                condition=models.Q(role__in=Role.values), name="team_memberships_role_valid"
            ),
            # "No section" is NULL, never "": section filters and "own section" rely on it.
            models.CheckConstraint(
                condition=models.Q(section__isnull=True) | models.Q(section__length__gte=1),
                name="team_memberships_section_not_empty",
            ),
        ]
        indexes = [
            models.Index(fields=["team", "created_at", "id"], name="membership_team_created"),
            models.Index(fields=["user", "created_at"], name="membership_user_created"),
            models.Index(fields=["team", "section"], name="membership_team_section"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.team_id} as {self.role}"

    @property
    def is_leader(self) -> bool:
        return self.role in (Role.SECTION_LEADER, Role.ADMIN)

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN


class Invite(UUIDModel):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="invites")
    # SHA-256 hex of the raw token; the raw token is shown once, at creation, and never stored.
    token_hash = models.CharField(max_length=64, unique=True)
    email = models.EmailField(max_length=254, null=True, blank=True)
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.MEMBER)
    section = models.CharField(max_length=SECTION_MAX_LENGTH, null=True, blank=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    used_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        db_table = "invites"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(role__in=Role.values), name="invites_role_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(section__isnull=True) | models.Q(section__length__gte=1),
                name="invites_section_not_empty",
            ),
            # Bound addresses are compared with users' e-mails, which are stored lower-case.
            models.CheckConstraint(
                condition=models.Q(email__isnull=True) | models.Q(email=Lower("email")),
                name="invites_email_lowercase",
            ),
        ]
        indexes = [models.Index(fields=["team", "created_at", "id"], name="invite_team_created")]

    def __str__(self) -> str:
        return f"Invite to {self.team_id} ({self.email or 'anyone'})"

    @property
    def is_used(self) -> bool:
        return self.used_at is not None

    @property
    def is_expired(self) -> bool:
        return self.is_used or self.expires_at <= timezone.now()


class RehearsalCycle(TimeStampedModel):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="cycles")
    # The API calls it "label".
    name = models.CharField(max_length=100)
    date = models.DateField()

    class Meta:
        db_table = "rehearsal_cycles"
        constraints = [
            models.UniqueConstraint(
                fields=["team", "date"], name="rehearsal_cycles_unique_team_date"
            ),
            models.CheckConstraint(
                condition=models.Q(name__length__gte=1), name="rehearsal_cycles_name_not_empty"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.date})"

    @staticmethod
    def default_label(date: datetime.date) -> str:
        return f"Rehearsal {date.strftime('%b %d, %Y')}"

    @property
    def date_as_datetime(self) -> datetime.datetime:
        """The cycle date as midnight UTC, the form the API serializes (spec/api.md)."""
        return datetime.datetime.combine(self.date, datetime.time.min, tzinfo=datetime.UTC)
