"""blocking_due_48h, deadline_reminder and blocked_over_48h: who is told, and only once."""

import datetime

import pytest

from conftest import make_persona
from notifications.models import EmailDelivery
from notifications.tests.factories import (
    NotificationPreferenceFactory,
    TicketActivityFactory,
    TicketFactory,
)
from practice.models import Priority
from teams.models import Role
from teams.tests.factories import MembershipFactory
from tickets.models import Ticket, TicketStatus, TicketVisibility

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
NOW = datetime.datetime(2026, 3, 4, 9, 0, tzinfo=UTC)
H = datetime.timedelta(hours=1)


@pytest.fixture
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)
    return NOW


def sent(mailoutbox) -> list[tuple[str, str]]:
    return sorted((message.to[0], message.subject) for message in mailoutbox)


def ticket(team, owner, **kwargs):
    return TicketFactory(
        team=team,
        owner=owner.user if owner else None,
        created_by=owner.user if owner else None,
        **kwargs,
    )


# --- blocking_due_48h -------------------------------------------------------------------


def test_blocking_due_48h_recipients(
    frozen, team, other_team, soprano_member, alto_member, alto_leader, run_job, mailoutbox
):
    blocking = {"priority": Priority.BLOCKING}
    soon = ticket(team, soprano_member, title="Soon", due_at=NOW + 47 * H, **blocking)
    edge = ticket(team, soprano_member, title="Edge", due_at=NOW + 48 * H, **blocking)
    ticket(
        team,
        soprano_member,
        title="Later",
        due_at=NOW + 48 * H + datetime.timedelta(seconds=1),
        **blocking,
    )
    overdue = ticket(
        team,
        soprano_member,
        title="Overdue",
        due_at=NOW - 24 * H,
        status=TicketStatus.BLOCKED,
        **blocking,
    )
    ticket(team, soprano_member, title="Medium", due_at=NOW + H, priority=Priority.MEDIUM)
    ticket(
        team,
        soprano_member,
        title="Resolved",
        due_at=NOW + H,
        status=TicketStatus.RESOLVED,
        **blocking,
    )
    ticket(
        team,
        soprano_member,
        title="Verified",
        due_at=NOW + H,
        status=TicketStatus.VERIFIED,
        **blocking,
    )
    ticket(team, None, title="Unclaimed", due_at=NOW + H, claimable=True, **blocking)
    # E-mail off in Harmonia, on in the other team: the preference is per team.
    NotificationPreferenceFactory(user=alto_member.user, team=team, email_enabled=False)
    ticket(team, alto_member, title="Muted", due_at=NOW + H, **blocking)
    MembershipFactory(team=other_team, user=alto_member.user)
    elsewhere = ticket(other_team, alto_member, title="Elsewhere", due_at=NOW + H, **blocking)
    # An owner who left the team is not reminded of its tickets.
    left = make_persona(None)
    ticket(team, left, title="Former member", due_at=NOW + H, **blocking)

    run = run_job("blocking_due_48h")

    me, alto = soprano_member.user.email, alto_member.user.email
    assert sent(mailoutbox) == sorted(
        [
            (me, "Blocking ticket due soon: Soon"),
            (me, "Blocking ticket due soon: Edge"),
            (me, "Blocking ticket due soon: Overdue"),
            (alto, "Blocking ticket due soon: Elsewhere"),
        ]
    )
    assert run.stats["sent"] == 4
    overdue_mail = next(m for m in mailoutbox if m.subject.endswith("Overdue"))
    assert "is overdue" in overdue_mail.body
    assert f"https://app.example.test/tickets/{overdue.id}" in overdue_mail.body
    assert "Harmonia" in overdue_mail.body
    soon_mail = next(m for m in mailoutbox if m.subject.endswith(": Soon"))
    assert "due within 48 hours" in soon_mail.body
    assert {soon.id.hex, edge.id.hex, overdue.id.hex, elsewhere.id.hex} == {
        d.context["ticket_id"] for d in EmailDelivery.objects.all()
    }


def test_blocking_due_48h_once_per_due_date(
    time_machine, team, soprano_member, run_job, mailoutbox
):
    time_machine.move_to(NOW, tick=False)
    t = ticket(team, soprano_member, priority=Priority.BLOCKING, due_at=NOW + 40 * H)
    run_job("blocking_due_48h")
    # The 6-hourly runs that follow, into and past the due time, send nothing more.
    for hours in (6, 12, 18, 42, 48):
        time_machine.move_to(NOW + hours * H, tick=False)
        run_job("blocking_due_48h")
    assert len(mailoutbox) == 1

    # A new due date is news.
    Ticket.objects.filter(pk=t.pk).update(due_at=NOW + 60 * H)
    run_job("blocking_due_48h")
    assert len(mailoutbox) == 2


# --- deadline_reminder ---------------------------------------------------------------------


def test_deadline_reminder_uses_each_owners_hours(
    frozen,
    team,
    soprano_member,
    alto_member,
    soprano_leader,
    alto_leader,
    admin,
    run_job,
    mailoutbox,
):
    # soprano_member: no preferences row, so 24 hours.
    ticket(team, soprano_member, title="In 23h", due_at=NOW + 23 * H)
    ticket(team, soprano_member, title="In 24h", due_at=NOW + 24 * H)
    ticket(
        team, soprano_member, title="In 24h+1s", due_at=NOW + 24 * H + datetime.timedelta(seconds=1)
    )
    ticket(team, soprano_member, title="Overdue", due_at=NOW - H)
    ticket(team, soprano_member, title="Resolved", due_at=NOW + H, status=TicketStatus.RESOLVED)
    ticket(team, soprano_member, title="No due date", due_at=None)
    # 72 hours ahead.
    NotificationPreferenceFactory(user=alto_member.user, team=team, deadline_reminder_hours=72)
    ticket(team, alto_member, title="In 70h", due_at=NOW + 70 * H)
    # One hour ahead only.
    NotificationPreferenceFactory(user=soprano_leader.user, team=team, deadline_reminder_hours=1)
    ticket(team, soprano_leader, title="In 2h", due_at=NOW + 2 * H)
    ticket(team, soprano_leader, title="In 30min", due_at=NOW + H / 2)
    # E-mail off.
    NotificationPreferenceFactory(
        user=alto_leader.user, team=team, email_enabled=False, deadline_reminder_hours=168
    )
    ticket(team, alto_leader, title="Muted", due_at=NOW + H)

    run_job("deadline_reminder")
    run_job("deadline_reminder")

    assert sent(mailoutbox) == sorted(
        [
            (soprano_member.user.email, "Ticket due soon: In 23h"),
            (soprano_member.user.email, "Ticket due soon: In 24h"),
            (alto_member.user.email, "Ticket due soon: In 70h"),
            (soprano_leader.user.email, "Ticket due soon: In 30min"),
        ]
    )
    in_70h = next(m for m in mailoutbox if m.subject.endswith("In 70h"))
    assert "due within 72 hours" in in_70h.body


def test_deadline_reminder_once_per_due_date(
    time_machine, team, soprano_member, run_job, mailoutbox
):
    time_machine.move_to(NOW, tick=False)
    t = ticket(team, soprano_member, due_at=NOW + 20 * H)
    for hours in range(0, 21, 1):
        time_machine.move_to(NOW + hours * H, tick=False)
        run_job("deadline_reminder")
    assert len(mailoutbox) == 1
    Ticket.objects.filter(pk=t.pk).update(due_at=NOW + 30 * H)
    run_job("deadline_reminder")
    assert len(mailoutbox) == 2


# --- blocked_over_48h --------------------------------------------------------------------


def blocked(team, owner, since, **kwargs):
    t = ticket(team, owner, status=TicketStatus.BLOCKED, **kwargs)
    TicketActivityFactory(
        ticket=t,
        old_status=TicketStatus.IN_PROGRESS,
        new_status=TicketStatus.BLOCKED,
        created_at=since,
    )
    Ticket.objects.filter(pk=t.pk).update(updated_at=since)
    return t


def test_blocked_over_48h_recipients(
    frozen,
    team,
    admin,
    soprano_leader,
    alto_leader,
    soprano_member,
    alto_member,
    outsider,
    other_team,
    run_job,
    mailoutbox,
):
    second_admin = make_persona(team, role=Role.ADMIN)
    second_soprano_leader = make_persona(team, role=Role.SECTION_LEADER, section="Soprano")
    NotificationPreferenceFactory(user=second_soprano_leader.user, team=team, email_enabled=False)
    section = {"visibility": TicketVisibility.SECTION}
    blocked(team, soprano_member, NOW - 49 * H, title="Soprano", section="Soprano", **section)
    blocked(team, soprano_member, NOW - 47 * H, title="Too recent", section="Soprano", **section)
    # Nobody leads the Tenor section: the admins hear about it.
    blocked(team, soprano_member, NOW - 72 * H, title="Tenor", section="Tenor", **section)
    # No section at all: the admins.
    blocked(
        team,
        alto_member,
        NOW - 100 * H,
        title="Whole team",
        section=None,
        visibility=TicketVisibility.TEAM,
    )
    # Another team's ticket goes to that team's admin only.
    blocked(
        other_team,
        outsider,
        NOW - 50 * H,
        title="Other team",
        section=None,
        visibility=TicketVisibility.TEAM,
    )

    run = run_job("blocked_over_48h")

    subject = "Ticket blocked for over 48 hours: {}".format
    assert sent(mailoutbox) == sorted(
        [
            (soprano_leader.user.email, subject("Soprano")),
            (admin.user.email, subject("Tenor")),
            (second_admin.user.email, subject("Tenor")),
            (admin.user.email, subject("Whole team")),
            (second_admin.user.email, subject("Whole team")),
            (outsider.user.email, subject("Other team")),
        ]
    )
    # Considered: 2 Soprano leaders + 2×2 admins + the other team's admin; one has e-mail off.
    assert run.stats["considered"] == 7
    assert run.stats["skipped"] == 1
    mail = next(m for m in mailoutbox if m.subject == subject("Soprano"))
    assert "Soprano section" in mail.body and "Harmonia" in mail.body


def test_blocked_over_48h_once_per_episode(
    time_machine, team, soprano_leader, soprano_member, run_job, mailoutbox
):
    t0 = NOW
    time_machine.move_to(t0, tick=False)
    t = blocked(team, soprano_member, t0, section="Soprano", visibility=TicketVisibility.SECTION)
    time_machine.move_to(t0 + 49 * H, tick=False)
    run_job("blocked_over_48h")
    time_machine.move_to(t0 + 55 * H, tick=False)
    run_job("blocked_over_48h")
    assert len(mailoutbox) == 1

    # Unblocked, then blocked again: a new episode, counted from the new move into BLOCKED.
    TicketActivityFactory(
        ticket=t,
        old_status=TicketStatus.BLOCKED,
        new_status=TicketStatus.IN_PROGRESS,
        created_at=t0 + 56 * H,
    )
    TicketActivityFactory(
        ticket=t,
        old_status=TicketStatus.IN_PROGRESS,
        new_status=TicketStatus.BLOCKED,
        created_at=t0 + 57 * H,
    )
    Ticket.objects.filter(pk=t.pk).update(updated_at=t0 + 57 * H)
    time_machine.move_to(t0 + 60 * H, tick=False)
    run_job("blocked_over_48h")
    assert len(mailoutbox) == 1
    time_machine.move_to(t0 + 57 * H + 49 * H, tick=False)
    run_job("blocked_over_48h")
    run_job("blocked_over_48h")
    assert len(mailoutbox) == 2
    assert {m.to[0] for m in mailoutbox} == {soprano_leader.user.email}
