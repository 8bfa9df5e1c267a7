"""Ticket request bodies (strict JSON types) and the response shapes of spec/api.md."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from practice.models import Priority
from practiceops.core.fields import (
    StrictBooleanField,
    StrictCharField,
    StrictChoiceField,
    StrictDateTimeField,
    StrictUUIDField,
)
from teams.models import SECTION_MAX_LENGTH
from tickets.models import (
    Ticket,
    TicketActivity,
    TicketActivityType,
    TicketCategory,
    TicketStatus,
    TicketVisibility,
)


def _optional_text(max_length: int) -> StrictCharField:
    return StrictCharField(max_length=max_length, required=False, allow_null=True, allow_blank=True)


class _SectionMixin:
    def validate_section(self, value: str | None) -> str | None:
        # "" and null both mean "no section".
        return value or None


class TicketCreateInput(_SectionMixin, serializers.Serializer):
    title = StrictCharField(min_length=1, max_length=200)
    description = _optional_text(2000)
    category = StrictChoiceField(choices=TicketCategory.choices)
    song_ref = _optional_text(100)
    measures = _optional_text(50)
    priority = StrictChoiceField(choices=Priority.choices)
    visibility = StrictChoiceField(choices=TicketVisibility.choices)
    section = _optional_text(SECTION_MAX_LENGTH)
    owner_id = StrictUUIDField(required=False, allow_null=True)
    claimable = StrictBooleanField(required=False, default=False)
    due_at = StrictDateTimeField(required=False, allow_null=True)


class TicketUpdateInput(_SectionMixin, serializers.Serializer):
    title = StrictCharField(min_length=1, max_length=200, required=False)
    description = _optional_text(2000)
    category = StrictChoiceField(choices=TicketCategory.choices, required=False)
    song_ref = _optional_text(100)
    measures = _optional_text(50)
    priority = StrictChoiceField(choices=Priority.choices, required=False)
    visibility = StrictChoiceField(choices=TicketVisibility.choices, required=False)
    section = _optional_text(SECTION_MAX_LENGTH)
    due_at = StrictDateTimeField(required=False, allow_null=True)


class TicketTransitionInput(serializers.Serializer):
    to_status = StrictChoiceField(choices=TicketStatus.choices)
    content = StrictCharField(max_length=2000, required=False, allow_null=True, allow_blank=True)


class TicketVerifyInput(serializers.Serializer):
    content = StrictCharField(max_length=2000, required=False, allow_null=True, allow_blank=True)


class TicketReopenInput(serializers.Serializer):
    # Surrounding whitespace is trimmed, so a blank reason is refused as empty.
    reason = StrictCharField(min_length=1, max_length=2000)


class TicketAssignInput(serializers.Serializer):
    owner_id = StrictUUIDField()


class TicketCommentInput(serializers.Serializer):
    content = StrictCharField(min_length=1, max_length=2000)


class TicketOutput(serializers.Serializer):
    """TicketResponse of spec/api.md (documentation; ``ticket_data`` builds the JSON)."""

    id = serializers.UUIDField()
    team_id = serializers.UUIDField()
    cycle_id = serializers.UUIDField(allow_null=True)
    owner_id = serializers.UUIDField(allow_null=True)
    created_by = serializers.UUIDField(allow_null=True)
    claimed_by = serializers.UUIDField(allow_null=True)
    claimed_at = serializers.DateTimeField(allow_null=True)
    claimable = serializers.BooleanField()
    category = serializers.ChoiceField(choices=TicketCategory.choices)
    priority = serializers.ChoiceField(choices=Priority.choices)
    status = serializers.ChoiceField(choices=TicketStatus.choices)
    visibility = serializers.ChoiceField(choices=TicketVisibility.choices)
    section = serializers.CharField(allow_null=True)
    title = serializers.CharField()
    description = serializers.CharField(allow_null=True)
    song_ref = serializers.CharField(allow_null=True)
    measures = serializers.CharField(allow_null=True)
    due_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    resolved_at = serializers.DateTimeField(allow_null=True)
    resolved_note = serializers.CharField(allow_null=True)
    verified_at = serializers.DateTimeField(allow_null=True)
    verified_by = serializers.UUIDField(allow_null=True)
    verified_note = serializers.CharField(allow_null=True)


class TicketEnvelope(serializers.Serializer):
    ticket = TicketOutput()


class TicketPage(serializers.Serializer):
    items = TicketOutput(many=True)
    next_cursor = serializers.CharField(allow_null=True)


class ActivityOutput(serializers.Serializer):
    id = serializers.UUIDField()
    ticket_id = serializers.UUIDField()
    user_id = serializers.UUIDField(allow_null=True)
    user_name = serializers.CharField(allow_null=True)
    type = serializers.ChoiceField(choices=TicketActivityType.choices)
    content = serializers.CharField(allow_null=True)
    old_status = serializers.ChoiceField(choices=TicketStatus.choices, allow_null=True)
    new_status = serializers.ChoiceField(choices=TicketStatus.choices, allow_null=True)
    created_at = serializers.DateTimeField()


class ActivityEnvelope(serializers.Serializer):
    activity = ActivityOutput()


class ActivityPage(serializers.Serializer):
    items = ActivityOutput(many=True)
    next_cursor = serializers.CharField(allow_null=True)


# TicketResponse field -> Ticket attribute. List pages read these columns with values() and
# single-ticket answers read them from the instance: one mapping for both.
TICKET_COLUMNS = {
    "id": "id",
    "team_id": "team_id",
    "cycle_id": "cycle_id",
    "owner_id": "owner_id",
    "created_by": "created_by_id",
    "claimed_by": "claimed_by_id",
    "claimed_at": "claimed_at",
    "claimable": "claimable",
    "category": "category",
    "priority": "priority",
    "status": "status",
    "visibility": "visibility",
    "section": "section",
    "title": "title",
    "description": "description",
    "song_ref": "song_ref",
    "measures": "measures",
    "due_at": "due_at",
    "created_at": "created_at",
    "updated_at": "updated_at",
    "resolved_at": "resolved_at",
    "resolved_note": "resolved_note",
    "verified_at": "verified_at",
    "verified_by": "verified_by_id",
    "verified_note": "verified_note",
}


def ticket_data(ticket: Ticket) -> dict[str, Any]:
    """The TicketResponse JSON of one ticket instance."""
    return {name: getattr(ticket, column) for name, column in TICKET_COLUMNS.items()}


def ticket_rows_data(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """TicketResponse items from ``values(*TICKET_COLUMNS.values())`` rows: list pages are
    serialization-bound, so they skip model instances altogether."""
    columns = TICKET_COLUMNS.items()
    return [{name: row[column] for name, column in columns} for row in rows]


def activity_data(activity: TicketActivity) -> dict[str, Any]:
    """One history item; ``activity.user`` must be loaded (select_related) or None."""
    user = activity.user
    return {
        "id": activity.pk,
        "ticket_id": activity.ticket_id,
        "user_id": activity.user_id,
        "user_name": user.display_name if user is not None else None,
        "type": activity.type,
        "content": activity.content,
        "old_status": activity.old_status,
        "new_status": activity.new_status,
        "created_at": activity.created_at,
    }
