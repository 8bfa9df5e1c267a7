"""The user admin: e-mail log-in, search, activate/deactivate, set password."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.models import User
from accounts.tests.factories import DEFAULT_PASSWORD, UserFactory
from practiceops.admin_tests.conftest import ADMIN, assert_constant_queries, messages_of

CHANGELIST = f"{ADMIN}accounts/user/"


def test_staff_logs_in_through_the_admin_login_form(staff_user, settings):
    # The password step alone, as in a local demo (test_admin_sign_in.py: with the 2FA step).
    settings.ADMIN_REQUIRE_2FA = False
    client = Client()
    response = client.post(
        f"{ADMIN}login/?next={ADMIN}",
        {"username": staff_user.email, "password": DEFAULT_PASSWORD, "next": ADMIN},
    )
    assert response.status_code == 302
    assert response["Location"] == ADMIN
    index = client.get(ADMIN)
    assert index.status_code == 200
    for name in ("Users", "Teams", "Invites", "Rehearsal cycles", "Tickets", "Practice logs"):
        assert name in index.content.decode()


def test_non_staff_cannot_log_in(db):
    member = UserFactory(email="member@example.com")
    client = Client()
    response = client.post(
        f"{ADMIN}login/", {"username": member.email, "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 200
    assert "Please enter the correct email and password for a staff account" in (
        response.content.decode()
    )
    assert client.get(CHANGELIST).status_code == 302


def test_anonymous_is_sent_to_the_login_page(db):
    response = Client().get(CHANGELIST)
    assert response.status_code == 302
    assert response["Location"].startswith(f"{ADMIN}login/")


def test_changelist_search_by_email_and_name(staff_client):
    UserFactory(email="ada@example.com", display_name="Ada Lovelace")
    UserFactory(email="bob@example.com", display_name="Bob Builder")
    by_email = staff_client.get(CHANGELIST, {"q": "ada@"})
    assert [u.email for u in by_email.context["cl"].result_list] == ["ada@example.com"]
    by_name = staff_client.get(CHANGELIST, {"q": "builder"})
    assert [u.email for u in by_name.context["cl"].result_list] == ["bob@example.com"]


def test_change_and_add_forms_open(staff_client, staff_user):
    user = UserFactory()
    assert staff_client.get(f"{CHANGELIST}{user.pk}/change/").status_code == 200
    assert staff_client.get(f"{CHANGELIST}add/").status_code == 200
    page = staff_client.get(f"{CHANGELIST}{user.pk}/password/")
    assert page.status_code == 200
    assert "password1" in page.content.decode()


def test_add_user_stores_a_lower_case_email(staff_client):
    response = staff_client.post(
        f"{CHANGELIST}add/",
        {
            "email": "  New.Person@Example.COM ",
            "display_name": "New Person",
            "usable_password": "true",
            "password1": "a-long-secret-phrase-9",
            "password2": "a-long-secret-phrase-9",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    user = User.objects.get(email="new.person@example.com")
    assert user.display_name == "New Person"
    assert user.check_password("a-long-secret-phrase-9")


def test_add_user_refuses_a_taken_email_in_another_case(staff_client):
    UserFactory(email="taken@example.com")
    response = staff_client.post(
        f"{CHANGELIST}add/",
        {
            "email": "TAKEN@example.com",
            "display_name": "Copy",
            "usable_password": "true",
            "password1": "a-long-secret-phrase-9",
            "password2": "a-long-secret-phrase-9",
        },
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["email"] == [
        "A user with that e-mail address already exists."
    ]
    assert User.objects.filter(email="taken@example.com").count() == 1


def test_set_password_through_the_admin_password_form(staff_client):
    user = UserFactory()
    response = staff_client.post(
        f"{CHANGELIST}{user.pk}/password/",
        {"password1": "brand-new-phrase-42", "password2": "brand-new-phrase-42"},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("brand-new-phrase-42")
    assert not user.check_password(DEFAULT_PASSWORD)


def test_edit_user_name(staff_client):
    user = UserFactory(email="edit@example.com", display_name="Old Name")
    response = staff_client.post(
        f"{CHANGELIST}{user.pk}/change/",
        {"email": "edit@example.com", "display_name": "New Name", "is_active": "on"},
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    user.refresh_from_db()
    assert user.display_name == "New Name"


@pytest.mark.parametrize(
    ("action", "before", "after", "message"),
    [
        ("deactivate_users", True, False, "2 user(s) deactivated."),
        ("activate_users", False, True, "2 user(s) activated."),
    ],
)
def test_activate_and_deactivate_actions(staff_client, action, before, after, message):
    users = [UserFactory(is_active=before) for _ in range(2)]
    bystander = UserFactory(is_active=before)
    response = staff_client.post(
        CHANGELIST,
        {"action": action, "_selected_action": [str(u.pk) for u in users]},
        follow=True,
    )
    assert response.status_code == 200
    assert message in messages_of(response)
    assert {u.is_active for u in User.objects.filter(pk__in=[u.pk for u in users])} == {after}
    bystander.refresh_from_db()
    assert bystander.is_active is before


def test_deactivating_yourself_is_refused(staff_client, staff_user):
    other = UserFactory()
    response = staff_client.post(
        CHANGELIST,
        {"action": "deactivate_users", "_selected_action": [str(staff_user.pk), str(other.pk)]},
        follow=True,
    )
    assert "You cannot deactivate your own account." in messages_of(response)
    staff_user.refresh_from_db()
    other.refresh_from_db()
    assert staff_user.is_active is True
    assert other.is_active is False


def test_a_deactivated_user_loses_api_access(staff_client):
    from conftest import authed_client

    user = UserFactory()
    api = authed_client(user)
    assert api.get("/me").status_code == 200
    staff_client.post(
        CHANGELIST, {"action": "deactivate_users", "_selected_action": [str(user.pk)]}
    )
    assert api.get("/me").status_code == 401


def test_user_changelist_query_count_is_constant(staff_client):
    from teams.tests.factories import MembershipFactory

    def make_rows(n):
        for _ in range(n):
            MembershipFactory()

    assert_constant_queries(staff_client, CHANGELIST, make_rows, rows_shown="users")
