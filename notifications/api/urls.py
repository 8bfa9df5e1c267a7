from django.urls import path

from notifications.api import views

urlpatterns = [
    path(
        "teams/<str:team_id>/notification-preferences",
        views.NotificationPreferencesView.as_view(),
        name="notification-preferences",
    ),
    path(
        "teams/<str:team_id>/notifications",
        views.NotificationListView.as_view(),
        name="notifications",
    ),
    path("unsubscribe/<str:signed_token>", views.UnsubscribeView.as_view(), name="unsubscribe"),
    path("admin/jobs", views.JobListView.as_view(), name="admin-jobs"),
    path("admin/jobs/runs", views.JobRunListView.as_view(), name="admin-job-runs"),
    path("admin/jobs/runs/<str:run_id>", views.JobRunDetailView.as_view(), name="admin-job-run"),
    path("admin/jobs/<str:name>/run", views.JobRunStartView.as_view(), name="admin-job-run-start"),
]
