from django.urls import path

from notifications.api import views
from practiceops.core.viewsets import api_router

router = api_router()
router.register(
    "teams/<str:team_id>/notifications", views.NotificationViewSet, basename="notifications"
)
# Declared before admin/jobs/<name>: "runs" is not a job's name.
router.register("admin/jobs/runs", views.JobRunViewSet, basename="admin-job-run")
router.register("admin/jobs", views.JobViewSet, basename="admin-job")

urlpatterns = [
    # One object per caller and team at the collection's path, and a one-click POST on a detail
    # path: neither is a router route, so these two mappings are explicit.
    path(
        "teams/<str:team_id>/notification-preferences",
        views.NotificationPreferenceViewSet.as_view(
            {"get": "retrieve", "patch": "partial_update", "put": "update"}
        ),
        name="notification-preferences",
    ),
    path(
        "unsubscribe/<str:signed_token>",
        views.UnsubscribeViewSet.as_view({"get": "retrieve", "post": "confirm"}),
        name="unsubscribe",
    ),
    *router.urls,
]
