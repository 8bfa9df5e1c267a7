"""Team settings: ADMIN only; team, members (the last admin's refusals), invites (link shown
once, revoke), rehearsals — each refusal re-rendered with the API's message, nothing changed."""

from __future__ import annotations

import datetime
import re

import pytest

from teams.access import ADMIN_REQUIRED
from teams.models import Invite, Membership, RehearsalCycle, Role, Team
from teams.services import (
    CYCLE_DATE_TAKEN,
    INVITE_USED,
    LAST_ADMIN_DEMOTE,
    LAST_ADMIN_REMOVE,
    UNKNOWN_TIMEZONE,
    invite_accept,
    invite_create,
)
from teams.tests.factories import CycleFactory
from web.tests.conftest import session_client
from web.tests.helpers import alerts, buttons, h1


def url(team, rest: str = "") -> str:  # type: ignore[no-untyped-def]
    return f"/app/t/{team.pk}/settings{rest}"


def test_who_may_open_team_settings(team, admin, soprano_leader, soprano_member, outsider):
    page = session_client(admin).get(url(team))
    assert page.status_code == 200
    assert h1(page) == "Team settings"
    assert {"Save", "Remove", "Create invite"} <= set(buttons(page))
    for persona in (soprano_leader, soprano_member):
        refused = session_client(persona).get(url(team))
        assert refused.status_code == 403
        assert alerts(refused) == [ADMIN_REQUIRED]
    assert session_client(outsider).get(url(team)).status_code == 403


def test_leader_posts_are_refused_and_change_nothing(team, soprano_leader, soprano_member):
    client = session_client(soprano_leader)
    response = client.post(url(team, "/team"), {"name": "Taken over", "timezone": "UTC"})
    assert response.status_code == 403
    assert alerts(response) == [ADMIN_REQUIRED]
    response = client.post(
        url(team, f"/members/{soprano_member.user.pk}"), {"role": "ADMIN", "section": ""}
    )
    assert response.status_code == 403
    team.refresh_from_db()
    assert team.name == "Harmonia"
    assert Membership.objects.get(pk=soprano_member.membership.pk).role == Role.MEMBER


def test_team_name_and_timezone(team, admin):
    client = session_client(admin)
    response = client.post(
        url(team, "/team"), {"name": "Harmonia Choir", "timezone": "Europe/Berlin"}
    )
    assert response.status_code == 302
    team.refresh_from_db()
    assert (team.name, team.timezone) == ("Harmonia Choir", "Europe/Berlin")
    refused = client.post(url(team, "/team"), {"name": "Renamed", "timezone": "Mars/Olympus"})
    assert refused.status_code == 422
    assert alerts(refused) == [UNKNOWN_TIMEZONE]
    assert 'value="Renamed"' in refused.content.decode()  # the input kept
    assert Team.objects.get(pk=team.pk).name == "Harmonia Choir"  # nothing changed
    blank = client.post(url(team, "/team"), {"name": "", "timezone": "UTC"})
    assert blank.status_code == 422
    assert alerts(blank) == ["This field may not be blank."]


def test_member_role_and_section(team, admin, soprano_member):
    client = session_client(admin)
    response = client.post(
        url(team, f"/members/{soprano_member.user.pk}"),
        {"role": "SECTION_LEADER", "section": "Alto"},
    )
    assert response.status_code == 302
    membership = Membership.objects.get(pk=soprano_member.membership.pk)
    assert (membership.role, membership.section) == (Role.SECTION_LEADER, "Alto")


def test_demoting_the_last_admin_is_refused_with_its_message(team, admin, soprano_member):
    client = session_client(admin)
    response = client.post(
        url(team, f"/members/{admin.user.pk}"), {"role": "MEMBER", "section": ""}
    )
    assert response.status_code == 409
    assert alerts(response) == [LAST_ADMIN_DEMOTE]
    page = response.content.decode()
    # The message stands on the admin's own row.
    row = page.split(f'id="member-{admin.user.pk}"')[1].split("</li>")[0]
    assert LAST_ADMIN_DEMOTE in row
    assert Membership.objects.get(pk=admin.membership.pk).role == Role.ADMIN


def test_removing_the_last_admin_is_refused_and_a_member_is_removed(team, admin, alto_member):
    client = session_client(admin)
    response = client.post(url(team, f"/members/{admin.user.pk}/remove"))
    assert response.status_code == 409
    assert alerts(response) == [LAST_ADMIN_REMOVE]
    assert Membership.objects.filter(pk=admin.membership.pk).exists()
    response = client.post(url(team, f"/members/{alto_member.user.pk}/remove"))
    assert response.status_code == 302
    assert not Membership.objects.filter(pk=alto_member.membership.pk).exists()


def test_create_invite_shows_the_link_once_and_it_joins(team, admin):
    client = session_client(admin)
    response = client.post(
        url(team, "/invites"), {"email": "", "role": "SECTION_LEADER", "section": "Tenor"}
    )
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    link = re.search(r'id="invite-link" class="copy" readonly value="([^"]+)"', page).group(1)
    assert link.startswith("http://testserver/app/invites/")
    assert 'data-copy="invite-link"' in page and "web/copy.js" in page
    invite = Invite.objects.get(team=team)
    assert (invite.role, invite.section, invite.email) == ("SECTION_LEADER", "Tenor", None)
    # Shown once: a reload does not show it again, and the list never carries a token.
    listing = client.get(url(team)).content.decode()
    assert link.rsplit("/", 1)[1] not in listing
    assert "Anyone with the link" in listing
    membership, _ = invite_accept(
        raw_token=link.rsplit("/", 1)[1],
        name="Tina Tenor",
        email="tina@example.com",
        password="long-enough-1",
    )
    assert (membership.role, membership.section) == ("SECTION_LEADER", "Tenor")


def test_invite_refusals(team, admin, soprano_member):
    client = session_client(admin)
    response = client.post(
        url(team, "/invites"), {"email": soprano_member.user.email, "role": "MEMBER"}
    )
    assert response.status_code == 409
    assert alerts(response) == ["This person is already a member of this team"]
    bad = client.post(url(team, "/invites"), {"email": "", "role": "OWNER"})
    assert bad.status_code == 422
    assert alerts(bad) == ['"OWNER" is not a valid choice.']
    assert not Invite.objects.exists()


def test_revoke_and_revoking_a_used_invite(team, admin, outsider):
    invite, raw = invite_create(team=team, created_by=admin.user)
    client = session_client(admin)
    assert client.post(url(team, f"/invites/{invite.pk}/revoke")).status_code == 302
    assert not Invite.objects.filter(pk=invite.pk).exists()
    used, raw = invite_create(team=team, created_by=admin.user)
    invite_accept(raw_token=raw, name="New", email="new@example.com", password="long-enough-1")
    # A used invite is not listed; revoking it by its id is refused with the API's message.
    response = client.post(url(team, f"/invites/{used.pk}/revoke"))
    assert response.status_code == 409
    assert alerts(response) == [INVITE_USED]
    # Another team's invite is not this page's to revoke.
    foreign, _ = invite_create(team=outsider.membership.team, created_by=outsider.user)
    response = client.post(url(team, f"/invites/{foreign.pk}/revoke"))
    assert response.status_code == 404
    assert Invite.objects.filter(pk=foreign.pk).exists()


def test_rehearsals_create_edit_delete_and_the_active_one(team, admin):
    client = session_client(admin)
    today = team.today()
    soon = today + datetime.timedelta(days=3)
    later = today + datetime.timedelta(days=10)
    assert (
        client.post(
            url(team, "/rehearsals"), {"date": soon.isoformat(), "label": "Spring run"}
        ).status_code
        == 302
    )
    assert (
        client.post(url(team, "/rehearsals"), {"date": later.isoformat(), "label": ""}).status_code
        == 302
    )
    first = RehearsalCycle.objects.get(team=team, date=soon)
    page = client.get(url(team)).content.decode()
    active_row = page.split(f'id="rehearsal-{first.pk}"')[1].split("</li>")[0]
    assert ">Active<" in active_row
    taken = client.post(url(team, "/rehearsals"), {"date": soon.isoformat(), "label": "Again"})
    assert taken.status_code == 409
    assert alerts(taken) == [CYCLE_DATE_TAKEN]
    response = client.post(
        url(team, f"/rehearsals/{first.pk}"), {"date": soon.isoformat(), "label": "Dress rehearsal"}
    )
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.name == "Dress rehearsal"
    clash = client.post(
        url(team, f"/rehearsals/{first.pk}"), {"date": later.isoformat(), "label": "X"}
    )
    assert clash.status_code == 409
    row = clash.content.decode().split(f'id="rehearsal-{first.pk}"')[1].split("</li>")[0]
    assert CYCLE_DATE_TAKEN in row
    assert client.post(url(team, f"/rehearsals/{first.pk}/delete")).status_code == 302
    assert not RehearsalCycle.objects.filter(pk=first.pk).exists()


def test_another_teams_rehearsal_is_not_found(team, admin, other_team):
    foreign = CycleFactory(team=other_team)
    response = session_client(admin).post(url(team, f"/rehearsals/{foreign.pk}/delete"))
    assert response.status_code == 404
    assert RehearsalCycle.objects.filter(pk=foreign.pk).exists()


@pytest.mark.parametrize("path", ["/team", "/invites", "/rehearsals"])
def test_settings_posts_need_csrf(team, admin, path):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(admin.user)
    assert client.post(url(team, path), {}).status_code == 403


def test_an_admin_who_removes_themself_leaves_the_team(team, admin):
    from conftest import make_persona

    make_persona(team, role=Role.ADMIN, display_name="Second Admin")
    client = session_client(admin)
    response = client.post(url(team, f"/members/{admin.user.pk}/remove"))
    assert response.status_code == 302
    assert response["Location"] == "/app/"
    assert not Membership.objects.filter(pk=admin.membership.pk).exists()
    assert client.get(url(team)).status_code == 403


def test_unknown_member_and_outsider_posts(team, admin, outsider, other_team):
    client = session_client(admin)
    response = client.post(
        url(team, f"/members/{outsider.user.pk}"), {"role": "MEMBER", "section": ""}
    )
    assert response.status_code == 404
    assert alerts(response) == ["Member not found"]
    # Someone of another team cannot touch this team's settings at all.
    refused = session_client(outsider).post(url(team, "/team"), {"name": "Mine", "timezone": "UTC"})
    assert refused.status_code == 403
    assert alerts(refused) == ["Not a member of this team"]
    team.refresh_from_db()
    assert team.name == "Harmonia"
