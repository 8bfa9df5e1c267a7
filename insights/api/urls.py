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
    path(
        "teams/<str:team_id>/dashboards/leader/outcomes",
        views.OutcomesView.as_view(),
        name="dashboard-outcomes",
    ),
    path("teams/<str:team_id>/catch-up", views.CatchUpView.as_view(), name="catch-up"),
]
