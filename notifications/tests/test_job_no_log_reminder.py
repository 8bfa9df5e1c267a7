"""no_log_reminder: exactly who is reminded, in the team's own days, and how often."""

import datetime

import pytest

from conftest import make_persona
from notifications.models import EmailDelivery, EmailStatus, JobStatus
from notifications.tests.factories import NotificationPreferenceFactory, PracticeLogFactory
from teams.models import Role
from teams.tests.factories import TeamFactory

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
NOW = datetime.datetime(2026, 3, 4, 9, 0, tzinfo=UTC)  # a Wednesday, 09:00 UTC


@pytest.fixture
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)
    return NOW


def recipients(mailoutbox) -> set[str]:
    return {message.to[0] for message in mailoutbox}


def log(persona, team, when):
    return PracticeLogFactory(user=persona.user, team=team, occurred_at=when)


def test_who_is_reminded(
    frozen,
    team,
    other_team,
    admin,
    soprano_leader,
    alto_leader,
    soprano_member,
    alto_member,
    outsider,
    run_job,
    mailoutbox,
):
    # Without a preferences row: the defaults (e-mail on, 3 days) apply.
    lazy = soprano_member
    # Practised two days ago: inside the 3-day window.
    log(alto_member, team, NOW - datetime.timedelta(days=2))
    # E-mail off: never reminded.
    NotificationPreferenceFactory(user=soprano_leader.user, team=team, email_enabled=False)
    # A 1-day window: yesterday's practice does not count.
    NotificationPreferenceFactory(user=alto_leader.user, team=team, no_log_days=1)
    log(alto_leader, team, NOW - datetime.timedelta(days=1))
    # Practised today.
    log(admin, team, NOW - datetime.timedelta(hours=1))
    # The outsider practised, but in their own team only; a member of both teams who
    # practised in the other team is still reminded for this one.
    log(outsider, other_team, NOW - datetime.timedelta(hours=1))
    both = make_persona(team, role=Role.MEMBER, section="Tenor")
    from teams.tests.factories import MembershipFactory

    MembershipFactory(team=other_team, user=both.user)
    log(both, other_team, NOW - datetime.timedelta(hours=2))
    # An inactive account is never e-mailed.
    gone = make_persona(team)
    gone.user.is_active = False
    gone.user.save()

    run = run_job("no_log_reminder")

    assert run.status == JobStatus.SUCCESS
    assert recipients(mailoutbox) == {lazy.user.email, alto_leader.user.email, both.user.email}
    # Eight active memberships (the inactive account is not considered).
    assert run.stats == {"considered": 8, "queued": 3, "skipped": 5, "sent": 3, "failed": 0}
    assert EmailDelivery.objects.filter(status=EmailStatus.SENT).count() == 3


def test_window_boundaries_in_utc(frozen, team, soprano_member, alto_member, run_job, mailoutbox):
    # 3 days ending today (Mar 4) start on Mar 2 at 00:00 in the team's timezone (UTC here).
    log(soprano_member, team, datetime.datetime(2026, 3, 1, 23, 59, 59, tzinfo=UTC))
    log(alto_member, team, datetime.datetime(2026, 3, 2, 0, 0, tzinfo=UTC))

    run_job("no_log_reminder")

    assert recipients(mailoutbox) == {soprano_member.user.email}


def test_window_uses_the_team_timezone(frozen, run_job, mailoutbox):
    # 09:00 UTC on Mar 4 is 01:00 on Mar 4 in Los Angeles (UTC-8): the window starts on
    # Mar 2 at 00:00 PST = 08:00 UTC.
    la = TeamFactory(name="Los Angeles Chorale", timezone="America/Los_Angeles")
    early = make_persona(la)
    on_time = make_persona(la)
    log(early, la, datetime.datetime(2026, 3, 2, 7, 59, tzinfo=UTC))
    log(on_time, la, datetime.datetime(2026, 3, 2, 8, 0, tzinfo=UTC))
    # A Tokyo team (UTC+9): it is 18:00 on Mar 4 there; the window starts Mar 2 00:00 JST
    # = Mar 1 15:00 UTC, so a log at Mar 1 16:00 UTC counts.
    tokyo = TeamFactory(name="Tokyo Singers", timezone="Asia/Tokyo")
    tokyo_member = make_persona(tokyo)
    log(tokyo_member, tokyo, datetime.datetime(2026, 3, 1, 16, 0, tzinfo=UTC))

    run_job("no_log_reminder")

    assert recipients(mailoutbox) == {early.user.email}


def test_the_email(frozen, team, soprano_member, run_job, mailoutbox):
    run_job("no_log_reminder")

    [message] = mailoutbox
    assert message.subject == "Time to practice!"
    assert message.to == [soprano_member.user.email]
    assert "Harmonia" in message.body
    assert "in the last 3 days" in message.body
    assert f"https://app.example.test/teams/{team.id}/practice/log" in message.body
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    assert "Harmonia" in html and "in the last 3 days" in html
    assert message.extra_headers["List-Unsubscribe"].startswith(
        "<https://api.example.test/unsubscribe/"
    )
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_at_most_one_per_window(time_machine, team, soprano_member, run_job, mailoutbox):
    time_machine.move_to(NOW, tick=False)
    run_job("no_log_reminder")
    run_job("no_log_reminder")
    assert len(mailoutbox) == 1

    # The next two days are inside the window of the first reminder: nothing.
    for days in (1, 2):
        time_machine.move_to(NOW + datetime.timedelta(days=days), tick=False)
        run_job("no_log_reminder")
    assert len(mailoutbox) == 1

    # Three days later a new window starts, still without practice: one more.
    time_machine.move_to(NOW + datetime.timedelta(days=3), tick=False)
    run_job("no_log_reminder")
    assert len(mailoutbox) == 2

    # Practising stops the reminders.
    log(soprano_member, team, NOW + datetime.timedelta(days=5))
    time_machine.move_to(NOW + datetime.timedelta(days=6), tick=False)
    run_job("no_log_reminder")
    assert len(mailoutbox) == 2
