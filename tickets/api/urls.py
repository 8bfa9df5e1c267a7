from django.urls import path

from tickets.api import views

urlpatterns = [
    path("cycles/<str:cycle_id>/tickets", views.CycleTicketsView.as_view(), name="cycle-tickets"),
    path("teams/<str:team_id>/tickets", views.TeamTicketsView.as_view(), name="team-tickets"),
    path("tickets/<str:ticket_id>", views.TicketDetailView.as_view(), name="ticket-detail"),
    path("tickets/<str:ticket_id>/claim", views.TicketClaimView.as_view(), name="ticket-claim"),
    path(
        "tickets/<str:ticket_id>/unclaim", views.TicketUnclaimView.as_view(), name="ticket-unclaim"
    ),
    path("tickets/<str:ticket_id>/assign", views.TicketAssignView.as_view(), name="ticket-assign"),
    path(
        "tickets/<str:ticket_id>/transition",
        views.TicketTransitionView.as_view(),
        name="ticket-transition",
    ),
    path("tickets/<str:ticket_id>/verify", views.TicketVerifyView.as_view(), name="ticket-verify"),
    path("tickets/<str:ticket_id>/reopen", views.TicketReopenView.as_view(), name="ticket-reopen"),
    path(
        "tickets/<str:ticket_id>/comments",
        views.TicketCommentsView.as_view(),
        name="ticket-comments",
    ),
    path(
        "tickets/<str:ticket_id>/activity",
        views.TicketActivityView.as_view(),
        name="ticket-activity",
    ),
]
