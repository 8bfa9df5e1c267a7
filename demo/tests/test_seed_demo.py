from __future__ import annotations

import datetime
import io
import re
from collections import Counter

import pytest
import time_machine
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from rest_framework.test import APIClient

from accounts.models import User
from demo import seed
from notifications.models import NotificationPreference
from practice.models import Assignment, PracticeLog
from teams.models import Membership, RehearsalCycle, Role, Team
from tickets.models import Ticket, TicketActivity, TicketStatus, TicketVisibility

NOW = datetime.datetime(2025, 3, 12, 17, 30, tzinfo=datetime.UTC)


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def printed_password(output: str) -> str | None:
    match = re.search(r"^Password[^:]*: (\S+)$", output, re.MULTILINE)
    return match.group(1) if match else None


def row_counts() -> dict[str, int]:
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


def login(email: str, password: str) -> APIClient:
    client = APIClient()
    response = client.post("/auth/login", {"email": email, "password": password}, format="json")
    assert response.status_code == 200, response.content
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {response.json()['access_token']}")
    return client


@pytest.fixture
def frozen():
    with time_machine.travel(NOW):
        yield


@pytest.fixture
def debug_on(settings):
    settings.DEBUG = True


@pytest.mark.django_db
def test_second_run_changes_no_row_counts(frozen, debug_on):
    before = row_counts()
    first = run("--staff")
    after_first = row_counts()
    second = run("--staff")

    assert row_counts() == after_first
    assert after_first["practice.PracticeLog"] > before["practice.PracticeLog"]
    assert "demo data loaded" in first
    assert "already loaded, nothing changed" in second
    assert Team.objects.filter(name=seed.TEAM_NAME).count() == 1


@pytest.mark.django_db
def test_a_run_on_another_day_changes_nothing_either(debug_on):
    with time_machine.travel(NOW):
        run()
    counts = row_counts()
    with time_machine.travel(NOW + datetime.timedelta(days=3)):
        run()
    assert row_counts() == counts


@pytest.mark.django_db
def test_the_team_has_an_admin_four_section_leaders_and_eight_members(frozen, debug_on):
    run()
    team = Team.objects.get(name=seed.TEAM_NAME)
    rows = list(Membership.objects.filter(team=team).values_list("role", "section"))

    assert Counter(role for role, _ in rows) == {
        Role.ADMIN: 1,
        Role.SECTION_LEADER: 4,
        Role.MEMBER: 8,
    }
    assert sorted(s for r, s in rows if r == Role.SECTION_LEADER) == [
        "Alto",
        "Bass",
        "Soprano",
        "Tenor",
    ]
    assert Counter(s for r, s in rows if r == Role.MEMBER) == {
        "Soprano": 2,
        "Alto": 2,
        "Tenor": 2,
        "Bass": 2,
    }
    # Everyone joined through an invite of the admin, now used.
    assert team.invites.count() == 12
    assert not team.invites.filter(used_at__isnull=True).exists()
    preferences = NotificationPreference.objects.filter(team=team)
    assert sorted(
        preferences.values_list("user__email", "weekly_digest_enabled", "no_log_days")
    ) == [
        (f"grace@{seed.DOMAIN}", False, 3),
        (f"jonas@{seed.DOMAIN}", True, 7),
    ]


@pytest.mark.django_db
def test_three_cycles_one_past_one_soon_one_later_with_assignments(frozen, debug_on):
    run()
    team = Team.objects.get(name=seed.TEAM_NAME)
    today = team.today()
    offsets = sorted(
        (cycle.date - today).days for cycle in RehearsalCycle.objects.filter(team=team)
    )

    assert len(offsets) == 3
    assert offsets[0] < 0
    assert 0 <= offsets[1] <= 7
    assert offsets[2] > 7
    for cycle in RehearsalCycle.objects.filter(team=team):
        assert Assignment.objects.filter(cycle=cycle).exists()
    sections = set(
        Assignment.objects.filter(cycle__team=team, scope="SECTION").values_list(
            "section", flat=True
        )
    )
    assert sections == {"Soprano", "Alto", "Tenor", "Bass"}


@pytest.mark.django_db
def test_tickets_reach_every_status_through_the_state_machine(frozen, debug_on):
    run()
    tickets = Ticket.objects.filter(team__name=seed.TEAM_NAME)

    assert set(tickets.values_list("status", flat=True)) == set(TicketStatus.values)
    assert set(tickets.values_list("visibility", flat=True)) == set(TicketVisibility.values)
    # Each ticket's activity trail replays to its status: every move went through a service.
    for ticket in tickets:
        status = None
        for activity in TicketActivity.objects.filter(ticket=ticket).order_by("created_at", "id"):
            if activity.new_status is None:
                continue
            if status is not None:
                assert activity.old_status == status, (ticket.title, activity.type)
            status = activity.new_status
        assert status == ticket.status, ticket.title
    verified = tickets.filter(status=TicketStatus.VERIFIED)
    assert all(t.verified_by_id and t.verified_at for t in verified)
    assert all(t.resolved_note for t in tickets.filter(status=TicketStatus.RESOLVED))
    assert tickets.filter(claimable=True, claimed_by__isnull=False).exists()


@pytest.mark.django_db
def test_a_month_of_practice_logs_the_same_every_time(debug_on):
    def snapshot() -> list[tuple]:
        return list(
            PracticeLog.objects.order_by("user__email", "occurred_at").values_list(
                "user__email", "occurred_at", "duration_minutes", "rating_1_5", "blocked_flag"
            )
        )

    with time_machine.travel(NOW):
        run()
        first = snapshot()
        Team.objects.all().delete()
        User.objects.all().delete()
        run()
        second = snapshot()

    assert first == second
    days = {occurred.date() for _, occurred, *_ in first}
    assert min(days) <= (NOW - datetime.timedelta(days=28)).date()
    assert max(occurred for _, occurred, *_ in first) <= NOW
    assert len(first) > 100
    # The lapsed member has nothing in the last week: the no-log reminder has work to do.
    lapsed = [occ for email, occ, *_ in first if email == f"felix@{seed.DOMAIN}"]
    assert lapsed and max(lapsed) < NOW - datetime.timedelta(days=8)


@pytest.mark.django_db
def test_demo_admin_logs_in_and_sees_a_leader_dashboard_with_numbers(frozen, debug_on):
    output = run()
    assert printed_password(output) == seed.DEMO_PASSWORD
    team = Team.objects.get(name=seed.TEAM_NAME)
    client = login(seed.ADMIN_EMAIL, seed.DEMO_PASSWORD)

    response = client.get(f"/teams/{team.pk}/dashboards/leader")

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["cycle"]["label"] == "Dress rehearsal"
    compliance = body["compliance"]
    assert 0 < compliance["logged_last_7_days_pct"] < 1
    assert compliance["total_practice_minutes_7d"] > 0
    assert len(compliance["practice_days_by_member"]) == 13
    risk = body["risk_summary"]
    assert risk["blocking_due_count"] > 0
    assert risk["blocked_count"] > 0
    assert risk["resolved_not_verified_count"] > 0
    assert body["private_ticket_aggregates"][0]["count"] == 3
    assert body["verification_queue"]
    assert body["drilldown"]["tickets_visible"]


@pytest.mark.django_db
def test_each_section_leader_sees_their_section(frozen, debug_on):
    run()
    team = Team.objects.get(name=seed.TEAM_NAME)
    for section in ("soprano", "alto", "tenor", "bass"):
        client = login(f"{section}.leader@{seed.DOMAIN}", seed.DEMO_PASSWORD)
        body = client.get(f"/teams/{team.pk}/dashboards/leader").json()
        members = body["compliance"]["practice_days_by_member"]
        assert {m["section"] for m in members} == {section.capitalize()}
        assert len(members) == 3


@pytest.mark.django_db
def test_outside_debug_the_password_is_generated_and_printed_once(frozen, settings):
    settings.DEBUG = False
    first = run("--staff")
    password = printed_password(first)

    assert password and password != seed.DEMO_PASSWORD
    login(seed.ADMIN_EMAIL, password)
    assert User.objects.get(email=seed.STAFF_EMAIL).check_password(password)

    second = run("--staff")
    assert password not in second
    assert printed_password(second) is None
    assert "Passwords unchanged" in second
    login(f"sarah@{seed.DOMAIN}", password)


@pytest.mark.django_db
def test_two_runs_outside_debug_never_share_a_password(frozen, settings):
    settings.DEBUG = False
    first = printed_password(run())
    Team.objects.all().delete()
    User.objects.all().delete()
    assert printed_password(run()) != first


@pytest.mark.django_db
def test_reset_passwords_sets_and_prints_a_new_one(frozen, settings):
    settings.DEBUG = False
    old = printed_password(run("--staff"))
    new = printed_password(run("--staff", "--reset-passwords"))

    assert new and new != old
    user = User.objects.get(email=seed.ADMIN_EMAIL)
    assert user.check_password(new) and not user.check_password(old)
    assert User.objects.get(email=seed.STAFF_EMAIL).check_password(new)


@pytest.mark.django_db
def test_staff_account_is_a_superuser_and_only_with_the_flag(frozen, debug_on):
    run()
    assert not User.objects.filter(email=seed.STAFF_EMAIL).exists()

    output = run("--staff")

    staff = User.objects.get(email=seed.STAFF_EMAIL)
    assert staff.is_staff and staff.is_superuser
    assert staff.check_password(seed.DEMO_PASSWORD)
    assert seed.STAFF_EMAIL in output
    assert not Membership.objects.filter(user=staff).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(("required", "says"), [(False, "the password alone"), (True, "QR code")])
def test_staff_log_in_says_how_the_second_factor_works(frozen, debug_on, settings, required, says):
    settings.ADMIN_REQUIRE_2FA = required
    output = run("--staff")
    assert f"Staff console /{settings.ADMIN_URL}: " in output
    assert says in output
    assert "Staff console" not in run()


@pytest.mark.django_db
def test_refuses_when_demo_accounts_exist_without_the_team(frozen, debug_on):
    User.objects.create_user(seed.ADMIN_EMAIL, "whatever-password-1", display_name="Someone")

    with pytest.raises(CommandError, match="exist without the Harmonia Choir team"):
        run()
    assert not Team.objects.exists()
