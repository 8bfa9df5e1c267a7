from practiceops.core.viewsets import api_router
from teams.api import me, views

router = api_router()
router.register("me", me.MeViewSet, basename="me")
router.register("teams", views.TeamViewSet, basename="team")
router.register("teams/<str:team_id>/members", views.MemberViewSet, basename="team-member")
router.register("teams/<str:team_id>/invites", views.TeamInviteViewSet, basename="team-invite")
router.register("invites", views.InviteViewSet, basename="invite")
router.register("teams/<str:team_id>/cycles", views.TeamCycleViewSet, basename="team-cycle")
router.register("cycles", views.CycleViewSet, basename="cycle")
router.register(
    "teams/<str:team_id>/calendar.ics", views.CalendarFeedViewSet, basename="team-calendar-feed"
)

urlpatterns = router.urls
