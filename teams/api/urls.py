from django.urls import path

from teams.api import me

urlpatterns = [
    path("me", me.MeView.as_view(), name="me"),
    path("me/teams", me.MyTeamsView.as_view(), name="me-teams"),
]
