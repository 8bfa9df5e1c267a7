"""Forms of the web app.

A Django form here only turns HTML form fields (all strings) into the JSON types the API's input
serializer expects; the serializer (``validate``) and then the service apply every rule, so a
field is refused by the web app exactly as by the API, with the same message.
"""

from __future__ import annotations

from typing import Any

from django import forms
from rest_framework import serializers

from practice.models import Priority
from practiceops.core.errors import ValidationFailed
from practiceops.core.exceptions import to_api_error
from tickets.models import TicketCategory, TicketVisibility

QUICK_MINUTES = (10, 20, 30, 45, 60)
MINUTES_REQUIRED = "Choose how many minutes you practised"


def validate(
    serializer_class: type[serializers.Serializer], data: dict[str, Any]
) -> dict[str, Any]:
    """Validate ``data`` with the API's input serializer; its first error as the API words it."""
    serializer = serializer_class(data=data)
    if not serializer.is_valid():
        raise to_api_error(serializers.ValidationError(serializer.errors))
    return dict(serializer.validated_data)


def first_form_error(form: forms.Form) -> ValidationFailed:
    for name, messages in form.errors.items():
        label = form.fields[name].label if name in form.fields else None
        prefix = f"{label}: " if label else ""
        return ValidationFailed(f"{prefix}{messages[0]}", field=None if name == "__all__" else name)
    return ValidationFailed()


class LoginForm(forms.Form):
    email = forms.CharField(label="Email", max_length=254)
    password = forms.CharField(label="Password", max_length=256, strip=False)


class LogPracticeForm(forms.Form):
    """Minutes come from a quick choice or the free number (the number wins when both are given)."""

    quick = forms.TypedChoiceField(
        label="Quick minutes",
        choices=[(m, f"{m} min") for m in QUICK_MINUTES],
        coerce=int,
        required=False,
    )
    minutes = forms.IntegerField(label="Minutes", required=False)
    rating = forms.TypedChoiceField(
        label="Rating",
        choices=[("", "No rating")] + [(n, str(n)) for n in range(1, 6)],
        coerce=int,
        empty_value=None,
        required=False,
    )
    notes = forms.CharField(label="Notes", required=False, strip=True)
    blocked = forms.BooleanField(label="I'm blocked", required=False)
    assignment_ids = forms.MultipleChoiceField(label="Assignments", required=False)
    ticket_ids = forms.MultipleChoiceField(label="Tickets", required=False)

    def __init__(self, *args: Any, assignments: list, tickets: list, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignment_ids"].choices = [(str(a["id"]), a["title"]) for a in assignments]
        self.fields["ticket_ids"].choices = [(str(t.pk), t.title) for t in tickets]

    def api_data(self) -> dict[str, Any]:
        """The body of POST /cycles/{id}/practice-logs this form stands for."""
        data = self.cleaned_data
        minutes = data.get("minutes") or data.get("quick")
        if not minutes:
            raise ValidationFailed(MINUTES_REQUIRED, field="duration_min")
        return {
            "duration_min": minutes,
            "notes": data.get("notes") or None,
            "rating_1_5": data.get("rating"),
            "blocked_flag": bool(data.get("blocked")),
            "assignment_ids": list(data.get("assignment_ids") or []),
            "ticket_ids": list(data.get("ticket_ids") or []),
        }


class PracticeLogEditForm(forms.Form):
    minutes = forms.IntegerField(label="Minutes")
    rating = LogPracticeForm.base_fields["rating"]
    notes = forms.CharField(label="Notes", required=False)
    blocked = forms.BooleanField(label="I'm blocked", required=False)

    def api_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "duration_min": data["minutes"],
            "notes": data.get("notes") or None,
            "rating_1_5": data.get("rating"),
            "blocked_flag": bool(data.get("blocked")),
        }


class TicketCreateForm(forms.Form):
    title = forms.CharField(label="Title", strip=True)
    description = forms.CharField(label="Description", required=False, widget=forms.Textarea)
    category = forms.ChoiceField(label="Category", choices=TicketCategory.choices)
    visibility = forms.ChoiceField(label="Visibility", choices=TicketVisibility.choices)
    section = forms.CharField(label="Section", required=False)
    song_ref = forms.CharField(label="Song", required=False)
    measures = forms.CharField(label="Measures", required=False)
    priority = forms.ChoiceField(label="Priority", choices=Priority.choices)
    due = forms.DateField(
        label="Due", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    claimable = forms.BooleanField(label="Claimable", required=False)

    def api_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        due = data.get("due")
        return {
            "claimable": bool(data.get("claimable")),
            "title": data["title"],
            "description": data.get("description") or None,
            "category": data["category"],
            "visibility": data["visibility"],
            "section": data.get("section") or None,
            "song_ref": data.get("song_ref") or None,
            "measures": data.get("measures") or None,
            "priority": data["priority"],
            # Due dates travel as midnight UTC of the day, like a cycle's date (spec/api.md).
            "due_at": f"{due.isoformat()}T00:00:00Z" if due else None,
        }


class PasswordChangeForm(forms.Form):
    current_password = forms.CharField(label="Current password", strip=False)
    new_password = forms.CharField(label="New password", strip=False)


class PreferencesForm(forms.Form):
    email_enabled = forms.BooleanField(label="E-mail notifications", required=False)
    deadline_reminder_hours = forms.IntegerField(label="Deadline reminder (hours before)")
    no_log_days = forms.IntegerField(label="Remind me after days without practice")
    weekly_digest_enabled = forms.BooleanField(label="Weekly digest", required=False)


class AccountCreateForm(forms.Form):
    name = forms.CharField(label="Name", max_length=200)
    email = forms.CharField(label="Email", max_length=254)
    password = forms.CharField(label="Password", strip=False)
