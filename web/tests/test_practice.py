"""Log practice from This week (JS off and htmx), blocked → suggested ticket, history, edit,
delete, CSV for leaders; preferences, calendar link and invites."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from notifications.models import NotificationPreference
from practice.models import PracticeLog
from practice.tests.factories import PracticeLogFactory
from teams.models import Membership
from teams.tests.factories import make_invite
from tickets.models import Ticket
from web.tests.conftest import session_client
from web.tests.helpers import alerts, buttons, h1

HTMX = {"HTTP_HX_REQUEST": "true"}


def test_this_week_offers_the_log_form_with_quick_minutes(team, cycle, soprano_member):
    response = session_client(soprano_member).get(f"/app/t/{team.pk}/")
    body = response.content.decode()
    for minutes in (10, 20, 30, 45, 60):
        assert f'<label class="chip" for="quick-{minutes}">{minutes} min</label>' in body
    # The dashboard's default quick choice (20) is preselected: two taps log it.
    assert 'value="20" checked' in body
    assert "Log practice" in buttons(response)
    for label in ("Minutes", "Rating", "Notes", "I'm blocked"):
        assert label in body


def test_log_20_minutes_without_javascript(team, cycle, soprano_member):
    client = session_client(soprano_member)
    response = client.post(f"/app/t/{team.pk}/log", {"quick": "20"})
    assert response.status_code == 302
    log = PracticeLog.objects.get(user=soprano_member.user)
    assert (log.duration_minutes, log.cycle_id, log.blocked_flag) == (20, cycle.pk, False)
    page = client.get(response["Location"])
    assert 'id="minutes-this-week">20<' in page.content.decode()
    assert "Logged 20 minutes." in page.content.decode()
    assert "Create ticket" not in buttons(page)


def test_log_with_htmx_swaps_the_week_and_free_minutes_win(team, cycle, soprano_member):
    client = session_client(soprano_member)
    response = client.post(
        f"/app/t/{team.pk}/log", {"quick": "20", "minutes": "35", "rating": "4"}, **HTMX
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="week-main"')
    assert 'id="minutes-this-week">35<' in body
    log = PracticeLog.objects.get(user=soprano_member.user)
    assert (log.duration_minutes, log.rating_1_5) == (35, 4)


@pytest.mark.parametrize("htmx", [False, True])
@pytest.mark.parametrize(
    "body,message",
    [
        ({"minutes": "601"}, "Ensure this value is less than or equal to 600."),
        ({}, "Choose how many minutes you practised"),
        (
            {"quick": "20", "notes": "x" * 2001},
            "Ensure this field has no more than 2000 characters.",
        ),
    ],
)
def test_refused_log_keeps_the_input_and_writes_nothing(
    team, cycle, soprano_member, body, message, htmx
):
    response = session_client(soprano_member).post(
        f"/app/t/{team.pk}/log",
        {**body, "notes": body.get("notes", "kept note")},
        **(HTMX if htmx else {}),
    )
    assert response.status_code == (200 if htmx else 422)
    assert alerts(response) == [message]
    if "notes" not in body:
        assert "kept note" in response.content.decode()
    assert not PracticeLog.objects.exists()


def test_blocked_log_offers_the_suggested_ticket_in_one_click(team, cycle, soprano_member):
    client = session_client(soprano_member)
    response = client.post(f"/app/t/{team.pk}/log", {"quick": "30", "blocked": "on"})
    page = client.get(response["Location"])
    assert "Create ticket" in buttons(page)
    body = page.content.decode()
    assert 'name="title" value="Practice blocker - needs attention"' in body
    assert 'name="visibility" value="PRIVATE"' in body
    response = client.post(
        f"/app/t/{team.pk}/tickets/new",
        {
            "title": "Practice blocker - needs attention",
            "visibility": "PRIVATE",
            "priority": "MEDIUM",
            "category": "OTHER",
            "due": cycle.date.isoformat(),
        },
    )
    ticket = Ticket.objects.get(created_by=soprano_member.user)
    assert response["Location"] == f"/app/tickets/{ticket.pk}"
    assert (ticket.visibility, ticket.priority, ticket.owner_id) == (
        "PRIVATE",
        "MEDIUM",
        soprano_member.user.pk,
    )


def test_no_rehearsal_yet(team, soprano_member):
    client = session_client(soprano_member)
    page = client.get(f"/app/t/{team.pk}/")
    assert "No rehearsal scheduled yet" in page.content.decode()
    response = client.post(f"/app/t/{team.pk}/log", {"quick": "20"})
    assert response.status_code == 422
    assert len(alerts(response)) == 1
    assert not PracticeLog.objects.exists()


def test_history_edit_and_delete_own_logs_only(team, cycle, soprano_member, alto_member):
    mine = PracticeLogFactory(user=soprano_member.user, team=team, cycle=cycle, duration_minutes=25)
    theirs = PracticeLogFactory(user=alto_member.user, team=team, cycle=cycle, duration_minutes=40)
    client = session_client(soprano_member)
    page = client.get(f"/app/t/{team.pk}/practice")
    assert h1(page) == "Practice"
    assert "25 min" in page.content.decode() and "40 min" not in page.content.decode()
    assert "Download CSV" not in page.content.decode()
    response = client.post(f"/app/practice/{mine.pk}/edit", {"minutes": "45", "rating": "3"})
    assert response.status_code == 302
    mine.refresh_from_db()
    assert (mine.duration_minutes, mine.rating_1_5) == (45, 3)
    refused = client.post(f"/app/practice/{mine.pk}/edit", {"minutes": "0"})
    assert refused.status_code == 422
    assert alerts(refused) == ["Ensure this value is greater than or equal to 1."]
    assert client.get(f"/app/practice/{theirs.pk}/edit").status_code == 404
    assert client.post(f"/app/practice/{theirs.pk}/delete").status_code == 404
    assert client.post(f"/app/practice/{mine.pk}/delete").status_code == 302
    assert list(PracticeLog.objects.values_list("pk", flat=True)) == [theirs.pk]


def test_leaders_see_their_section_and_the_csv(
    team, cycle, soprano_leader, soprano_member, alto_member, admin
):
    PracticeLogFactory(user=soprano_member.user, team=team, cycle=cycle, duration_minutes=25)
    PracticeLogFactory(user=alto_member.user, team=team, cycle=cycle, duration_minutes=40)
    client = session_client(soprano_leader)
    page = client.get(f"/app/t/{team.pk}/practice?who=team")
    body = page.content.decode()
    assert "25 min" in body and "40 min" not in body
    assert "Download CSV" in body
    csv = client.get(f"/app/t/{team.pk}/practice.csv")
    assert csv.status_code == 200
    assert csv["Content-Type"].startswith("text/csv")
    content = b"".join(csv.streaming_content).decode()
    assert soprano_member.user.email in content
    assert alto_member.user.email not in content
    body = session_client(admin).get(f"/app/t/{team.pk}/practice?who=team").content.decode()
    assert "25 min" in body and "40 min" in body
    refused = session_client(soprano_member).get(f"/app/t/{team.pk}/practice.csv")
    assert refused.status_code == 403
    assert alerts(refused) == ["Section leader or admin role required"]


def test_assignments_for_members(team, cycle, soprano_member, admin):
    from practice.tests.factories import AssignmentFactory

    AssignmentFactory(cycle=cycle, title="Learn the alto line", scope="SECTION", section="Alto")
    AssignmentFactory(cycle=cycle, title="Listen to the recording", scope="TEAM")
    body = session_client(soprano_member).get(f"/app/t/{team.pk}/assignments").content.decode()
    assert "Listen to the recording" in body and "Learn the alto line" not in body
    body = session_client(admin).get(f"/app/t/{team.pk}/assignments").content.decode()
    assert "Learn the alto line" in body


def test_preferences_and_calendar_link(team, soprano_member):
    client = session_client(soprano_member)
    response = client.post(
        f"/app/me/preferences/{team.pk}",
        {"deadline_reminder_hours": "48", "no_log_days": "4", "weekly_digest_enabled": "on"},
    )
    assert response.status_code == 302
    pref = NotificationPreference.objects.get(user=soprano_member.user, team=team)
    assert (pref.email_enabled, pref.deadline_reminder_hours, pref.no_log_days) == (False, 48, 4)
    refused = client.post(
        f"/app/me/preferences/{team.pk}", {"deadline_reminder_hours": "100000", "no_log_days": "4"}
    )
    assert refused.status_code == 422
    assert len(alerts(refused)) == 1
    pref.refresh_from_db()
    assert pref.deadline_reminder_hours == 48
    response = client.post(f"/app/me/calendar/{team.pk}")
    assert response.status_code == 200
    assert f"/teams/{team.pk}/calendar.ics?token=" in response.content.decode()
    assert Membership.objects.get(pk=soprano_member.membership.pk).calendar_token_hash


def test_invite_create_account_and_join(team, db):
    invite, token = make_invite(team, section="Tenor", email="new@example.com")
    from django.test import Client

    client = Client()
    response = client.post(
        f"/app/invites/{token}/accept",
        {"name": "Nia New", "email": "new@example.com", "password": "short"},
    )
    assert response.status_code == 422
    assert len(alerts(response)) == 1
    response = client.post(
        f"/app/invites/{token}/accept",
        {"name": "Nia New", "email": "new@example.com", "password": "long-enough-9"},
    )
    assert response["Location"] == f"/app/t/{team.pk}/"
    assert client.get(response["Location"]).status_code == 200
    membership = Membership.objects.get(team=team, user__email="new@example.com")
    assert membership.section == "Tenor"


def test_invite_refusals_are_messages(team, soprano_member, outsider):
    used, used_token = make_invite(team, used_at=timezone.now())
    response = session_client(outsider).post(f"/app/invites/{used_token}/accept")
    assert response.status_code == 409
    assert "Invite has already been used" in alerts(response)
    _, token = make_invite(team)
    response = session_client(soprano_member).post(f"/app/invites/{token}/accept")
    assert response.status_code == 409
    assert alerts(response) == ["Already a member of this team"]
    _, expired = make_invite(team, expires_at=timezone.now() - datetime.timedelta(hours=1))
    response = session_client(outsider).post(f"/app/invites/{expired}/accept")
    assert response.status_code == 403
    assert "Invite has expired" in alerts(response)
    _, bound = make_invite(team, email="someone@example.com")
    response = session_client(outsider).post(f"/app/invites/{bound}/accept")
    assert alerts(response) == ["This invite was sent to a different email address"]
    assert not Membership.objects.filter(team=team, user=outsider.user).exists()


def test_since_last_rehearsal_block(team, cycle, soprano_member, soprano_leader, alto_member):
    from practice.tests.factories import AssignmentFactory
    from tickets.tests.factories import TicketFactory

    TicketFactory(
        cycle=cycle,
        created_by=soprano_leader.user,
        visibility="SECTION",
        section="Soprano",
        title="Soprano entry, bar 3",
    )
    TicketFactory(
        cycle=cycle,
        created_by=alto_member.user,
        visibility="SECTION",
        section="Alto",
        title="Alto only",
    )
    AssignmentFactory(cycle=cycle, title="Learn page 2", scope="TEAM")
    response = session_client(soprano_member).get(f"/app/t/{team.pk}/")
    body = response.content.decode()
    assert "Since last rehearsal" in body
    section = body.split('id="catch-up-h"')[1].split("</section>")[0]
    assert "Soprano entry, bar 3" in section
    assert "Alto only" not in section
    assert "Learn page 2" in section
