"""The rules hold for every caller of the services (admin console, scripts, jobs), not only the API."""

import datetime

import pytest

from practiceops.core.errors import Conflict, ValidationFailed
from teams import services
from teams.models import Invite, Membership, RehearsalCycle, Role
from teams.tests.factories import CycleFactory


def test_team_create_refuses_an_unknown_timezone(admin):
    with pytest.raises(ValidationFailed) as excinfo:
        services.team_create(user=admin.user, name="X", timezone_name="Not/AZone")
    assert excinfo.value.field == "timezone"


def test_last_admin_rule_holds_through_the_services(admin, team):
    with pytest.raises(Conflict, match="Cannot demote the last admin of the team"):
        services.membership_update(team=team, user_id=admin.user.id, role=Role.MEMBER)
    with pytest.raises(Conflict, match="Cannot remove the last admin from the team"):
        services.membership_remove(team=team, user_id=admin.user.id, removed_by=admin.user)
    assert Membership.objects.get(team=team, user=admin.user).role == Role.ADMIN


def test_invite_create_stores_only_the_hash(admin, team):
    invite, raw = services.invite_create(
        team=team, created_by=admin.user, email=" Ann@Example.COM "
    )
    assert invite.token_hash == services.token_hash(raw) != raw
    assert invite.email == "ann@example.com"
    assert not Invite.objects.filter(token_hash=raw).exists()


def test_invite_accept_through_the_service(outsider, team):
    invite, raw = services.invite_create(team=team, created_by=outsider.user, role=Role.ADMIN)
    membership, tokens = services.invite_accept(raw_token=raw, user=outsider.user)
    assert (membership.role, tokens) == (Role.ADMIN, None)
    with pytest.raises(Conflict, match="Invite has already been used"):
        services.invite_accept(raw_token=raw, user=outsider.user)


def test_cycle_services_keep_one_cycle_per_date(admin, team):
    CycleFactory(team=team, date=datetime.date(2026, 3, 2))
    with pytest.raises(Conflict) as excinfo:
        services.cycle_create(team=team, date=datetime.date(2026, 3, 2), created_by=admin.user)
    assert excinfo.value.field == "date"
    cycle = services.cycle_create(team=team, date=datetime.date(2026, 3, 3), created_by=admin.user)
    assert cycle.name == "Rehearsal Mar 03, 2026"
    assert RehearsalCycle.objects.filter(team=team).count() == 2
