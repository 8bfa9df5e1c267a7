"""The staff-only "Team overview" page, added to the team admin.

insights sits above teams in the import order, so the page lives here: this module extends
``teams.admin.TeamAdmin`` with the page's URL, a link per team on the changelist and a button
on the change page, and registers the extended admin in its place.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from insights.charts import grouped_bar_chart
from insights.overview import (
    OVERVIEW_WEEKS,
    TICKET_GROUPS,
    VERIFY_WINDOW_DAYS,
    team_overview_get,
)
from teams.admin import TeamAdmin
from teams.models import Team

TICKET_LABELS = {
    "open": "Open (open or in progress)",
    "blocked": "Blocked",
    "resolved": "Resolved (resolved or verified)",
}


class TeamOverviewAdmin(TeamAdmin):
    change_form_template = "admin/teams/team/change_form_with_overview.html"
    list_display = (*TeamAdmin.list_display, "overview_link")

    @admin.display(description="Overview")
    def overview_link(self, obj: Team) -> str:
        return format_html('<a href="{}">Team overview</a>', self._overview_url(obj.pk))

    def _overview_url(self, pk: Any) -> str:
        return reverse("admin:teams_team_overview", args=[pk], current_app=self.admin_site.name)

    def get_urls(self):  # type: ignore[no-untyped-def]
        return [
            path(
                "<path:object_id>/overview/",
                self.admin_site.admin_view(self.overview_view),
                name="teams_team_overview",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):  # type: ignore[no-untyped-def]
        extra_context = {**(extra_context or {}), "overview_url": self._overview_url(object_id)}
        return super().change_view(request, object_id, form_url, extra_context)

    def overview_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        team = self.get_object(request, unquote(object_id))
        if team is None:
            raise Http404("Team not found")
        if not self.has_view_permission(request, team):
            raise PermissionDenied
        overview = team_overview_get(team)
        week_labels = [monday.strftime("%d %b") for monday in overview.weeks]
        practice_chart = grouped_bar_chart(
            title=f"Practice minutes per section per week, last {OVERVIEW_WEEKS} weeks",
            groups=week_labels,
            series=[(section, overview.minutes[section]) for section in overview.sections],
            unit="minutes",
        )
        ticket_chart = grouped_bar_chart(
            title="Tickets per section",
            groups=overview.sections,
            series=[
                (TICKET_LABELS[name], [row[name] for row in overview.tickets])
                for name in TICKET_GROUPS
            ],
            unit="tickets",
            colors=("#417690", "#c05050", "#5b9a68"),
        )
        # A section with nothing verified in the window has no bar (and "–" in the table).
        verify_chart = grouped_bar_chart(
            title=f"Hours to verify per section, last {VERIFY_WINDOW_DAYS} days",
            groups=overview.sections,
            series=[
                (label, [row[key] or 0 for row in overview.verify_hours])
                for key, label in (("median_hours", "Median"), ("p90_hours", "90th percentile"))
            ],
            unit="hours",
            colors=("#417690", "#e0a526"),
        )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": team,
            "title": f"Team overview: {team.name}",
            "team": team,
            "overview": overview,
            "weeks": list(zip(overview.weeks, week_labels, strict=True)),
            "minutes_rows": [
                {"section": section, "minutes": overview.minutes[section]}
                for section in overview.sections
            ],
            "ticket_labels": TICKET_LABELS,
            "practice_chart": practice_chart,
            "ticket_chart": ticket_chart,
            "verify_chart": verify_chart,
            "verify_days": VERIFY_WINDOW_DAYS,
            "change_url": reverse(
                "admin:teams_team_change", args=[team.pk], current_app=self.admin_site.name
            ),
        }
        return TemplateResponse(request, "admin/insights/team_overview.html", context)


admin.site.unregister(Team)
admin.site.register(Team, TeamOverviewAdmin)
