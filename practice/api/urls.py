from practice.api import views
from practiceops.core.viewsets import api_router

router = api_router()
router.register(
    "cycles/<str:cycle_id>/assignments", views.CycleAssignmentViewSet, basename="cycle-assignment"
)
router.register("assignments", views.AssignmentViewSet, basename="assignment")
router.register(
    "cycles/<str:cycle_id>/practice-logs",
    views.CyclePracticeLogViewSet,
    basename="cycle-practice-log",
)
router.register(
    "teams/<str:team_id>/practice-logs.csv",
    views.TeamPracticeLogExportViewSet,
    basename="team-practice-logs-csv",
)
router.register(
    "teams/<str:team_id>/practice-logs", views.TeamPracticeLogViewSet, basename="team-practice-log"
)
router.register("practice-logs", views.PracticeLogViewSet, basename="practice-log")

urlpatterns = router.urls
