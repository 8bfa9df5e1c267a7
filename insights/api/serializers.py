"""Response shapes of the dashboards, for the OpenAPI schema (the selectors build the JSON)."""

from rest_framework import serializers

from practice.models import AssignmentScope, AssignmentType, Priority
from tickets.models import (
    DueBucket,
    TicketActivityType,
    TicketCategory,
    TicketStatus,
    TicketVisibility,
)


class CycleSummaryOutput(serializers.Serializer):
    id = serializers.UUIDField()
    date = serializers.DateTimeField(help_text="The cycle date as midnight UTC.")
    label = serializers.CharField()


class AssignmentSummaryOutput(serializers.Serializer):
    id = serializers.UUIDField()
    title = serializers.CharField()
    priority = serializers.ChoiceField(choices=Priority.choices)
    type = serializers.ChoiceField(choices=AssignmentType.choices)
    scope = serializers.ChoiceField(choices=AssignmentScope.choices)
    section = serializers.CharField(allow_null=True)
    due_at = serializers.DateTimeField(allow_null=True)


class TicketDueSoonOutput(serializers.Serializer):
    id = serializers.UUIDField()
    title = serializers.CharField()
    priority = serializers.ChoiceField(choices=Priority.choices)
    status = serializers.ChoiceField(choices=TicketStatus.choices)
    due_at = serializers.DateTimeField(allow_null=True)
    visibility = serializers.ChoiceField(choices=TicketVisibility.choices)


class QuickLogDefaultsOutput(serializers.Serializer):
    duration_min_default = serializers.IntegerField()


class WeeklySummaryOutput(serializers.Serializer):
    practice_days = serializers.IntegerField()
    total_sessions = serializers.IntegerField()
    total_minutes = serializers.IntegerField()
    streak_days = serializers.IntegerField()
    longest_streak_days = serializers.IntegerField()
    weekly_goal_days = serializers.IntegerField()
    weekly_goal_met = serializers.BooleanField()


class ProgressOutput(serializers.Serializer):
    tickets_resolved_this_cycle = serializers.IntegerField()
    tickets_verified_this_cycle = serializers.IntegerField()


class MemberDashboardOutput(serializers.Serializer):
    cycle = CycleSummaryOutput(allow_null=True)
    countdown_days = serializers.IntegerField(allow_null=True)
    assignments = AssignmentSummaryOutput(many=True)
    tickets_due_soon = TicketDueSoonOutput(many=True)
    quick_log_defaults = QuickLogDefaultsOutput()
    weekly_summary = WeeklySummaryOutput()
    progress = ProgressOutput()


class MemberPracticeOutput(serializers.Serializer):
    member_id = serializers.UUIDField()
    name = serializers.CharField()
    section = serializers.CharField(allow_null=True)
    days_logged_7d = serializers.IntegerField()
    minutes_7d = serializers.IntegerField()
    last_logged_at = serializers.DateTimeField(allow_null=True)


class ComplianceOutput(serializers.Serializer):
    logged_last_7_days_pct = serializers.FloatField()
    practice_days_by_member = MemberPracticeOutput(many=True)
    total_practice_minutes_7d = serializers.IntegerField()


class SectionRiskOutput(serializers.Serializer):
    section = serializers.CharField()
    blocking_due = serializers.IntegerField()
    blocked = serializers.IntegerField()
    resolved_not_verified = serializers.IntegerField()


class SongRiskOutput(serializers.Serializer):
    song_ref = serializers.CharField()
    blocking_due = serializers.IntegerField()
    blocked = serializers.IntegerField()
    resolved_not_verified = serializers.IntegerField()


class RiskSummaryOutput(serializers.Serializer):
    blocking_due_count = serializers.IntegerField()
    blocked_count = serializers.IntegerField()
    resolved_not_verified_count = serializers.IntegerField()
    by_section = SectionRiskOutput(many=True)
    by_song = SongRiskOutput(many=True)


class PrivateTicketAggregateOutput(serializers.Serializer):
    section = serializers.CharField(allow_null=True)
    category = serializers.ChoiceField(choices=TicketCategory.choices)
    status = serializers.ChoiceField(choices=TicketStatus.choices)
    priority = serializers.ChoiceField(choices=Priority.choices)
    song_ref = serializers.CharField(allow_null=True)
    due_bucket = serializers.ChoiceField(choices=DueBucket.choices)
    count = serializers.IntegerField()


class DrilldownMemberOutput(serializers.Serializer):
    member_id = serializers.UUIDField()
    name = serializers.CharField()
    section = serializers.CharField(allow_null=True)
    open_ticket_count = serializers.IntegerField()
    blocked_count = serializers.IntegerField()


class DrilldownTicketOutput(serializers.Serializer):
    id = serializers.UUIDField()
    title = serializers.CharField()
    priority = serializers.ChoiceField(choices=Priority.choices)
    status = serializers.ChoiceField(choices=TicketStatus.choices)
    visibility = serializers.ChoiceField(choices=TicketVisibility.choices)
    section = serializers.CharField(allow_null=True)
    due_at = serializers.DateTimeField(allow_null=True)


class DrilldownOutput(serializers.Serializer):
    members = DrilldownMemberOutput(many=True)
    tickets_visible = DrilldownTicketOutput(many=True)


class VerificationItemOutput(serializers.Serializer):
    id = serializers.UUIDField()
    title = serializers.CharField()
    section = serializers.CharField(allow_null=True)
    song_ref = serializers.CharField(allow_null=True)
    owner_id = serializers.UUIDField(allow_null=True)
    resolved_at = serializers.DateTimeField(allow_null=True)
    resolved_note = serializers.CharField(allow_null=True)


class LeaderDashboardOutput(serializers.Serializer):
    cycle = CycleSummaryOutput(allow_null=True)
    compliance = ComplianceOutput()
    risk_summary = RiskSummaryOutput()
    private_ticket_aggregates = PrivateTicketAggregateOutput(many=True)
    drilldown = DrilldownOutput()
    verification_queue = VerificationItemOutput(many=True)


class ComplianceSectionOutput(serializers.Serializer):
    section = serializers.CharField()
    member_count = serializers.IntegerField()
    total_practice_days_7d = serializers.IntegerField()
    avg_practice_days_7d = serializers.FloatField()


class ComplianceInsightsOutput(serializers.Serializer):
    sections = ComplianceSectionOutput(many=True)
    summary = serializers.CharField()
    summary_source = serializers.ChoiceField(choices=[("fallback", "fallback")])
    window_days = serializers.IntegerField()


# --- catch-up and outcomes ---------------------------------------------------------------------


class CatchUpTicketOutput(serializers.Serializer):
    id = serializers.UUIDField()
    title = serializers.CharField()
    priority = serializers.ChoiceField(choices=Priority.choices)
    status = serializers.ChoiceField(choices=TicketStatus.choices)
    section = serializers.CharField(allow_null=True)
    song_ref = serializers.CharField(allow_null=True)
    measures = serializers.CharField(allow_null=True)
    created_by_name = serializers.CharField(allow_null=True)
    created_at = serializers.DateTimeField()


class CatchUpUpdateOutput(serializers.Serializer):
    ticket_id = serializers.UUIDField()
    title = serializers.CharField()
    type = serializers.ChoiceField(choices=TicketActivityType.choices)
    old_status = serializers.ChoiceField(choices=TicketStatus.choices, allow_null=True)
    new_status = serializers.ChoiceField(choices=TicketStatus.choices, allow_null=True)
    user_name = serializers.CharField(
        allow_null=True, help_text="null when a scheduled job made the change."
    )
    content = serializers.CharField(allow_null=True)
    created_at = serializers.DateTimeField()


class CatchUpAssignmentOutput(serializers.Serializer):
    id = serializers.UUIDField()
    title = serializers.CharField()
    priority = serializers.ChoiceField(choices=Priority.choices)
    type = serializers.ChoiceField(choices=AssignmentType.choices)
    due_at = serializers.DateTimeField(allow_null=True)


class PractiseNextOutput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["ticket", "assignment"])
    id = serializers.UUIDField()
    title = serializers.CharField()
    priority = serializers.ChoiceField(choices=Priority.choices)
    due_at = serializers.DateTimeField(allow_null=True)


class CatchUpSectionOutput(serializers.Serializer):
    name = serializers.CharField()
    minutes = serializers.IntegerField()
    members_practised = serializers.IntegerField()
    member_count = serializers.IntegerField()


class CatchUpOutput(serializers.Serializer):
    since = serializers.DateTimeField()
    until = serializers.DateTimeField()
    new_tickets = CatchUpTicketOutput(many=True)
    my_ticket_updates = CatchUpUpdateOutput(many=True)
    new_assignments = CatchUpAssignmentOutput(many=True)
    practise_next = PractiseNextOutput(many=True)
    section = CatchUpSectionOutput(allow_null=True)


class OutcomeOutput(serializers.Serializer):
    opened = serializers.IntegerField(help_text="Tickets created in the window.")
    verified = serializers.IntegerField(help_text="Tickets verified in the window.")
    reopened = serializers.IntegerField(help_text="/reopen moves in the window.")
    median_hours_to_verify = serializers.FloatField(
        allow_null=True,
        help_text="created_at to verified_at of the tickets verified in the window; null when none.",
    )
    p90_hours_to_verify = serializers.FloatField(allow_null=True)
    open_now = serializers.IntegerField(
        help_text="Not VERIFIED now, created before the window's end."
    )
    stale_claims_released = serializers.IntegerField(
        help_text="Claims the stale-claim job released in the window."
    )
    practice_minutes_linked = serializers.IntegerField(
        help_text="Minutes of the window's practice logs linked to these tickets."
    )


class SectionOutcomeOutput(OutcomeOutput):
    section = serializers.CharField(allow_null=True, help_text="null: tickets without a section.")


class SongOutcomeOutput(OutcomeOutput):
    song_ref = serializers.CharField()


class OutcomesOutput(serializers.Serializer):
    team = OutcomeOutput()
    sections = SectionOutcomeOutput(many=True)
    songs = SongOutcomeOutput(many=True)

    def get_fields(self):  # type: ignore[no-untyped-def]
        # "from" is a Python keyword: declared here rather than as a class attribute.
        fields = super().get_fields()
        fields = {
            "from": serializers.DateField(),
            "to": serializers.DateField(),
            **fields,
        }
        return fields
