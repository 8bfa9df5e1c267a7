from django.urls import path

from practice.api import views

urlpatterns = [
    path(
        "cycles/<str:cycle_id>/assignments",
        views.CycleAssignmentsView.as_view(),
        name="cycle-assignments",
    ),
    path(
        "assignments/<str:assignment_id>",
        views.AssignmentDetailView.as_view(),
        name="assignment-detail",
    ),
    path(
        "cycles/<str:cycle_id>/practice-logs",
        views.CyclePracticeLogsView.as_view(),
        name="cycle-practice-logs",
    ),
    # Declared before the JSON listing: both routes share the "practice-logs" prefix.
    path(
        "teams/<str:team_id>/practice-logs.csv",
        views.TeamPracticeLogsCsvView.as_view(),
        name="team-practice-logs-csv",
    ),
    path(
        "teams/<str:team_id>/practice-logs",
        views.TeamPracticeLogsView.as_view(),
        name="team-practice-logs",
    ),
    path(
        "practice-logs/<str:log_id>",
        views.PracticeLogDetailView.as_view(),
        name="practice-log-detail",
    ),
]
