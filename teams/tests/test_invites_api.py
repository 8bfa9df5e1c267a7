import datetime
import hashlib

import pytest
import time_machine
from django.core import mail
from rest_framework.test import APIClient

from accounts.models import User
from conftest import assert_error, authed_client, make_persona
from teams.models import Invite, Membership, Role
from teams.tests.conftest import NON_ADMINS, run_concurrently
from teams.tests.factories import InviteFactory, make_invite
from teams.tests.test_members_api import walk

INVITE_KEYS = {"id", "email", "role", "section", "expires_at", "used_at", "created_at"}
NOW = datetime.datetime(2026, 3, 1, 18, 30, tzinfo=datetime.UTC)


def iso(value: datetime.datetime) -> str:
    return value.isoformat().replace("+00:00", "Z")


# --- POST /teams/{id}/invites ---------------------------------------------------------------


@time_machine.travel(NOW, tick=False)
def test_admin_creates_an_invite_link_shown_once(admin, team, settings):
    settings.FRONTEND_URL = "https://app.example.com"
    response = authed_client(admin.user).post(
        f"/teams/{team.id}/invites", {"role": "SECTION_LEADER", "section": "Tenor"}, format="json"
    )

    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"invite_link", "invite"}
    prefix = "https://app.example.com/invites/"
    assert body["invite_link"].startswith(prefix)
    raw = body["invite_link"][len(prefix) :]
    assert len(raw) >= 43  # 32 random bytes, URL-safe base64
    invite = Invite.objects.get()
    assert invite.token_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in str(Invite.objects.values().get())
    assert body["invite"] == {
        "id": str(invite.id),
        "email": None,
        "role": "SECTION_LEADER",
        "section": "Tenor",
        "expires_at": "2026-03-08T18:30:00Z",
        "used_at": None,
        "created_at": "2026-03-01T18:30:00Z",
    }
    assert invite.created_by == admin.user
    assert mail.outbox == []


@time_machine.travel(NOW, tick=False)
def test_invite_defaults_and_custom_expiry(admin, team):
    body = (
        authed_client(admin.user)
        .post(f"/teams/{team.id}/invites", {"expires_in_hours": 1}, format="json")
        .json()
    )
    assert (body["invite"]["role"], body["invite"]["section"]) == ("MEMBER", None)
    assert body["invite"]["expires_at"] == "2026-03-01T19:30:00Z"


def test_invite_with_email_sends_the_invitation(admin, team, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = admin.client.post(
            f"/teams/{team.id}/invites", {"email": "New.Singer@Example.com"}, format="json"
        )

    assert response.status_code == 201
    assert len(callbacks) == 1
    assert response.json()["invite"]["email"] == "new.singer@example.com"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["new.singer@example.com"]
    assert "Harmonia" in message.subject
    link = response.json()["invite_link"]
    assert link in message.body and "Harmonia" in message.body and "Ada Admin" in message.body
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    assert f'href="{link}"' in html and "<strong>Harmonia</strong>" in html
    assert message.extra_headers["X-PracticeOps-Kind"] == "invite"


def test_invitation_email_is_not_sent_when_the_request_fails(
    admin, team, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.client.post(
            f"/teams/{team.id}/invites",
            {"email": "a@example.com", "expires_in_hours": 0},
            format="json",
        )
    assert response.status_code == 422
    assert mail.outbox == []


def test_inviting_a_current_member_is_a_conflict(admin, alto_member, team):
    response = admin.client.post(
        f"/teams/{team.id}/invites", {"email": alto_member.user.email.upper()}, format="json"
    )
    assert_error(
        response, 409, "CONFLICT", "This person is already a member of this team", field="email"
    )


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"expires_in_hours": 0}, "expires_in_hours"),
        ({"expires_in_hours": 721}, "expires_in_hours"),
        ({"expires_in_hours": "24"}, "expires_in_hours"),
        ({"role": "OWNER"}, "role"),
        ({"role": 1}, "role"),
        ({"email": "not-an-email"}, "email"),
        ({"email": 5}, "email"),
        ({"section": "x" * 51}, "section"),
    ],
)
def test_invite_validation(admin, team, body, field):
    response = admin.client.post(f"/teams/{team.id}/invites", body, format="json")
    assert_error(response, 422, "VALIDATION_ERROR", field=field)
    assert not Invite.objects.exists()


@pytest.mark.parametrize("name", NON_ADMINS)
def test_only_admins_create_invites(everyone, team, name):
    response = everyone[name].client.post(f"/teams/{team.id}/invites", {}, format="json")
    assert_error(response, 403, "FORBIDDEN", "Admin role required", field=None)


def test_outsider_and_anonymous_cannot_create_invites(outsider, anon, team):
    assert_error(
        outsider.client.post(f"/teams/{team.id}/invites", {}, format="json"),
        403,
        "FORBIDDEN",
        "Not a member of this team",
    )
    assert_error(anon.post(f"/teams/{team.id}/invites", {}, format="json"), 401, "UNAUTHORIZED")


# --- GET /teams/{id}/invites ----------------------------------------------------------------


def test_admin_lists_unused_invites_newest_first(admin, team, other_team):
    older, _ = make_invite(team, email="old@example.com")
    newer, _ = make_invite(team, role=Role.SECTION_LEADER, section="Bass")
    make_invite(team, used_at=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC))
    make_invite(other_team)
    Invite.objects.filter(pk=older.pk).update(
        created_at=newer.created_at - datetime.timedelta(minutes=1)
    )

    body = admin.client.get(f"/teams/{team.id}/invites").json()

    assert [item["id"] for item in body["items"]] == [str(newer.id), str(older.id)]
    assert all(set(item) == INVITE_KEYS for item in body["items"])
    assert body["items"][1]["email"] == "old@example.com"

    with_used = admin.client.get(f"/teams/{team.id}/invites", {"include_used": "true"}).json()
    assert len(with_used["items"]) == 3
    assert_error(
        admin.client.get(f"/teams/{team.id}/invites", {"include_used": "maybe"}),
        422,
        "VALIDATION_ERROR",
        field="include_used",
    )


def test_invite_pages_walk_every_invite_once(admin, team):
    with time_machine.travel(NOW, tick=False):
        invites = InviteFactory.create_batch(7, team=team)

    items, pages = walk(admin.client, f"/teams/{team.id}/invites", limit=2)

    assert pages == 4
    assert sorted(item["id"] for item in items) == sorted(str(i.id) for i in invites)
    keys = [(item["created_at"], item["id"]) for item in items]
    assert keys == sorted(keys, reverse=True)


def test_invite_list_query_count_does_not_grow(admin, team, django_assert_max_num_queries):
    InviteFactory.create_batch(2, team=team)
    with django_assert_max_num_queries(4) as small:
        assert len(admin.client.get(f"/teams/{team.id}/invites").json()["items"]) == 2
    InviteFactory.create_batch(30, team=team)
    with django_assert_max_num_queries(4) as large:
        assert len(admin.client.get(f"/teams/{team.id}/invites").json()["items"]) == 32
    assert len(small.captured_queries) == len(large.captured_queries)


@pytest.mark.parametrize("name", NON_ADMINS)
def test_only_admins_list_invites(everyone, team, name):
    assert_error(
        everyone[name].client.get(f"/teams/{team.id}/invites"),
        403,
        "FORBIDDEN",
        "Admin role required",
    )


def test_outsider_cannot_list_invites(outsider, team):
    assert_error(
        outsider.client.get(f"/teams/{team.id}/invites"),
        403,
        "FORBIDDEN",
        "Not a member of this team",
    )


# --- GET /invites/{token} -------------------------------------------------------------------


def test_public_invite_preview(anon, team):
    _, raw = make_invite(team, email="x@example.com", role=Role.SECTION_LEADER, section="Alto")

    response = anon.get(f"/invites/{raw}")

    assert response.status_code == 200
    assert response.json() == {
        "team_name": "Harmonia",
        "email": "x@example.com",
        "role": "SECTION_LEADER",
        "section": "Alto",
        "expired": False,
    }


def test_preview_ignores_a_stale_bearer_token(team):
    _, raw = make_invite(team)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Bearer expired.or.garbage")
    assert client.get(f"/invites/{raw}").json()["expired"] is False


def test_preview_says_expired_when_used_or_past(anon, team):
    _, used = make_invite(team, used_at=NOW)
    _, past = make_invite(team, expires_at=NOW)
    with time_machine.travel(NOW + datetime.timedelta(seconds=1), tick=False):
        assert anon.get(f"/invites/{used}").json()["expired"] is True
        assert anon.get(f"/invites/{past}").json()["expired"] is True


def test_preview_unknown_token(anon, db):
    assert_error(
        anon.get("/invites/no-such-token"), 404, "NOT_FOUND", "Invite not found", field=None
    )


# --- POST /invites/{token}/accept -----------------------------------------------------------


def test_anonymous_accept_creates_the_account_and_membership(anon, team):
    invite, raw = make_invite(team, role=Role.SECTION_LEADER, section="Bass")

    response = anon.post(
        f"/invites/{raw}/accept",
        {"name": "Bo Bass", "email": "Bo@Example.com", "password": "a-long-passphrase-9"},
        format="json",
    )

    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"membership", "access_token", "refresh_token"}
    user = User.objects.get(email="bo@example.com")
    assert user.display_name == "Bo Bass" and user.check_password("a-long-passphrase-9")
    assert body["membership"]["user_id"] == str(user.id)
    assert body["membership"]["team_id"] == str(team.id)
    assert (body["membership"]["role"], body["membership"]["section"]) == ("SECTION_LEADER", "Bass")
    me = APIClient()
    me.credentials(HTTP_AUTHORIZATION=f"Bearer {body['access_token']}")
    assert me.get("/me").json()["primary_team"]["team_id"] == str(team.id)
    invite.refresh_from_db()
    assert invite.used_at is not None and invite.used_by == user


def test_signed_in_accept_returns_no_tokens(outsider, team):
    invite, raw = make_invite(team, section="Alto")

    response = outsider.client.post(f"/invites/{raw}/accept", {"password": "x"}, format="json")

    assert response.status_code == 201
    body = response.json()
    assert body["access_token"] is None and body["refresh_token"] is None
    membership = Membership.objects.get(team=team, user=outsider.user)
    assert body["membership"]["id"] == str(membership.id)
    assert (membership.role, membership.section) == (Role.MEMBER, "Alto")
    assert outsider.client.get(f"/teams/{team.id}").status_code == 200


def test_accept_bound_invite_with_matching_email(team):
    person = make_persona(None, email="bound@example.com")
    _, raw = make_invite(team, email="bound@example.com")
    assert person.client.post(f"/invites/{raw}/accept").status_code == 201


def test_accept_unknown_invite(anon, db):
    response = anon.post("/invites/nope/accept", {}, format="json")
    assert_error(response, 404, "NOT_FOUND", "Invite not found", field=None)


def test_accept_used_invite(outsider, team):
    _, raw = make_invite(team, used_at=NOW)
    response = outsider.client.post(f"/invites/{raw}/accept")
    assert_error(response, 409, "CONFLICT", "Invite has already been used", field=None)


def test_accept_twice_by_the_same_person(outsider, team):
    _, raw = make_invite(team)
    assert outsider.client.post(f"/invites/{raw}/accept").status_code == 201
    assert_error(
        outsider.client.post(f"/invites/{raw}/accept"),
        409,
        "CONFLICT",
        "Invite has already been used",
    )


def test_accept_expired_invite(outsider, team):
    _, raw = make_invite(team, expires_at=NOW)
    with time_machine.travel(NOW, tick=False):
        response = authed_client(outsider.user).post(f"/invites/{raw}/accept")
    assert_error(response, 403, "FORBIDDEN", "Invite has expired", field=None)
    assert not Membership.objects.filter(team=team, user=outsider.user).exists()


def test_accept_when_already_a_member(alto_member, team):
    invite, raw = make_invite(team)
    response = alto_member.client.post(f"/invites/{raw}/accept")
    assert_error(response, 409, "CONFLICT", "Already a member of this team", field=None)
    invite.refresh_from_db()
    assert invite.used_at is None


def test_accept_invite_bound_to_another_email(outsider, anon, team):
    _, raw = make_invite(team, email="someone@example.com")

    response = outsider.client.post(f"/invites/{raw}/accept")
    assert_error(
        response, 403, "FORBIDDEN", "This invite was sent to a different email address", field=None
    )

    response = anon.post(
        f"/invites/{raw}/accept",
        {"name": "Eve", "email": "eve@example.com", "password": "a-long-passphrase-9"},
        format="json",
    )
    assert_error(response, 403, "FORBIDDEN", "This invite was sent to a different email address")
    assert not User.objects.filter(email="eve@example.com").exists()


@pytest.mark.parametrize(
    "missing",
    ["name", "email", "password"],
)
def test_new_account_needs_name_email_and_password(anon, team, missing):
    _, raw = make_invite(team)
    body = {"name": "Neo", "email": "neo@example.com", "password": "a-long-passphrase-9"}
    del body[missing]

    response = anon.post(f"/invites/{raw}/accept", body, format="json")

    assert_error(response, 422, "VALIDATION_ERROR", "This field is required.", field=missing)
    assert not User.objects.filter(email="neo@example.com").exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "Neo", "email": "neo@example.com", "password": "short"}, "password"),
        ({"name": "Neo", "email": "neo@example.com", "password": "12345678901"}, "password"),
        ({"name": "Neo", "email": "neo", "password": "a-long-passphrase-9"}, "email"),
        ({"name": 7, "email": "neo@example.com", "password": "a-long-passphrase-9"}, "name"),
    ],
)
def test_new_account_fields_are_validated(anon, team, body, field):
    invite, raw = make_invite(team)
    assert_error(
        anon.post(f"/invites/{raw}/accept", body, format="json"),
        422,
        "VALIDATION_ERROR",
        field=field,
    )
    invite.refresh_from_db()
    assert invite.used_at is None


def test_anonymous_accept_with_the_email_of_an_existing_account(anon, alto_member, team):
    _, raw = make_invite(team)
    response = anon.post(
        f"/invites/{raw}/accept",
        {"name": "Alice", "email": alto_member.user.email.upper(), "password": "whatever-it-is-1"},
        format="json",
    )
    assert_error(
        response,
        409,
        "CONFLICT",
        "An account with this email exists. Please log in to accept this invite.",
        field="email",
    )


def test_anonymous_accept_of_a_bound_invite_takes_the_invites_email(anon, team):
    invite, raw = make_invite(team, email="new.singer@example.com", section="Tenor")

    response = anon.post(
        f"/invites/{raw}/accept",
        {"name": "New Singer", "password": "a-long-passphrase-9"},
        format="json",
    )

    assert response.status_code == 201, response.content
    body = response.json()
    user = User.objects.get(email="new.singer@example.com")
    assert user.display_name == "New Singer" and user.check_password("a-long-passphrase-9")
    assert body["membership"]["user_id"] == str(user.id)
    assert body["membership"]["section"] == "Tenor"
    assert body["access_token"] and body["refresh_token"]
    invite.refresh_from_db()
    assert invite.used_by == user


def test_anonymous_accept_of_a_bound_invite_to_an_existing_account_is_409(anon, alto_member, team):
    invite, raw = make_invite(team, email=alto_member.user.email)

    # Neither the e-mail nor a name or password: the account exists, so the caller must log in.
    for body in ({}, {"name": "Alice", "password": "whatever-it-is-1"}):
        assert_error(
            anon.post(f"/invites/{raw}/accept", body, format="json"),
            409,
            "CONFLICT",
            "An account with this email exists. Please log in to accept this invite.",
            field="email",
        )
    invite.refresh_from_db()
    assert invite.used_at is None
    assert Membership.objects.filter(user=alto_member.user).count() == 1


def test_anonymous_accept_of_a_bound_invite_still_needs_a_name(anon, team):
    _, raw = make_invite(team, email="nameless@example.com")
    assert_error(
        anon.post(f"/invites/{raw}/accept", {"password": "a-long-passphrase-9"}, format="json"),
        422,
        "VALIDATION_ERROR",
        "This field is required.",
        field="name",
    )
    assert not User.objects.filter(email="nameless@example.com").exists()


def test_accept_is_rate_limited_per_ip(anon, team, settings):
    settings.AUTH_RATE_LIMIT = "3/m"
    for _ in range(3):
        assert anon.post("/invites/nope/accept").status_code == 404
    response = anon.post("/invites/nope/accept")
    assert_error(response, 429, "RATE_LIMITED", field=None)
    assert int(response["Retry-After"]) >= 1


@pytest.mark.django_db(transaction=True)
def test_simultaneous_accepts_make_exactly_one_membership(require_postgres, team):
    _, raw = make_invite(team)
    people = [make_persona(None) for _ in range(5)]
    anonymous = APIClient()

    def accept(client: APIClient, body=None):
        return lambda: client.post(f"/invites/{raw}/accept", body or {}, format="json").status_code

    calls = [accept(authed_client(person.user)) for person in people]
    calls.append(
        accept(
            anonymous,
            {"name": "New", "email": "new@example.com", "password": "a-long-passphrase-9"},
        )
    )

    statuses = run_concurrently(calls)

    assert sorted(statuses) == [201] + [409] * 5
    assert Membership.objects.filter(team=team).count() == 1
    invite = Invite.objects.get()
    assert invite.used_by_id == Membership.objects.get(team=team).user_id


# --- DELETE /invites/{id or token} ----------------------------------------------------------


def test_admin_revokes_by_id(admin, team):
    invite, raw = make_invite(team)

    response = admin.client.delete(f"/invites/{invite.id}")

    assert response.status_code == 200
    assert response.json() == {"message": "Invite revoked successfully"}
    assert not Invite.objects.exists()
    assert admin.client.get(f"/invites/{raw}").status_code == 404


def test_admin_revokes_by_raw_token(admin, alto_member, team):
    _, raw = make_invite(team)

    assert admin.client.delete(f"/invites/{raw}").status_code == 200
    assert_error(
        alto_member.client.post(f"/invites/{raw}/accept"), 404, "NOT_FOUND", "Invite not found"
    )


def test_revoking_a_used_invite_is_a_conflict(admin, team):
    invite, _ = make_invite(team, used_at=NOW)
    assert_error(
        admin.client.delete(f"/invites/{invite.id}"),
        409,
        "CONFLICT",
        "Invite has already been used",
    )
    assert Invite.objects.filter(pk=invite.pk).exists()


@pytest.mark.parametrize("name", NON_ADMINS)
def test_only_admins_revoke(everyone, team, name):
    invite, _ = make_invite(team)
    assert_error(
        everyone[name].client.delete(f"/invites/{invite.id}"),
        403,
        "FORBIDDEN",
        "Admin role required",
    )
    assert Invite.objects.filter(pk=invite.pk).exists()


def test_another_teams_admin_cannot_revoke(outsider, team):
    invite, raw = make_invite(team)
    assert_error(
        outsider.client.delete(f"/invites/{invite.id}"),
        403,
        "FORBIDDEN",
        "Not a member of this team",
    )
    assert_error(
        outsider.client.delete(f"/invites/{raw}"), 403, "FORBIDDEN", "Not a member of this team"
    )


def test_revoke_unknown_and_anonymous(admin, anon, team):
    invite, _ = make_invite(team)
    assert_error(
        admin.client.delete("/invites/00000000-0000-0000-0000-000000000000"),
        404,
        "NOT_FOUND",
        "Invite not found",
    )
    assert_error(
        admin.client.delete("/invites/unknown-token"), 404, "NOT_FOUND", "Invite not found"
    )
    assert_error(
        anon.delete(f"/invites/{invite.id}"), 401, "UNAUTHORIZED", "Missing authorization header"
    )


def test_invite_tokens_stay_out_of_the_logs(admin, anon, team, settings, caplog):
    settings.AUTH_RATE_LIMIT = "2/m"
    _, raw = make_invite(team)
    body = {"name": "Neo", "email": "neo@example.com", "password": "a-long-passphrase-9"}

    anon.get(f"/invites/{raw}")
    anon.post(f"/invites/{raw}/accept", body, format="json")
    anon.post(f"/invites/{raw}/accept", body, format="json")
    assert anon.post(f"/invites/{raw}/accept", body, format="json").status_code == 429
    created = admin.client.post(f"/teams/{team.id}/invites", {}, format="json").json()

    assert "/invites/[redacted]/accept" in caplog.text
    assert raw not in caplog.text
    assert created["invite_link"].rsplit("/", 1)[1] not in caplog.text
    assert "a-long-passphrase-9" not in caplog.text
