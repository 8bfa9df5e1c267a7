"""seed_scale: the benchmark data set is what its options say, coherent, and deterministic."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Q
from rest_framework.test import APIClient

from accounts.models import User
from notifications.models import NotificationPreference
from practice.models import Assignment, PracticeLog
from teams.models import Membership, RehearsalCycle, Role, Team
from tickets.models import Ticket, TicketActivity, TicketStatus, TicketVisibility

ANCHOR = "2026-03-04T15:00:00+00:00"
ANCHOR_AT = datetime.datetime.fromisoformat(ANCHOR)
SECTIONS = {"Soprano", "Alto", "Tenor", "Bass"}


def seed(*args: str) -> str:
    out = io.StringIO()
    call_command("seed_scale", "--anchor", ANCHOR, "--no-progress", *args, stdout=out)
    return out.getvalue()


SMALL = (
    "--teams",
    "3",
    "--members",
    "12",
    "--days",
    "14",
    "--big-team-members",
    "30",
    "--big-team-logs",
    "400",
    "--big-team-tickets",
    "150",
    "--tickets-per-team",
    "5",
)


def snapshot() -> dict[str, list]:
    return {
        "users": sorted(User.objects.values_list("id", "email", "display_name")),
        "memberships": sorted(
            Membership.objects.values_list("id", "team_id", "user_id", "role", "section")
        ),
        "cycles": sorted(RehearsalCycle.objects.values_list("id", "team_id", "date")),
        "tickets": sorted(
            Ticket.objects.values_list("id", "status", "visibility", "section", "owner_id")
        ),
        "logs": sorted(PracticeLog.objects.values_list("id", "user_id", "cycle_id", "occurred_at")),
        "links": sorted(PracticeLog.assignments.through.objects.values_list("practicelog_id")),
    }


@pytest.mark.django_db
def test_sizes_follow_the_options():
    output = seed(*SMALL)
    big = Team.objects.get(name="Scale Chorus")
    assert Team.objects.count() == 4
    assert Membership.objects.filter(team=big).count() == 30
    assert Membership.objects.exclude(team=big).count() == 3 * 12
    assert User.objects.count() == 30 + 36
    assert PracticeLog.objects.filter(team=big).count() == 400
    assert Ticket.objects.filter(team=big).count() == 150
    assert Ticket.objects.exclude(team=big).count() == 3 * 5
    # Three members in ten saved preferences: e-mail off, a longer window, no digest.
    preferences = NotificationPreference.objects.all()
    assert preferences.count() == 9 + 3 * 3
    assert preferences.filter(email_enabled=False).count() == 3 + 3
    assert preferences.filter(no_log_days=7).count() == 3 + 3
    # Every ticket has its CREATED activity.
    assert TicketActivity.objects.filter(type="CREATED").count() == Ticket.objects.count()
    assert "teams 4," in output and "big team 'Scale Chorus'" in output


@pytest.mark.django_db
def test_every_team_is_shaped_like_a_choir():
    seed(*SMALL)
    for team in Team.objects.all():
        members = Membership.objects.filter(team=team)
        assert members.filter(role=Role.ADMIN, section__isnull=True).count() == 1
        leaders = members.filter(role=Role.SECTION_LEADER)
        assert set(leaders.values_list("section", flat=True)) == SECTIONS
        assert set(members.exclude(role=Role.ADMIN).values_list("section", flat=True)) == SECTIONS
        # Weekly cycles, the next one three days after the anchor.
        dates = sorted(RehearsalCycle.objects.filter(team=team).values_list("date", flat=True))
        assert ANCHOR_AT.date() + datetime.timedelta(days=3) in dates
        assert {(b - a).days for a, b in zip(dates, dates[1:], strict=False)} == {7}


@pytest.mark.django_db
def test_tickets_mix_every_status_and_visibility_and_keep_the_rules():
    seed(*SMALL)
    big = Ticket.objects.filter(team__name="Scale Chorus")
    assert set(big.values_list("status", flat=True)) == set(TicketStatus.values)
    assert set(big.values_list("visibility", flat=True)) == set(TicketVisibility.values)
    assert not big.filter(visibility="SECTION", section__isnull=True).exists()
    closed = big.filter(status__in=["RESOLVED", "VERIFIED"])
    assert not closed.filter(Q(resolved_at__isnull=True) | Q(resolved_note__isnull=True)).exists()
    assert not big.filter(status="VERIFIED", verified_at__isnull=True).exists()
    assert not big.exclude(status="VERIFIED").filter(verified_at__isnull=False).exists()
    assert not big.filter(claimable=False, claimed_by__isnull=False).exists()
    # Owners and creators are members of the ticket's team; cycles are the team's.
    for ticket in big.select_related("cycle"):
        assert ticket.cycle.team_id == ticket.team_id
        team_users = set(
            Membership.objects.filter(team_id=ticket.team_id).values_list("user_id", flat=True)
        )
        assert {ticket.owner_id, ticket.created_by_id} - {None} <= team_users


@pytest.mark.django_db
def test_logs_are_in_the_window_and_link_what_their_author_may_see():
    seed(*SMALL)
    logs = PracticeLog.objects.all()
    assert not logs.filter(occurred_at__gt=ANCHOR_AT).exists()
    assert not logs.filter(occurred_at__lt=ANCHOR_AT - datetime.timedelta(days=14)).exists()
    # A log's cycle is the first rehearsal on or after the day it was logged, in its team.
    for log in logs.select_related("cycle")[:200]:
        assert log.cycle.team_id == log.team_id
        assert log.cycle.date >= log.occurred_at.date()
    links = PracticeLog.assignments.through.objects.select_related(
        "practicelog", "assignment__cycle"
    )
    assert links.exists()
    for link in links:
        log, assignment = link.practicelog, link.assignment
        assert assignment.cycle_id == log.cycle_id
        section = Membership.objects.get(team_id=log.team_id, user_id=log.user_id).section
        assert assignment.section in (None, section)
    for link in Ticket.practice_logs.through.objects.select_related("ticket", "practicelog"):
        assert link.ticket.visibility == "TEAM"
        assert link.ticket.team_id == link.practicelog.team_id
    # Some members never log: the reminders and the compliance figures have someone to find.
    idle = [
        m
        for m in Membership.objects.filter(team__name="Scale Chorus")
        if not PracticeLog.objects.filter(team_id=m.team_id, user_id=m.user_id).exists()
    ]
    assert idle


@pytest.mark.django_db
def test_the_same_seed_and_anchor_give_the_same_data():
    seed(*SMALL, "--seed", "7")
    first = snapshot()
    Team.objects.all().delete()
    User.objects.all().delete()
    assert not Assignment.objects.exists()
    seed(*SMALL, "--seed", "7")
    assert snapshot() == first
    Team.objects.all().delete()
    User.objects.all().delete()
    seed(*SMALL, "--seed", "8")
    assert snapshot()["tickets"] != first["tickets"]


@pytest.mark.django_db
def test_a_second_run_is_refused():
    seed("--teams", "1", "--members", "5", "--days", "2")
    with pytest.raises(CommandError, match="already present"):
        seed("--teams", "1", "--members", "5", "--days", "2")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "args, message",
    [
        (("--members", "4"), "--members must be at least 5"),
        (("--teams", "0"), "Nothing to seed"),
        (("--days", "0"), "--days must be at least 1"),
        (("--big-team-members", "3"), "--big-team-members must be 0 or at least 5"),
        (("--teams", "-1"), "--teams must not be negative"),
    ],
)
def test_bad_sizes_are_refused(args, message):
    with pytest.raises(CommandError, match=message):
        seed(*args)
    assert not Team.objects.exists()


@pytest.mark.django_db
def test_presets_and_the_password_of_the_big_team_leaders():
    seed("--preset", "demo", "--password", "correct-horse-battery")
    big = Team.objects.get(name="Scale Chorus")
    assert Membership.objects.filter(team=big).count() == 13
    assert Team.objects.count() == 1
    client = APIClient()
    for email in ("admin@big.scale.test", "soprano.leader@big.scale.test"):
        response = client.post(
            "/auth/login",
            {"email": email, "password": "correct-horse-battery"},
            format="json",
            REMOTE_ADDR="10.9.8.7",
        )
        assert response.status_code == 200, response.content
    member = Membership.objects.filter(team=big, role=Role.MEMBER).first()
    assert not member.user.has_usable_password()
