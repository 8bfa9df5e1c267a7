from __future__ import annotations

import datetime
from typing import Any

from rest_framework import serializers

from practiceops.core.fields import (
    StrictCharField,
    StrictChoiceField,
    StrictEmailField,
    StrictIntegerField,
)
from teams.models import SECTION_MAX_LENGTH, Role

# --- input ------------------------------------------------------------------------------------


class TeamCreateInput(serializers.Serializer):
    name = StrictCharField(min_length=1, max_length=100)
    timezone = StrictCharField(max_length=64, required=False)
    weekly_goal_days = StrictIntegerField(min_value=1, max_value=7, required=False)


class TeamUpdateInput(serializers.Serializer):
    name = StrictCharField(min_length=1, max_length=100, required=False)
    timezone = StrictCharField(max_length=64, required=False)
    weekly_goal_days = StrictIntegerField(min_value=1, max_value=7, required=False)


def _section_field() -> StrictCharField:
    return StrictCharField(
        max_length=SECTION_MAX_LENGTH, required=False, allow_null=True, allow_blank=True
    )


class MembershipUpdateInput(serializers.Serializer):
    role = StrictChoiceField(choices=Role.choices, required=False)
    section = _section_field()


class InviteCreateInput(serializers.Serializer):
    email = StrictEmailField(max_length=254, required=False, allow_null=True, allow_blank=True)
    role = StrictChoiceField(choices=Role.choices, default=Role.MEMBER)
    section = _section_field()
    expires_in_hours = StrictIntegerField(min_value=1, max_value=720, default=168)


class InviteAcceptInput(serializers.Serializer):
    """Only read for a caller who is not signed in: the fields of the new account."""

    name = StrictCharField(min_length=1, max_length=100, required=False)
    email = StrictEmailField(max_length=254, required=False)
    password = StrictCharField(min_length=8, max_length=128, trim_whitespace=False, required=False)


class CycleDateField(StrictCharField):
    """A calendar date, "YYYY-MM-DD"; a full ISO datetime is taken for the date it spells.

    Existing clients send the date as the midnight-UTC datetime the API answers with, so
    "2026-03-02T00:00:00Z" means March 2 as written, not converted to any timezone.
    """

    default_error_messages = {"invalid_date": "Date must be YYYY-MM-DD"}

    def to_internal_value(self, data: Any) -> datetime.date:  # type: ignore[override]
        text = super().to_internal_value(data)
        try:
            return datetime.date.fromisoformat(text)
        except ValueError:
            pass
        try:
            parsed = datetime.datetime.fromisoformat(text)
        except ValueError:
            self.fail("invalid_date")
        return parsed.date()


class _CycleLabelInput(serializers.Serializer):
    # Existing web clients send the label as "name"; "label" wins when both are present.
    name = StrictCharField(min_length=1, max_length=100, required=False, write_only=True)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        alias = attrs.pop("name", None)
        if attrs.get("label") is None and alias is not None:
            attrs["label"] = alias
        return attrs


class CycleCreateInput(_CycleLabelInput):
    date = CycleDateField()
    label = StrictCharField(min_length=1, max_length=100, required=False, allow_null=True)


class CycleUpdateInput(_CycleLabelInput):
    date = CycleDateField(required=False)
    label = StrictCharField(min_length=1, max_length=100, required=False)


# --- output -----------------------------------------------------------------------------------


class TeamOutput(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()
    timezone = serializers.CharField()
    weekly_goal_days = serializers.IntegerField()
    created_at = serializers.DateTimeField()


class MembershipRoleOutput(serializers.Serializer):
    role = serializers.ChoiceField(choices=Role.choices)
    section = serializers.CharField(allow_null=True)


class MembershipOutput(serializers.Serializer):
    id = serializers.UUIDField()
    team_id = serializers.UUIDField()
    user_id = serializers.UUIDField()
    role = serializers.ChoiceField(choices=Role.choices)
    section = serializers.CharField(allow_null=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class MemberItemOutput(serializers.Serializer):
    id = serializers.UUIDField()
    user_id = serializers.UUIDField()
    email = serializers.EmailField(source="user__email")
    display_name = serializers.CharField(source="user__display_name")
    role = serializers.ChoiceField(choices=Role.choices)
    section = serializers.CharField(allow_null=True)
    created_at = serializers.DateTimeField()


class InviteOutput(serializers.Serializer):
    id = serializers.UUIDField()
    email = serializers.EmailField(allow_null=True)
    role = serializers.ChoiceField(choices=Role.choices)
    section = serializers.CharField(allow_null=True)
    expires_at = serializers.DateTimeField()
    used_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()


class InvitePublicOutput(serializers.Serializer):
    team_name = serializers.CharField(source="team.name")
    email = serializers.EmailField(allow_null=True)
    role = serializers.ChoiceField(choices=Role.choices)
    section = serializers.CharField(allow_null=True)
    expired = serializers.BooleanField(source="is_expired")


class CycleOutput(serializers.Serializer):
    id = serializers.UUIDField()
    team_id = serializers.UUIDField()
    # The spec's response field is "name", its input field "label": both are served.
    name = serializers.CharField()
    label = serializers.CharField(source="name")
    date = serializers.DateTimeField(source="date_as_datetime")
    created_at = serializers.DateTimeField()


def page_output(name: str, item: type[serializers.Serializer]) -> serializers.Serializer:
    """The schema of a paginated list of ``item``."""
    from drf_spectacular.utils import inline_serializer

    return inline_serializer(
        name,
        {"items": item(many=True), "next_cursor": serializers.CharField(allow_null=True)},
    )
