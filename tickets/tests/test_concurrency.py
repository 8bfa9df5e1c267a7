"""Races on one ticket, with real threads against PostgreSQL (SQLite cannot show them)."""

import threading
from collections import Counter

import pytest
from django.db import connection

from conftest import authed_client
from teams.models import Role
from teams.tests.factories import CycleFactory, MembershipFactory, TeamFactory
from tickets.models import TicketActivity
from tickets.tests.factories import TicketFactory

CLAIMERS = 20
ROUNDS = 20


def run_together(calls):
    """Run each call in its own thread, released at the same instant; return their results."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def worker(index, call):
        try:
            barrier.wait(timeout=10)
            results[index] = call()
        except Exception as exc:  # noqa: BLE001 - reported through the results
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.fixture
def team_setup(db):
    team = TeamFactory()
    cycle = CycleFactory(team=team)
    leader = MembershipFactory(team=team, role=Role.SECTION_LEADER, section="Soprano")
    members = [MembershipFactory(team=team, section="Soprano") for _ in range(CLAIMERS)]
    return cycle, leader, members


@pytest.mark.django_db(transaction=True)
def test_twenty_simultaneous_claims_have_one_winner(require_postgres, team_setup):
    cycle, leader, members = team_setup
    clients = [authed_client(m.user) for m in members]
    for _ in range(ROUNDS):
        ticket = TicketFactory(cycle=cycle, created_by=leader.user, owner=None, claimable=True)
        url = f"/tickets/{ticket.id}/claim"
        results = run_together([lambda c=c: c.post(url) for c in clients])
        assert not [r for r in results if isinstance(r, Exception)], results
        statuses = Counter(r.status_code for r in results)
        assert statuses == {200: 1, 409: CLAIMERS - 1}, statuses
        for response in results:
            if response.status_code == 409:
                assert response.json()["error"]["message"] == "Ticket has already been claimed"
        (winner,) = [r for r in results if r.status_code == 200]
        ticket.refresh_from_db()
        assert (
            str(ticket.owner_id) == winner.json()["ticket"]["owner_id"] == str(ticket.claimed_by_id)
        )
        claimed = list(TicketActivity.objects.filter(ticket=ticket, type="CLAIMED"))
        assert len(claimed) == 1
        assert claimed[0].user_id == ticket.owner_id


ALLOWED = {
    ("OPEN", "IN_PROGRESS"),
    ("IN_PROGRESS", "OPEN"),
    ("IN_PROGRESS", "BLOCKED"),
    ("IN_PROGRESS", "RESOLVED"),
    ("BLOCKED", "IN_PROGRESS"),
    ("BLOCKED", "RESOLVED"),
}


@pytest.mark.django_db(transaction=True)
def test_simultaneous_transitions_stay_consistent(require_postgres, team_setup):
    cycle, leader, members = team_setup
    owner = members[0]
    # The owner and the creator act at once, from two clients.
    clients = [authed_client(owner.user), authed_client(leader.user)]
    outcomes = Counter()
    for _ in range(ROUNDS):
        ticket = TicketFactory(
            cycle=cycle, created_by=leader.user, owner=owner.user, status="IN_PROGRESS"
        )
        url = f"/tickets/{ticket.id}/transition"
        bodies = [{"to_status": "BLOCKED"}, {"to_status": "RESOLVED", "content": "Fixed it"}]
        results = run_together(
            [
                lambda c=c, b=b: c.post(url, b, format="json")
                for c, b in zip(clients, bodies, strict=True)
            ]
        )
        assert not [r for r in results if isinstance(r, Exception)], results
        codes = [r.status_code for r in results]
        assert set(codes) <= {200, 422}, [r.content for r in results]
        ticket.refresh_from_db()
        history = list(
            TicketActivity.objects.filter(ticket=ticket, type="STATUS_CHANGE").order_by(
                "created_at", "id"
            )
        )
        # One activity per change that happened, chained from IN_PROGRESS to the final state.
        assert len(history) == codes.count(200)
        state = "IN_PROGRESS"
        for activity in history:
            assert activity.old_status == state
            assert (activity.old_status, activity.new_status) in ALLOWED
            state = activity.new_status
        assert ticket.status == state
        assert ticket.status in {"BLOCKED", "RESOLVED"}
        if ticket.status == "RESOLVED":
            assert ticket.resolved_note == "Fixed it"
        outcomes[tuple(a.new_status for a in history)] += 1
    # Either BLOCKED then RESOLVED (both applied), or RESOLVED first and BLOCKED refused.
    assert set(outcomes) <= {("BLOCKED", "RESOLVED"), ("RESOLVED",)}, outcomes
