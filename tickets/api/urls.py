from practiceops.core.viewsets import api_router
from tickets.api import views

router = api_router()
router.register("cycles/<str:cycle_id>/tickets", views.CycleTicketViewSet, basename="cycle-ticket")
router.register("teams/<str:team_id>/tickets", views.TeamTicketViewSet, basename="team-ticket")
router.register("tickets", views.TicketViewSet, basename="ticket")

urlpatterns = router.urls
