from django.urls import path

from insights.api import views

urlpatterns = [
    path(
        "teams/<str:team_id>/dashboards/member",
        views.MemberDashboardView.as_view(),
        name="dashboard-member",
    ),
    path(
        "teams/<str:team_id>/dashboards/leader",
        views.LeaderDashboardView.as_view(),
        name="dashboard-leader",
    ),
    path(
        "teams/<str:team_id>/dashboards/leader/compliance-insights",
        views.ComplianceInsightsView.as_view(),
        name="dashboard-compliance-insights",
    ),
]
