from django.urls import path

from teams.api import me, views

urlpatterns = [
    path("me", me.MeView.as_view(), name="me"),
    path("me/teams", me.MyTeamsView.as_view(), name="me-teams"),
    path("teams", views.TeamCreateView.as_view(), name="teams"),
    path("teams/<str:team_id>", views.TeamDetailView.as_view(), name="team-detail"),
    path("teams/<str:team_id>/members", views.MemberListView.as_view(), name="team-members"),
    path(
        "teams/<str:team_id>/members/<str:user_id>",
        views.MemberDetailView.as_view(),
        name="team-member-detail",
    ),
    path("teams/<str:team_id>/invites", views.TeamInviteListView.as_view(), name="team-invites"),
    path("invites/<str:token>", views.InviteView.as_view(), name="invite-detail"),
    path("invites/<str:token>/accept", views.InviteAcceptView.as_view(), name="invite-accept"),
    path("teams/<str:team_id>/cycles", views.TeamCycleListView.as_view(), name="team-cycles"),
    path(
        "teams/<str:team_id>/cycles/active",
        views.TeamActiveCycleView.as_view(),
        name="team-cycle-active",
    ),
    path("cycles/<str:cycle_id>", views.CycleDetailView.as_view(), name="cycle-detail"),
    path(
        "teams/<str:team_id>/calendar-token",
        views.CalendarTokenView.as_view(),
        name="team-calendar-token",
    ),
    path(
        "teams/<str:team_id>/calendar.ics",
        views.CalendarFeedView.as_view(),
        name="team-calendar-feed",
    ),
]
