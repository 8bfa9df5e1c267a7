"""stale_claim_release: warn after 7 idle days, release 3 days after the warning."""

import datetime

import pytest

from notifications.models import EmailDelivery, EmailStatus
from notifications.tests.factories import (
    NotificationPreferenceFactory,
    TicketActivityFactory,
    TicketFactory,
)
from tickets.models import Ticket, TicketActivity, TicketActivityType, TicketStatus

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
NOW = datetime.datetime(2026, 3, 4, 10, 0, tzinfo=UTC)
DAY = datetime.timedelta(days=1)


def claimed(team, creator, owner, claimed_at, **kwargs):
    t = TicketFactory(
        team=team,
        created_by=creator.user,
        owner=owner.user,
        claimed_by=owner.user,
        claimable=True,
        **kwargs,
    )
    Ticket.objects.filter(pk=t.pk).update(claimed_at=claimed_at, updated_at=claimed_at)
    TicketActivityFactory(
        ticket=t, user=owner.user, type=TicketActivityType.CLAIMED, created_at=claimed_at
    )
    return t


def test_warns_then_releases(
    time_machine, team, soprano_leader, soprano_member, alto_member, run_job, mailoutbox
):
    time_machine.move_to(NOW, tick=False)
    idle = claimed(team, soprano_leader, soprano_member, NOW - 8 * DAY, title="Idle")
    claimed(team, soprano_leader, alto_member, NOW - 6 * DAY, title="Recent")
    claimed(
        team,
        soprano_leader,
        alto_member,
        NOW - 30 * DAY,
        title="In progress",
        status=TicketStatus.IN_PROGRESS,
    )

    run = run_job("stale_claim_release")
    assert [(m.to[0], m.subject) for m in mailoutbox] == [
        (soprano_member.user.email, "Still working on this? Idle")
    ]
    assert "released for someone else to claim in 3 days" in mailoutbox[0].body
    assert run.stats["released"] == 0

    # Two days later: not released yet; "Recent" has now been idle 8 days and is warned.
    time_machine.move_to(NOW + 2 * DAY, tick=False)
    run_job("stale_claim_release")
    assert [(m.to[0], m.subject) for m in mailoutbox[1:]] == [
        (alto_member.user.email, "Still working on this? Recent")
    ]
    assert Ticket.objects.get(pk=idle.pk).owner_id == soprano_member.user.id

    # Three days after the warning: released, and the creator is told.
    time_machine.move_to(NOW + 3 * DAY, tick=False)
    run = run_job("stale_claim_release")
    idle.refresh_from_db()
    assert (idle.owner_id, idle.claimed_by_id, idle.claimed_at, idle.status) == (
        None,
        None,
        None,
        TicketStatus.OPEN,
    )
    activity = TicketActivity.objects.filter(ticket=idle, type=TicketActivityType.REASSIGNED).get()
    assert activity.user_id is None and "no activity" in activity.content
    assert (activity.old_status, activity.new_status) == (TicketStatus.OPEN, TicketStatus.OPEN)
    assert run.stats["released"] == 1
    assert [(m.to[0], m.subject) for m in mailoutbox[2:]] == [
        (soprano_leader.user.email, "Ticket released: Idle")
    ]
    assert "can be claimed again" in mailoutbox[2].body

    # Nothing more for the released ticket.
    time_machine.move_to(NOW + 10 * DAY, tick=False)
    run_job("stale_claim_release")
    assert sum("Idle" in m.subject for m in mailoutbox) == 2
    assert Ticket.objects.filter(title="In progress", owner=alto_member.user).exists()


def test_activity_after_the_warning_keeps_the_claim(
    time_machine, team, soprano_leader, soprano_member, run_job, mailoutbox
):
    time_machine.move_to(NOW, tick=False)
    t = claimed(team, soprano_leader, soprano_member, NOW - 8 * DAY)
    run_job("stale_claim_release")
    assert len(mailoutbox) == 1

    TicketActivityFactory(
        ticket=t, user=soprano_member.user, type=TicketActivityType.COMMENT, created_at=NOW + DAY
    )
    time_machine.move_to(NOW + 3 * DAY, tick=False)
    run_job("stale_claim_release")
    assert Ticket.objects.get(pk=t.pk).owner_id == soprano_member.user.id
    assert len(mailoutbox) == 1

    # Seven idle days after the comment: a new warning, then a release three days later.
    time_machine.move_to(NOW + 8 * DAY, tick=False)
    run_job("stale_claim_release")
    assert len(mailoutbox) == 2
    time_machine.move_to(NOW + 11 * DAY, tick=False)
    run_job("stale_claim_release")
    assert Ticket.objects.get(pk=t.pk).owner_id is None


def test_owner_with_email_off_is_released_all_the_same(
    time_machine, team, soprano_leader, soprano_member, run_job, mailoutbox
):
    NotificationPreferenceFactory(user=soprano_member.user, team=team, email_enabled=False)
    time_machine.move_to(NOW, tick=False)
    t = claimed(team, soprano_leader, soprano_member, NOW - 8 * DAY)
    run_job("stale_claim_release")
    assert mailoutbox == []
    warning = EmailDelivery.objects.get(kind="stale_claim_warning")
    assert warning.status == EmailStatus.SUPPRESSED

    time_machine.move_to(NOW + 3 * DAY, tick=False)
    run_job("stale_claim_release")
    assert Ticket.objects.get(pk=t.pk).owner_id is None
    assert [(m.to[0], m.subject) for m in mailoutbox] == [
        (soprano_leader.user.email, f"Ticket released: {t.title}")
    ]


def test_releases_count_in_outcomes_after_the_ticket_is_claimed_again(
    time_machine, team, admin, soprano_leader, soprano_member, alto_member, run_job
):
    """The job's REASSIGNED row is what "stale claims released" counts; a later claim (and a
    person's own unclaim) leaves that count as it was."""
    from conftest import authed_client
    from insights.selectors import outcomes_get

    time_machine.move_to(NOW, tick=False)
    idle = claimed(team, soprano_leader, soprano_member, NOW - 8 * DAY, title="Idle")
    mine = claimed(team, soprano_leader, alto_member, NOW, title="Given back")
    run_job("stale_claim_release")
    time_machine.move_to(NOW + 3 * DAY, tick=False)
    run_job("stale_claim_release")
    assert Ticket.objects.get(pk=idle.pk).owner_id is None

    def released():
        return outcomes_get(team=team, membership=admin.membership, date_from=None, date_to=None)[
            "team"
        ]["stale_claims_released"]

    assert released() == 1
    client = authed_client(alto_member.user)
    assert client.post(f"/tickets/{idle.id}/claim").status_code == 200
    assert client.post(f"/tickets/{mine.id}/unclaim").status_code == 200
    assert Ticket.objects.get(pk=idle.pk).owner_id == alto_member.user.id
    assert released() == 1
