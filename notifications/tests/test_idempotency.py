"""Every job, run twice in a row or twice at the same moment, sends each e-mail exactly once."""

import datetime
import threading

import pytest
from django.core import mail
from django.db import connection

from notifications.jobs import JOBS
from notifications.models import EmailDelivery, EmailStatus, JobRun, JobStatus
from notifications.runner import job_run_create, job_run_execute
from notifications.tests.factories import PracticeLogFactory, TicketActivityFactory, TicketFactory
from practice.models import Priority
from tickets.models import Ticket, TicketActivityType, TicketStatus, TicketVisibility

NOW = datetime.datetime(2026, 3, 8, 10, 0, tzinfo=datetime.UTC)  # a Sunday
H = datetime.timedelta(hours=1)

# What the scenario below makes each job send.
EXPECTED = {
    "no_log_reminder": 1,
    "blocking_due_48h": 1,
    "blocked_over_48h": 1,
    "deadline_reminder": 1,
    "weekly_leader_digest": 3,
    "weekly_member_digest": 5,
    "stale_claim_release": 1,
}


def test_expected_covers_every_job():
    assert set(EXPECTED) == set(JOBS)


@pytest.fixture
def scenario(time_machine, team, admin, soprano_leader, alto_leader, soprano_member, alto_member):
    time_machine.move_to(NOW, tick=False)
    for persona in (admin, soprano_leader, alto_leader, soprano_member):
        PracticeLogFactory(user=persona.user, team=team, occurred_at=NOW - H)
    TicketFactory(
        team=team,
        owner=soprano_member.user,
        created_by=soprano_member.user,
        priority=Priority.BLOCKING,
        due_at=NOW + 10 * H,
    )
    blocked = TicketFactory(
        team=team,
        owner=soprano_member.user,
        created_by=soprano_member.user,
        status=TicketStatus.BLOCKED,
        visibility=TicketVisibility.SECTION,
        section="Soprano",
    )
    TicketActivityFactory(ticket=blocked, new_status=TicketStatus.BLOCKED, created_at=NOW - 72 * H)
    Ticket.objects.filter(pk=blocked.pk).update(updated_at=NOW - 72 * H)
    stale = TicketFactory(
        team=team,
        owner=alto_member.user,
        claimed_by=alto_member.user,
        created_by=admin.user,
        claimable=True,
        due_at=None,
    )
    TicketActivityFactory(
        ticket=stale, type=TicketActivityType.CLAIMED, created_at=NOW - 8 * 24 * H
    )
    Ticket.objects.filter(pk=stale.pk).update(
        claimed_at=NOW - 8 * 24 * H, updated_at=NOW - 8 * 24 * H
    )


def run(name):
    finished = job_run_execute(job_run_create(job_name=name, trigger="manual").id)
    assert finished.status == JobStatus.SUCCESS, finished.error
    return finished


@pytest.mark.django_db
@pytest.mark.parametrize("name", list(EXPECTED))
def test_run_twice_in_a_row(scenario, name, mailoutbox):
    first = run(name)
    second = run(name)
    assert len(mailoutbox) == EXPECTED[name]
    assert (first.stats["sent"], second.stats["sent"]) == (EXPECTED[name], 0)
    assert second.stats["queued"] == 0
    assert EmailDelivery.objects.count() == EXPECTED[name]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("name", list(EXPECTED))
def test_two_runs_at_once(require_postgres, scenario, name):
    mail.outbox = []
    barrier = threading.Barrier(2)
    errors = []

    def start():
        try:
            run_ = job_run_create(job_name=name, trigger="manual")
            barrier.wait(timeout=10)
            finished = job_run_execute(run_.id)
            if finished.status != JobStatus.SUCCESS:
                errors.append(finished.error)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=start) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    delivered = [message.extra_headers["X-PracticeOps-Delivery"] for message in mail.outbox]
    assert len(delivered) == EXPECTED[name]
    assert len(set(delivered)) == len(delivered)
    assert EmailDelivery.objects.filter(status=EmailStatus.SENT).count() == EXPECTED[name]
    runs = JobRun.objects.filter(job_name=name)
    assert sum(r.stats["sent"] for r in runs) == EXPECTED[name]
