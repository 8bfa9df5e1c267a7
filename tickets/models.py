from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from practice.models import PracticeLog, Priority
from practiceops.core.models import TimeStampedModel, UUIDModel
from teams.models import SECTION_MAX_LENGTH, RehearsalCycle, Team


class TicketCategory(models.TextChoices):
    PITCH = "PITCH", "Pitch"
    RHYTHM = "RHYTHM", "Rhythm"
    MEMORY = "MEMORY", "Memory"
    BLEND = "BLEND", "Blend"
    TECHNIQUE = "TECHNIQUE", "Technique"
    OTHER = "OTHER", "Other"


class TicketVisibility(models.TextChoices):
    PRIVATE = "PRIVATE", "Private"
    SECTION = "SECTION", "Section"
    TEAM = "TEAM", "Team"


class TicketStatus(models.TextChoices):
    OPEN = "OPEN", "Open"
    IN_PROGRESS = "IN_PROGRESS", "In progress"
    BLOCKED = "BLOCKED", "Blocked"
    RESOLVED = "RESOLVED", "Resolved"
    VERIFIED = "VERIFIED", "Verified"


class TicketActivityType(models.TextChoices):
    CREATED = "CREATED", "Created"
    COMMENT = "COMMENT", "Comment"
    STATUS_CHANGE = "STATUS_CHANGE", "Status change"
    VERIFIED = "VERIFIED", "Verified"
    CLAIMED = "CLAIMED", "Claimed"
    REASSIGNED = "REASSIGNED", "Reassigned"


class DueBucket(models.TextChoices):
    OVERDUE = "overdue", "Overdue"
    DUE_TODAY = "due_today", "Due today"
    DUE_THIS_WEEK = "due_this_week", "Due this week"
    FUTURE = "future", "Future"
    NO_DUE_DATE = "no_due_date", "No due date"


CLOSED_STATUSES = (TicketStatus.RESOLVED, TicketStatus.VERIFIED)

# The stale-claim job's release is recorded as a REASSIGNED activity with no user whose content
# starts with this prefix: people's unclaims and reassignments carry a user and say "Unclaimed" /
# "Assigned to …". The activity log is append-only, so the record survives a later claim
# (``tickets.selectors.stale_release_q`` is the one filter that reads it).
STALE_RELEASE_PREFIX = "Released automatically:"
STALE_RELEASE_NOTE = STALE_RELEASE_PREFIX + " no activity for {days} days after the claim reminder."


class Ticket(TimeStampedModel):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="tickets")
    # Kept (as null) when its cycle is deleted.
    cycle = models.ForeignKey(
        RehearsalCycle, on_delete=models.SET_NULL, null=True, blank=True, related_name="tickets"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_tickets",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="created_tickets",
    )
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    claimed_at = models.DateTimeField(null=True, blank=True)
    claimable = models.BooleanField(default=False)
    category = models.CharField(max_length=20, choices=TicketCategory.choices)
    priority = models.CharField(max_length=10, choices=Priority.choices, default=Priority.LOW)
    # Read-only outside tickets.services: the state machine is the only writer.
    status = models.CharField(
        max_length=20, choices=TicketStatus.choices, default=TicketStatus.OPEN
    )
    visibility = models.CharField(max_length=10, choices=TicketVisibility.choices)
    section = models.CharField(max_length=SECTION_MAX_LENGTH, null=True, blank=True)
    title = models.CharField(max_length=200)
    description = models.TextField(max_length=2000, null=True, blank=True)
    song_ref = models.CharField(max_length=100, null=True, blank=True)
    measures = models.CharField(max_length=50, null=True, blank=True)
    due_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_note = models.TextField(max_length=2000, null=True, blank=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    verified_note = models.TextField(max_length=2000, null=True, blank=True)
    # Practice time spent on a ticket: practice logs link tickets of the same team.
    practice_logs = models.ManyToManyField(
        PracticeLog, blank=True, related_name="tickets", db_table="practice_log_tickets"
    )

    class Meta:
        db_table = "tickets"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(category__in=TicketCategory.values),
                name="tickets_category_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(priority__in=Priority.values), name="tickets_priority_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=TicketStatus.values), name="tickets_status_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(visibility__in=TicketVisibility.values),
                name="tickets_visibility_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(title__length__gte=1), name="tickets_title_not_empty"
            ),
            models.CheckConstraint(
                condition=~models.Q(visibility="SECTION", section__isnull=True),
                name="tickets_section_visibility_has_section",
            ),
        ]
        indexes = [
            models.Index(fields=["team", "status"], name="ticket_team_status"),
            models.Index(fields=["cycle", "status"], name="ticket_cycle_status"),
            models.Index(fields=["team", "visibility", "section"], name="ticket_team_vis_section"),
            models.Index(fields=["owner", "status"], name="ticket_owner_status"),
            models.Index(fields=["created_by"], name="ticket_created_by"),
            models.Index(fields=["status", "due_at"], name="ticket_status_due"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_terminal(self) -> bool:
        return self.status == TicketStatus.VERIFIED

    @property
    def is_closed(self) -> bool:
        return self.status in CLOSED_STATUSES


class TicketActivity(UUIDModel):
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="activities")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    type = models.CharField(max_length=20, choices=TicketActivityType.choices)
    content = models.TextField(max_length=2000, null=True, blank=True)
    old_status = models.CharField(
        max_length=20, choices=TicketStatus.choices, null=True, blank=True
    )
    new_status = models.CharField(
        max_length=20, choices=TicketStatus.choices, null=True, blank=True
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        db_table = "ticket_activities"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(type__in=TicketActivityType.values),
                name="ticket_activities_type_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["ticket", "created_at", "id"], name="activity_ticket_created")
        ]

    def __str__(self) -> str:
        return f"{self.type} on {self.ticket_id}"
