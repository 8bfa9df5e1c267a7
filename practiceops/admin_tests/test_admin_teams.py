"""Teams with memberships inline, memberships, invites (status, never the token), cycles."""

from __future__ import annotations

import datetime
import secrets

import pytest
from django.utils import timezone

from accounts.tests.factories import UserFactory
from practiceops.admin_tests.conftest import ADMIN, assert_constant_queries, messages_of
from teams.models import Invite, Membership, RehearsalCycle, Role, Team
from teams.services import invite_create
from teams.tests.factories import CycleFactory, MembershipFactory, TeamFactory

TEAMS = f"{ADMIN}teams/team/"
MEMBERSHIPS = f"{ADMIN}teams/membership/"
INVITES = f"{ADMIN}teams/invite/"
CYCLES = f"{ADMIN}teams/rehearsalcycle/"


def test_team_pages_open_with_memberships_inline(staff_client, team, soprano_member):
    listing = staff_client.get(TEAMS)
    assert listing.status_code == 200
    assert "Harmonia" in listing.content.decode()
    change = staff_client.get(f"{TEAMS}{team.pk}/change/")
    assert change.status_code == 200
    html = change.content.decode()
    assert soprano_member.user.email in html or str(soprano_member.user.pk) in html
    assert "memberships-TOTAL_FORMS" in html
    assert staff_client.get(f"{TEAMS}add/").status_code == 200


def test_team_search_and_member_count(staff_client, team, soprano_member, alto_member):
    TeamFactory(name="Other choir")
    response = staff_client.get(TEAMS, {"q": "harm"})
    teams = list(response.context["cl"].result_list)
    assert [t.name for t in teams] == ["Harmonia"]
    assert teams[0]._member_count == 2


def test_team_add_refuses_an_unknown_timezone(staff_client):
    data = {
        "name": "New team",
        "timezone": "Mars/Olympus",
        "weekly_goal_days": "3",
        "memberships-TOTAL_FORMS": "0",
        "memberships-INITIAL_FORMS": "0",
    }
    response = staff_client.post(f"{TEAMS}add/", data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["timezone"] == [
        "Unknown timezone (expected an IANA name such as Europe/Berlin)"
    ]
    data["timezone"] = "Europe/Berlin"
    assert staff_client.post(f"{TEAMS}add/", data).status_code == 302
    assert Team.objects.get(name="New team").timezone == "Europe/Berlin"


def test_add_a_member_through_the_inline(staff_client, team):
    user = UserFactory()
    response = staff_client.post(
        f"{TEAMS}{team.pk}/change/",
        {
            "name": team.name,
            "timezone": team.timezone,
            "weekly_goal_days": team.weekly_goal_days,
            "memberships-TOTAL_FORMS": "1",
            "memberships-INITIAL_FORMS": "0",
            "memberships-0-user": str(user.pk),
            "memberships-0-role": Role.SECTION_LEADER,
            "memberships-0-section": "",
            "memberships-0-team": str(team.pk),
        },
    )
    assert response.status_code == 302, response.context["inline_admin_formsets"][0].formset.errors
    membership = Membership.objects.get(team=team, user=user)
    # A blank section is stored as "no section" (NULL), as the API stores it.
    assert (membership.role, membership.section) == (Role.SECTION_LEADER, None)


def test_membership_pages_and_search(staff_client, soprano_member, alto_member):
    response = staff_client.get(MEMBERSHIPS, {"q": soprano_member.user.email})
    assert [m.pk for m in response.context["cl"].result_list] == [soprano_member.membership.pk]
    change = staff_client.get(f"{MEMBERSHIPS}{soprano_member.membership.pk}/change/")
    assert change.status_code == 200
    assert "calendar_token_hash" not in change.content.decode()
    filtered = staff_client.get(MEMBERSHIPS, {"role__exact": Role.MEMBER, "section": "Alto"})
    assert [m.pk for m in filtered.context["cl"].result_list] == [alto_member.membership.pk]


@pytest.fixture
def invites(team, admin):
    active, active_token = invite_create(team=team, created_by=admin.user, role=Role.MEMBER)
    used, _ = invite_create(team=team, created_by=admin.user, email="used@example.com")
    Invite.objects.filter(pk=used.pk).update(used_at=timezone.now(), used_by=admin.user)
    expired, expired_token = invite_create(team=team, created_by=admin.user)
    Invite.objects.filter(pk=expired.pk).update(
        expires_at=timezone.now() - datetime.timedelta(hours=1)
    )
    return {
        "active": Invite.objects.get(pk=active.pk),
        "used": Invite.objects.get(pk=used.pk),
        "expired": Invite.objects.get(pk=expired.pk),
        "tokens": [active_token, expired_token],
    }


def test_invite_status_column_and_filter(staff_client, invites):
    response = staff_client.get(INVITES)
    assert response.status_code == 200
    admin_obj = response.context["cl"].model_admin
    shown = {invite.pk: admin_obj.status(invite) for invite in response.context["cl"].result_list}
    assert shown == {
        invites["active"].pk: "active",
        invites["used"].pk: "used",
        invites["expired"].pk: "expired",
    }
    for status in ("active", "used", "expired"):
        filtered = staff_client.get(INVITES, {"status": status})
        assert [i.pk for i in filtered.context["cl"].result_list] == [invites[status].pk]


def test_invite_token_is_never_shown(staff_client, invites):
    pages = [staff_client.get(INVITES)]
    pages += [staff_client.get(f"{INVITES}{invites[k].pk}/change/") for k in ("active", "used")]
    for page in pages:
        assert page.status_code == 200
        html = page.content.decode()
        assert "token hash" not in html.lower()
        assert "token_hash" not in html
        for invite in (invites["active"], invites["used"], invites["expired"]):
            assert invite.token_hash not in html
        for raw in invites["tokens"]:
            assert raw not in html


def test_invites_cannot_be_added_or_edited_in_the_admin(staff_client, invites):
    assert staff_client.get(f"{INVITES}add/").status_code == 403
    invite = invites["active"]
    staff_client.post(f"{INVITES}{invite.pk}/change/", {"role": Role.ADMIN})
    invite.refresh_from_db()
    assert invite.role == Role.MEMBER


def test_revoke_action_goes_through_the_service(staff_client, invites):
    response = staff_client.post(
        INVITES,
        {
            "action": "revoke_invites",
            "_selected_action": [str(invites["active"].pk), str(invites["used"].pk)],
        },
        follow=True,
    )
    shown = messages_of(response)
    assert "1 invite(s) revoked." in shown
    assert "Invite to Harmonia (used@example.com): Invite has already been used" in shown
    assert not Invite.objects.filter(pk=invites["active"].pk).exists()
    assert Invite.objects.filter(pk=invites["used"].pk).exists()


def test_cycle_pages(staff_client, cycle):
    assert staff_client.get(CYCLES).status_code == 200
    assert staff_client.get(f"{CYCLES}{cycle.pk}/change/").status_code == 200
    assert staff_client.get(f"{CYCLES}add/").status_code == 200
    response = staff_client.get(CYCLES, {"q": "Harmonia"})
    assert [c.pk for c in response.context["cl"].result_list] == [cycle.pk]


def test_cycle_add_refuses_a_second_cycle_on_the_same_date(staff_client, cycle):
    response = staff_client.post(
        f"{CYCLES}add/",
        {"team": str(cycle.team_id), "name": "Again", "date": cycle.date.isoformat()},
    )
    assert response.status_code == 200
    assert RehearsalCycle.objects.filter(team=cycle.team).count() == 1
    edit = staff_client.post(
        f"{CYCLES}{cycle.pk}/change/", {"name": "Renamed", "date": cycle.date.isoformat()}
    )
    assert edit.status_code == 302
    cycle.refresh_from_db()
    assert cycle.name == "Renamed"


@pytest.mark.parametrize(
    ("url", "make_row"),
    [
        (TEAMS, lambda: MembershipFactory().team),
        (MEMBERSHIPS, lambda: MembershipFactory()),
        (
            INVITES,
            lambda: Invite.objects.create(
                team=TeamFactory(),
                token_hash=secrets.token_hex(32),
                expires_at=timezone.now(),
                used_by=UserFactory(),
                created_by=UserFactory(),
            ),
        ),
        (CYCLES, lambda: CycleFactory()),
    ],
    ids=["teams", "memberships", "invites", "cycles"],
)
def test_changelist_query_count_is_constant(staff_client, url, make_row):
    def make_rows(n):
        for _ in range(n):
            make_row()

    assert_constant_queries(staff_client, url, make_rows, rows_shown=url)
