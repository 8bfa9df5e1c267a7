"""Every page × role: status, main heading, and the app-styled 403/404 and sign-in redirect."""

from __future__ import annotations

import pytest

from teams.tests.factories import make_invite
from tickets.tests.factories import TicketFactory
from web.tests.conftest import session_client
from web.tests.helpers import alerts, buttons, h1

MEMBERS = ["soprano_member", "soprano_leader", "admin"]

TEAM_PAGES = {
    "": "This week",
    "tickets": "Tickets",
    "tickets/new": "New ticket",
    "assignments": "Assignments",
    "practice": "Practice",
    "practice/new": "Log practice",
}


@pytest.fixture
def people(request, soprano_member, soprano_leader, admin, outsider):
    return {
        "soprano_member": soprano_member,
        "soprano_leader": soprano_leader,
        "admin": admin,
        "outsider": outsider,
    }


@pytest.mark.parametrize("path,heading", TEAM_PAGES.items())
@pytest.mark.parametrize("who", MEMBERS)
def test_team_pages_for_members(people, team, cycle, path, heading, who):
    response = session_client(people[who]).get(f"/app/t/{team.pk}/{path}")
    assert response.status_code == 200
    assert h1(response) == heading
    assert "<title>" in response.content.decode()
    nav = ["This week", "Tickets", "Assignments", "Practice", "Me"]
    for label in nav:
        assert f">{label}</a>" in response.content.decode()


@pytest.mark.parametrize("path", TEAM_PAGES)
def test_team_pages_refuse_another_teams_user_with_the_app_403(people, team, cycle, path):
    response = session_client(people["outsider"]).get(f"/app/t/{team.pk}/{path}")
    assert response.status_code == 403
    assert response["Content-Type"].startswith("text/html")
    assert h1(response) == "Not allowed"
    assert alerts(response) == ["Not a member of this team"]


@pytest.mark.parametrize("path", TEAM_PAGES)
def test_team_pages_send_the_signed_out_to_sign_in(team, cycle, path):
    url = f"/app/t/{team.pk}/{path}"
    response = session_client(None).get(url)
    assert response.status_code == 302
    assert response["Location"] == f"/app/login?next={url}"


def test_unknown_team_and_unknown_path_are_app_404s(soprano_member):
    client = session_client(soprano_member)
    for url in (
        "/app/t/00000000-0000-0000-0000-000000000000/",
        "/app/t/not-a-uuid/",
        "/app/tickets/00000000-0000-0000-0000-000000000000",
        "/app/nowhere",
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert response["Content-Type"].startswith("text/html")
        assert h1(response) == "Not found"


def test_root_and_app_redirect_to_the_primary_team(soprano_member, team, other_team):
    # A second, later membership: /app/ still opens the first.
    from teams.tests.factories import MembershipFactory

    MembershipFactory(team=other_team, user=soprano_member.user)
    client = session_client(soprano_member)
    assert client.get("/")["Location"] == "/app/"
    assert client.get("/app/")["Location"] == f"/app/t/{team.pk}/"
    week = client.get(f"/app/t/{team.pk}/")
    # Several teams: the switcher lists both.
    assert "switch team" in week.content.decode()
    assert other_team.name in week.content.decode()


def test_no_team_page(db):
    from conftest import make_persona

    loner = make_persona(None)
    response = session_client(loner).get("/app/")
    assert response.status_code == 200
    assert h1(response) == "No team yet"
    assert "Sign out" in buttons(response)


def test_me_page(soprano_member, team):
    response = session_client(soprano_member).get("/app/me")
    assert response.status_code == 200
    assert h1(response) == "Me"
    offered = buttons(response)
    assert {"Sign out", "New calendar link", "Save"} <= set(offered)
    assert team.name in response.content.decode()
    assert session_client(None).get("/app/me").status_code == 302


def test_hidden_ticket_is_a_404_and_another_teams_ticket_a_403(
    team, cycle, soprano_member, alto_member, outsider
):
    private = TicketFactory(cycle=cycle, created_by=alto_member.user, visibility="PRIVATE")
    response = session_client(soprano_member).get(f"/app/tickets/{private.pk}")
    assert response.status_code == 404
    response = session_client(outsider).get(f"/app/tickets/{private.pk}")
    assert response.status_code == 403
    assert alerts(response) == ["Not a member of this team"]
    response = session_client(alto_member).get(f"/app/tickets/{private.pk}")
    assert response.status_code == 200
    assert h1(response) == private.title


def test_invite_page_for_the_signed_out_and_the_signed_in(team, soprano_member, outsider):
    invite, token = make_invite(team, section="Tenor")
    response = session_client(None).get(f"/app/invites/{token}")
    assert response.status_code == 200
    assert h1(response) == f"Join {team.name}"
    assert "Create account and join" in buttons(response)
    response = session_client(outsider).get(f"/app/invites/{token}")
    assert "Join team" in buttons(response)
    assert session_client(None).get("/app/invites/nope").status_code == 404


def test_csrf_failure_template_is_app_styled(client, settings):
    from django.test import RequestFactory
    from django.views.csrf import csrf_failure

    request = RequestFactory().post("/app/login")
    response = csrf_failure(request, reason="CSRF token missing.")
    assert response.status_code == 403
    body = response.content.decode()
    assert "<h1>Form expired</h1>" in body
    assert "app.css" in body
