from insights.api import views
from practiceops.core.viewsets import api_router

router = api_router()
router.register("teams/<str:team_id>/dashboards", views.DashboardViewSet, basename="dashboard")
router.register("teams/<str:team_id>/catch-up", views.CatchUpViewSet, basename="catch-up")

urlpatterns = router.urls
