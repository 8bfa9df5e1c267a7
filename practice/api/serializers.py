from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rest_framework import serializers

from practice.models import AssignmentScope, AssignmentType, Priority
from practiceops.core.fields import (
    StrictBooleanField,
    StrictCharField,
    StrictChoiceField,
    StrictDateTimeField,
    StrictIntegerField,
    StrictUUIDField,
)
from teams.models import SECTION_MAX_LENGTH

MAX_LINKED_IDS = 100

# --- Assignments -------------------------------------------------------------------------------


class AssignmentCreateInput(serializers.Serializer):
    title = StrictCharField(min_length=1, max_length=200)
    type = StrictChoiceField(choices=AssignmentType.choices)
    scope = StrictChoiceField(choices=AssignmentScope.choices)
    section = StrictCharField(
        max_length=SECTION_MAX_LENGTH, required=False, allow_null=True, allow_blank=True
    )
    priority = StrictChoiceField(choices=Priority.choices, default=Priority.LOW)
    song_ref = StrictCharField(max_length=100, required=False, allow_null=True, allow_blank=True)
    notes = StrictCharField(max_length=2000, required=False, allow_null=True, allow_blank=True)


class AssignmentUpdateInput(serializers.Serializer):
    title = StrictCharField(min_length=1, max_length=200, required=False)
    type = StrictChoiceField(choices=AssignmentType.choices, required=False)
    priority = StrictChoiceField(choices=Priority.choices, required=False)
    section = StrictCharField(
        max_length=SECTION_MAX_LENGTH, required=False, allow_null=True, allow_blank=True
    )
    song_ref = StrictCharField(max_length=100, required=False, allow_null=True, allow_blank=True)
    notes = StrictCharField(max_length=2000, required=False, allow_null=True, allow_blank=True)


class AssignmentOutput(serializers.Serializer):
    id = serializers.UUIDField()
    cycle_id = serializers.UUIDField()
    created_by = serializers.UUIDField(source="created_by_id", allow_null=True)
    type = serializers.CharField()
    scope = serializers.CharField()
    priority = serializers.CharField()
    section = serializers.CharField(allow_null=True)
    title = serializers.CharField()
    song_ref = serializers.CharField(allow_null=True)
    notes = serializers.CharField(allow_null=True)
    due_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class AssignmentEnvelope(serializers.Serializer):
    assignment = AssignmentOutput()


class AssignmentPage(serializers.Serializer):
    items = AssignmentOutput(many=True)
    next_cursor = serializers.CharField(allow_null=True)


# --- Practice logs -----------------------------------------------------------------------------


def _id_list() -> serializers.ListField:
    return serializers.ListField(child=StrictUUIDField(), max_length=MAX_LINKED_IDS, required=False)


class PracticeLogInput(serializers.Serializer):
    """The body of POST (and, partially, PATCH); ``duration_min`` is stored as duration_minutes."""

    occurred_at = StrictDateTimeField(required=False, allow_null=True)
    duration_min = StrictIntegerField(min_value=1, max_value=600)
    notes = StrictCharField(max_length=2000, required=False, allow_null=True, allow_blank=True)
    rating_1_5 = StrictIntegerField(min_value=1, max_value=5, required=False, allow_null=True)
    blocked_flag = StrictBooleanField(required=False)
    assignment_ids = _id_list()
    ticket_ids = _id_list()

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        # ListField accepts a JSON object for a list (it reads it as a form); JSON wants a list.
        if isinstance(data, dict):
            for name in ("assignment_ids", "ticket_ids"):
                if name in data and not isinstance(data[name], list):
                    raise serializers.ValidationError({name: ["Must be a list of ids."]})
        values = super().to_internal_value(data)
        if "duration_min" in values:
            values["duration_minutes"] = values.pop("duration_min")
        return values


class LinkedAssignmentOutput(serializers.Serializer):
    id = serializers.UUIDField()
    title = serializers.CharField()
    type = serializers.CharField()


class LinkedTicketOutput(serializers.Serializer):
    id = serializers.UUIDField()
    title = serializers.CharField()
    status = serializers.CharField()


class PracticeLogOutput(serializers.Serializer):
    """A practice log (documentation; ``practice_log_data`` builds the JSON)."""

    id = serializers.UUIDField()
    user_id = serializers.UUIDField()
    team_id = serializers.UUIDField()
    cycle_id = serializers.UUIDField(allow_null=True)
    duration_minutes = serializers.IntegerField()
    rating_1_5 = serializers.IntegerField(allow_null=True)
    blocked_flag = serializers.BooleanField()
    notes = serializers.CharField(allow_null=True)
    occurred_at = serializers.DateTimeField()
    created_at = serializers.DateTimeField()
    assignments = LinkedAssignmentOutput(many=True)
    tickets = LinkedTicketOutput(many=True)


def practice_log_data(row: Mapping[str, Any], links: Mapping[str, Any]) -> dict[str, Any]:
    """A practice log's JSON from its ``PRACTICE_LOG_FIELDS`` row and its visible links.

    Plain dicts rather than PracticeLogOutput's field machinery: list pages are bound by
    serialization, not by the database.
    """
    return {**row, "assignments": links["assignments"], "tickets": links["tickets"]}


class SuggestedTicketOutput(serializers.Serializer):
    title_suggestion = serializers.CharField()
    due_date = serializers.DateField(allow_null=True)
    visibility_default = serializers.CharField()
    priority_default = serializers.CharField()
    category_default = serializers.CharField()


class PracticeLogCreateOutput(serializers.Serializer):
    practice_log = PracticeLogOutput()
    suggested_ticket = SuggestedTicketOutput(allow_null=True)


class PracticeLogEnvelope(serializers.Serializer):
    practice_log = PracticeLogOutput()


class PracticeLogPage(serializers.Serializer):
    items = PracticeLogOutput(many=True)
    next_cursor = serializers.CharField(allow_null=True)
