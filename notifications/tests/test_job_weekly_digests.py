"""weekly_leader_digest and weekly_member_digest: who gets one, what it says, once a week."""

import datetime

import pytest

from conftest import authed_client, make_persona
from notifications.models import EmailDelivery
from notifications.tests.factories import (
    NotificationPreferenceFactory,
    PracticeLogFactory,
    TicketFactory,
)
from practice.models import AssignmentScope, Priority
from practice.tests.factories import AssignmentFactory
from teams.models import Role
from teams.tests.factories import CycleFactory, TeamFactory
from tickets.models import TicketStatus, TicketVisibility

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
NOW = datetime.datetime(2026, 3, 8, 8, 0, tzinfo=UTC)  # Sunday 08:00 UTC, ISO week 2026-W10


def at(day, hour=12):
    return datetime.datetime(2026, 3, day, hour, 0, tzinfo=UTC)


@pytest.fixture
def week(time_machine, team, admin, soprano_leader, alto_leader, soprano_member, alto_member):
    time_machine.move_to(NOW, tick=False)
    PracticeLogFactory(user=soprano_member.user, team=team, occurred_at=at(1), duration_minutes=45)
    PracticeLogFactory(user=soprano_member.user, team=team, occurred_at=at(2), duration_minutes=30)
    PracticeLogFactory(user=soprano_member.user, team=team, occurred_at=at(7), duration_minutes=20)
    PracticeLogFactory(
        user=soprano_member.user, team=team, occurred_at=at(8, 7), duration_minutes=10
    )
    PracticeLogFactory(user=soprano_leader.user, team=team, occurred_at=at(6), duration_minutes=15)
    cycle = CycleFactory(
        team=team, date=datetime.date(2026, 3, 10), name="Spring concert run-through"
    )
    AssignmentFactory(
        cycle=cycle, title="Warm-ups", scope=AssignmentScope.TEAM, priority=Priority.LOW
    )
    AssignmentFactory(
        cycle=cycle,
        title="Soprano descant",
        scope=AssignmentScope.SECTION,
        section="Soprano",
        priority=Priority.BLOCKING,
    )
    AssignmentFactory(
        cycle=cycle, title="Alto harmony", scope=AssignmentScope.SECTION, section="Alto"
    )
    TicketFactory(
        team=team,
        owner=soprano_member.user,
        created_by=soprano_member.user,
        title="Bars 1-8",
        priority=Priority.BLOCKING,
        due_at=at(9),
        visibility=TicketVisibility.TEAM,
    )
    TicketFactory(
        team=team,
        owner=soprano_member.user,
        created_by=admin.user,
        claimed_by=soprano_member.user,
        claimable=True,
        title="Bars 9-16",
        due_at=at(12),
    )
    TicketFactory(
        team=team,
        owner=soprano_member.user,
        created_by=soprano_member.user,
        title="Done",
        status=TicketStatus.RESOLVED,
        visibility=TicketVisibility.SECTION,
        section="Soprano",
        resolved_note="ok",
    )
    TicketFactory(
        team=team,
        owner=alto_member.user,
        created_by=alto_member.user,
        title="Alto blocked",
        status=TicketStatus.BLOCKED,
        visibility=TicketVisibility.SECTION,
        section="Alto",
    )
    return cycle


def digest(mailoutbox, persona):
    [message] = [m for m in mailoutbox if m.to == [persona.user.email]]
    return message


def test_leader_digest_recipients_and_numbers(
    week, team, admin, soprano_leader, alto_leader, soprano_member, alto_member, run_job, mailoutbox
):
    NotificationPreferenceFactory(user=alto_leader.user, team=team, weekly_digest_enabled=False)

    run = run_job("weekly_leader_digest")

    assert sorted(m.to[0] for m in mailoutbox) == sorted(
        [admin.user.email, soprano_leader.user.email]
    )
    assert run.stats == {"considered": 3, "queued": 2, "skipped": 1, "sent": 2, "failed": 0}
    # The numbers are the leader dashboard's, for the same reader.
    for leader in (admin, soprano_leader):
        # A token issued at the frozen time (the fixtures' ones date from the real clock).
        dashboard = authed_client(leader.user).get(f"/teams/{team.id}/dashboards/leader").json()
        sent = EmailDelivery.objects.get(user=leader.user).context
        assert sent["practised_pct"] == round(
            dashboard["compliance"]["logged_last_7_days_pct"] * 100
        )
        assert sent["minutes_7d"] == dashboard["compliance"]["total_practice_minutes_7d"]
        assert sent["blocking_due_count"] == dashboard["risk_summary"]["blocking_due_count"]
        assert sent["blocked_count"] == dashboard["risk_summary"]["blocked_count"]
        assert (
            sent["resolved_not_verified_count"]
            == dashboard["risk_summary"]["resolved_not_verified_count"]
        )
        assert sent["verifiable_count"] == len(dashboard["verification_queue"])
        assert sent["cycle"]["label"] == dashboard["cycle"]["label"] == "Spring concert run-through"

    admin_mail = digest(mailoutbox, admin)
    assert admin_mail.subject == "Weekly digest: Harmonia"
    # Whole team: 2 of 5 members practised in the last 7 days (Mar 2-8), 75 minutes.
    assert "Members who practised: 40% (2 of 5)" in admin_mail.body
    assert "Minutes practised: 75" in admin_mail.body
    assert "Alice Alto (Alto)" in admin_mail.body and "Ada Admin" in admin_mail.body
    assert "BLOCKED: 1" in admin_mail.body
    assert "for the whole team" in admin_mail.body
    assert "Spring concert run-through on Tue Mar 10, 2026, in 2 days" in admin_mail.body

    leader_mail = digest(mailoutbox, soprano_leader)
    # The Soprano section only: both Sopranos practised.
    assert "for the Soprano section" in leader_mail.body
    assert "Members who practised: 100% (2 of 2)" in leader_mail.body
    assert "Members with no practice: 0" in leader_mail.body
    assert "BLOCKED: 0" in leader_mail.body
    assert "RESOLVED, awaiting verification: 1 (1 you can verify)" in leader_mail.body


def test_member_digest(
    week, team, admin, soprano_leader, alto_leader, soprano_member, alto_member, run_job, mailoutbox
):
    NotificationPreferenceFactory(user=alto_member.user, team=team, email_enabled=False)
    NotificationPreferenceFactory(user=alto_leader.user, team=team, weekly_digest_enabled=False)

    run = run_job("weekly_member_digest")

    assert sorted(m.to[0] for m in mailoutbox) == sorted(
        [admin.user.email, soprano_leader.user.email, soprano_member.user.email]
    )
    assert run.stats["considered"] == 5 and run.stats["sent"] == 3

    mail = digest(mailoutbox, soprano_member)
    assert mail.subject == "Your week in Harmonia"
    body = mail.body
    assert "Mon Mar 02, 2026 – Sun Mar 08, 2026" in body
    # This week (Mon Mar 2 - Sun Mar 8): three days, 60 minutes; Mar 1 was last week.
    assert "Practice days: 3 of your goal of 3 (goal met)" in body
    assert "Minutes: 60" in body
    # Mar 7 and Mar 8 in a row (nothing on Mar 6).
    assert "Streak: 2 days" in body
    assert "Your tickets: 2 open, 1 of them claimed by you." in body
    assert "- Bars 1-8 (OPEN, due Mon Mar 09, 2026)" in body
    assert "Done" not in body
    assert "Next rehearsal: Spring concert run-through on Tue Mar 10, 2026." in body
    assert "- Soprano descant (BLOCKING, Soprano)" in body and "- Warm-ups (LOW)" in body
    assert "Alto harmony" not in body
    assert body.index("Soprano descant") < body.index("Warm-ups")

    admin_body = digest(mailoutbox, admin).body
    assert "Alto harmony" in admin_body and "Soprano descant" in admin_body
    assert "Practice days: 0 of your goal of 3\n" in admin_body
    assert "Your tickets: 0 open" in admin_body


def test_member_digest_without_a_rehearsal(time_machine, run_job, mailoutbox):
    time_machine.move_to(NOW, tick=False)
    lonely = TeamFactory(name="Quartet")
    person = make_persona(lonely)
    CycleFactory(team=lonely, date=datetime.date(2026, 3, 1))  # past only
    run_job("weekly_member_digest")
    [mail] = mailoutbox
    assert mail.to == [person.user.email]
    assert "Next rehearsal: none scheduled." in mail.body


def test_once_per_iso_week_of_the_team(time_machine, run_job, mailoutbox):
    utc_team = TeamFactory(name="London", timezone="UTC")
    tokyo_team = TeamFactory(name="Tokyo", timezone="Asia/Tokyo")
    london = make_persona(utc_team, role=Role.ADMIN)
    tokyo = make_persona(tokyo_team, role=Role.ADMIN)

    time_machine.move_to(NOW, tick=False)  # Sun 08:00 UTC = Sun 17:00 in Tokyo
    run_job("weekly_leader_digest")
    run_job("weekly_leader_digest")
    # Sun 20:00 UTC: still Sunday in London, already Monday (a new ISO week) in Tokyo.
    time_machine.move_to(NOW + datetime.timedelta(hours=12), tick=False)
    run_job("weekly_leader_digest")

    assert sorted(m.to[0] for m in mailoutbox) == sorted(
        [london.user.email, tokyo.user.email, tokyo.user.email]
    )
    keys = sorted(
        EmailDelivery.objects.filter(user=tokyo.user).values_list("dedupe_key", flat=True)
    )
    assert [key.rsplit(":", 1)[1] for key in keys] == ["2026-W10", "2026-W11"]

    # The next Sunday morning is a new week in London; Tokyo already had its W11 digest.
    time_machine.move_to(NOW + datetime.timedelta(days=7), tick=False)
    run_job("weekly_leader_digest")
    assert [m.to[0] for m in mailoutbox[3:]] == [london.user.email]


def test_member_digest_practise_next(week, team, soprano_member, alto_member, run_job, mailoutbox):
    """The digest carries the catch-up's practise_next, in both parts of the e-mail."""
    from insights.selectors import catch_up_get

    TicketFactory(
        team=team,
        cycle=week,
        owner=soprano_member.user,
        created_by=soprano_member.user,
        title="Bar 20 vowel",
        priority=Priority.MEDIUM,
        due_at=at(9),
    )
    TicketFactory(
        team=team,
        cycle=week,
        owner=alto_member.user,
        created_by=alto_member.user,
        title="Alto private",
        visibility=TicketVisibility.PRIVATE,
        section="Alto",
        priority=Priority.BLOCKING,
    )

    run_job("weekly_member_digest")

    mail = digest(mailoutbox, soprano_member)
    assert (
        "Practise next:\n"
        "- Soprano descant (assignment, BLOCKING, due Tue Mar 10, 2026)\n"
        "- Bar 20 vowel (ticket, MEDIUM, due Mon Mar 09, 2026)\n"
        "- Warm-ups (assignment, LOW, due Tue Mar 10, 2026)\n"
    ) in mail.body
    [(html, mimetype)] = mail.alternatives
    assert mimetype == "text/html"
    assert (
        '<ol style="font-size: 14px;" id="practise-next">'
        "<li>Soprano descant &middot; assignment &middot; BLOCKING &middot; due Tue Mar 10, 2026</li>"
        "<li>Bar 20 vowel &middot; ticket &middot; MEDIUM &middot; due Mon Mar 09, 2026</li>"
        "<li>Warm-ups &middot; assignment &middot; LOW &middot; due Tue Mar 10, 2026</li></ol>"
    ) in html
    # The same list, in the same order, as the member's catch-up.
    sent = EmailDelivery.objects.get(user=soprano_member.user).context["practise_next"]
    catch_up = catch_up_get(team=team, membership=soprano_member.membership, since=None)
    assert [item["id"] for item in sent] == [str(i["id"]) for i in catch_up["practise_next"]]
    alto_body = digest(mailoutbox, alto_member).body
    assert "- Alto private (ticket, BLOCKING" in alto_body
    assert "Alto private" not in mail.body


def test_leader_digest_outcome_beside_the_week_before(
    week, team, admin, soprano_leader, run_job, mailoutbox
):
    import datetime as dt

    from insights.selectors import outcomes_get

    def feb(day, hour=12):
        return dt.datetime(2026, 2, day, hour, tzinfo=UTC)

    # Verified this week after 168 h; and one opened and verified the week before, in 48 h.
    TicketFactory(
        team=team,
        section="Soprano",
        created_at=feb(24),
        status=TicketStatus.VERIFIED,
        verified_at=at(3),
    )
    TicketFactory(
        team=team,
        section="Soprano",
        created_at=feb(23),
        status=TicketStatus.VERIFIED,
        verified_at=feb(25),
    )

    run_job("weekly_leader_digest")

    body = digest(mailoutbox, soprano_leader).body
    assert (
        "Fix outcomes for the Soprano section: last 7 days "
        "(previous 7 days, Mon Feb 23, 2026 – Sun Mar 01, 2026)\n"
        "- Tickets opened: 1 (2)\n"
        "- Fixes verified: 1 (1)\n"
        "- Fixes reopened: 0 (0)\n"
        "- Median hours to verify: 168.0 (48.0)\n"
        "- 90th percentile hours to verify: 168.0 (48.0)\n"
        "- Open now: 1 (0)\n"
        "- Stale claims released: 0 (0)\n"
        "- Practice minutes on tickets: 0 (0)\n"
    ) in body
    [(html, _)] = digest(mailoutbox, soprano_leader).alternatives
    assert (
        '<tr><td style="padding: 2px 16px 2px 0;">Median hours to verify</td>'
        '<td style="padding: 2px 16px 2px 0; text-align: right;"><strong>168.0</strong></td>'
        '<td style="text-align: right;">48.0</td></tr>'
    ) in html
    # The digest's figures are the outcomes endpoint's section row for the same 7 days.
    sent = EmailDelivery.objects.get(user=soprano_leader.user).context["outcome"]
    endpoint = outcomes_get(
        team=team,
        membership=soprano_leader.membership,
        date_from=dt.date(2026, 3, 2),
        date_to=dt.date(2026, 3, 8),
    )["sections"][0]
    assert {row["label"]: row["this_week"] for row in sent}["Open now"] == endpoint["open_now"]
    assert [row["this_week"] for row in sent] == [
        endpoint[name]
        for name in (
            "opened",
            "verified",
            "reopened",
            "median_hours_to_verify",
            "p90_hours_to_verify",
            "open_now",
            "stale_claims_released",
            "practice_minutes_linked",
        )
    ]
    # An ADMIN's digest has the whole team's outcome: the four tickets of the fixture too.
    admin_body = digest(mailoutbox, admin).body
    assert "Fix outcomes for the whole team" in admin_body
    assert "- Tickets opened: 4 (2)\n" in admin_body
