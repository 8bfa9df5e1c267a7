from django.urls import path, re_path
from django.views.generic import RedirectView

from web.views import auth, invites, leader_tickets, me, practice, section, team, tickets, week
from web.views import settings as team_settings

app_name = "web"

urlpatterns = [
    path("", week.home, name="home"),
    path("login", auth.login_view, name="login"),
    path("logout", auth.logout_view, name="logout"),
    path("me", me.me, name="me"),
    path("me/password", me.password_change, name="password"),
    path("me/preferences/<str:team_id>", me.preferences_save, name="preferences"),
    path("me/calendar/<str:team_id>", me.calendar_link_new, name="calendar_new"),
    path("invites/<str:token>", invites.invite, name="invite"),
    path("invites/<str:token>/accept", invites.invite_accept, name="invite_accept"),
    path("t/<str:team_id>", RedirectView.as_view(pattern_name="web:week", permanent=False)),
    path("t/<str:team_id>/", week.week, name="week"),
    path("t/<str:team_id>/log", week.practice_log_create, name="log_practice"),
    path("t/<str:team_id>/practice", practice.practice_history, name="practice"),
    path("t/<str:team_id>/practice/new", practice.practice_new, name="practice_new"),
    path("t/<str:team_id>/practice.csv", practice.practice_csv, name="practice_csv"),
    path("t/<str:team_id>/tickets", tickets.ticket_list, name="tickets"),
    path("t/<str:team_id>/tickets/new", tickets.ticket_new, name="ticket_new"),
    path("t/<str:team_id>/assignments", team.assignments, name="assignments"),
    path("practice/<str:log_id>/edit", practice.practice_edit, name="practice_edit"),
    path("practice/<str:log_id>/delete", practice.practice_delete, name="practice_delete"),
    path("tickets/<str:ticket_id>", tickets.ticket_detail, name="ticket"),
    path("tickets/<str:ticket_id>/claim", tickets.ticket_claim, name="ticket_claim"),
    path("tickets/<str:ticket_id>/unclaim", tickets.ticket_unclaim, name="ticket_unclaim"),
    path("tickets/<str:ticket_id>/comment", tickets.ticket_comment, name="ticket_comment"),
    path("tickets/<str:ticket_id>/transition", tickets.ticket_transition, name="ticket_transition"),
    path("tickets/<str:ticket_id>/verify", tickets.ticket_verify, name="ticket_verify"),
    # --- leaders and the director (part 2) ---
    path("t/<str:team_id>/section", section.section_overview, name="section"),
    path(
        "t/<str:team_id>/section/queue/<str:ticket_id>/verify",
        section.queue_verify,
        name="queue_verify",
    ),
    path(
        "t/<str:team_id>/section/queue/<str:ticket_id>/reopen",
        section.queue_reopen,
        name="queue_reopen",
    ),
    path("t/<str:team_id>/settings", team_settings.team_settings, name="settings"),
    path("t/<str:team_id>/settings/team", team_settings.team_save, name="settings_team"),
    path(
        "t/<str:team_id>/settings/members/<str:user_id>",
        team_settings.member_save,
        name="settings_member",
    ),
    path(
        "t/<str:team_id>/settings/members/<str:user_id>/remove",
        team_settings.member_remove,
        name="settings_member_remove",
    ),
    path("t/<str:team_id>/settings/invites", team_settings.invite_create, name="settings_invite"),
    path(
        "t/<str:team_id>/settings/invites/<str:invite_id>/revoke",
        team_settings.invite_revoke,
        name="settings_invite_revoke",
    ),
    path(
        "t/<str:team_id>/settings/rehearsals",
        team_settings.rehearsal_create,
        name="settings_rehearsal",
    ),
    path(
        "t/<str:team_id>/settings/rehearsals/<str:cycle_id>",
        team_settings.rehearsal_save,
        name="settings_rehearsal_save",
    ),
    path(
        "t/<str:team_id>/settings/rehearsals/<str:cycle_id>/delete",
        team_settings.rehearsal_delete,
        name="settings_rehearsal_delete",
    ),
    path("t/<str:team_id>/assignments/new", leader_tickets.assignment_new, name="assignment_new"),
    path(
        "assignments/<str:assignment_id>/edit",
        leader_tickets.assignment_edit,
        name="assignment_edit",
    ),
    path(
        "assignments/<str:assignment_id>/delete",
        leader_tickets.assignment_delete,
        name="assignment_delete",
    ),
    path("tickets/<str:ticket_id>/reopen", tickets.ticket_reopen, name="ticket_reopen"),
    path("tickets/<str:ticket_id>/assign", tickets.ticket_assign, name="ticket_assign"),
    path("tickets/<str:ticket_id>/edit", tickets.ticket_edit, name="ticket_edit"),
    re_path(r"^(?P<rest>.*)$", invites.not_found, name="not_found"),
]
