"""Every write of the practice app: assignments and practice logs."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Sequence
from typing import Any

import structlog
from django.db import transaction
from django.utils import timezone

from practice import links, rollups
from practice.models import Assignment, AssignmentScope, PracticeLog, Priority
from practice.rules import can_delete_assignment, can_edit_assignment
from practice.visibility import visible_assignments_q
from practiceops.core.errors import Forbidden, ValidationFailed
from teams.access import ADMIN_REQUIRED, LEADER_REQUIRED, is_admin, is_leader, own_section
from teams.models import Membership, RehearsalCycle

logger = structlog.get_logger(__name__)

SECTION_ASSIGNMENTS_ONLY = (
    "Section leaders can only create SECTION assignments for their own section"
)
NOT_ASSIGNMENT_EDITOR = "Only the creator or an admin can edit this assignment"
NOT_LOG_OWNER = "Only the owner can change this practice log"
MAX_FUTURE = datetime.timedelta(days=1)

ASSIGNMENT_EDITABLE = ("title", "type", "song_ref", "priority", "section", "notes")
LOG_EDITABLE = ("occurred_at", "duration_minutes", "notes", "rating_1_5", "blocked_flag")

SUGGESTED_TICKET_TITLE = "Practice blocker - needs attention"


# --- Assignments -------------------------------------------------------------------------------


def _check_scope_section(scope: str, section: str | None) -> None:
    if scope == AssignmentScope.SECTION and not section:
        raise ValidationFailed("A SECTION assignment needs a section", field="section")
    if scope == AssignmentScope.TEAM and section:
        raise ValidationFailed("A TEAM assignment cannot have a section", field="section")


@transaction.atomic
def assignment_create(
    *,
    membership: Membership,
    cycle: RehearsalCycle,
    title: str,
    type: str,  # noqa: A002 - the domain's name
    scope: str,
    priority: str = Priority.LOW,
    section: str | None = None,
    song_ref: str | None = None,
    notes: str | None = None,
) -> Assignment:
    """ADMIN creates any assignment; a SECTION_LEADER only SECTION ones for their own section."""
    if not is_leader(membership):
        raise Forbidden(LEADER_REQUIRED)
    section = section or None
    _check_scope_section(scope, section)
    if not is_admin(membership) and (
        scope != AssignmentScope.SECTION or section != own_section(membership)
    ):
        raise Forbidden(SECTION_ASSIGNMENTS_ONLY)
    assignment = Assignment.objects.create(
        cycle=cycle,
        created_by_id=membership.user_id,
        title=title,
        type=type,
        scope=scope,
        priority=priority,
        section=section,
        song_ref=song_ref or None,
        notes=notes or None,
        due_at=cycle.date_as_datetime,
    )
    logger.info("assignment_created", assignment_id=str(assignment.pk), cycle_id=str(cycle.pk))
    return assignment


@transaction.atomic
def assignment_update(
    *, membership: Membership, assignment: Assignment, changes: dict[str, Any]
) -> Assignment:
    """Creator or ADMIN edits; the scope never changes, and a non-admin keeps to their section."""
    if not can_edit_assignment(membership, assignment):
        raise Forbidden(NOT_ASSIGNMENT_EDITOR)
    if "scope" in changes:
        raise ValidationFailed("The scope of an assignment cannot be changed", field="scope")
    assignment = Assignment.objects.select_for_update(of=("self",)).get(pk=assignment.pk)
    changes = {key: value for key, value in changes.items() if key in ASSIGNMENT_EDITABLE}
    if "section" in changes:
        changes["section"] = changes["section"] or None
        _check_scope_section(assignment.scope, changes["section"])
        if not is_admin(membership) and changes["section"] != own_section(membership):
            raise Forbidden(SECTION_ASSIGNMENTS_ONLY)
    for optional in ("song_ref", "notes"):
        if optional in changes:
            changes[optional] = changes[optional] or None
    for key, value in changes.items():
        setattr(assignment, key, value)
    if changes:
        assignment.save(update_fields=[*changes, "updated_at"])
        logger.info("assignment_updated", assignment_id=str(assignment.pk), fields=sorted(changes))
    return assignment


@transaction.atomic
def assignment_delete(*, membership: Membership, assignment: Assignment) -> None:
    if not can_delete_assignment(membership):
        raise Forbidden(ADMIN_REQUIRED)
    assignment_id = str(assignment.pk)
    assignment.delete()
    logger.info("assignment_deleted", assignment_id=assignment_id)


# --- Practice logs -----------------------------------------------------------------------------


def _check_occurred_at(occurred_at: datetime.datetime) -> None:
    if occurred_at > timezone.now() + MAX_FUTURE:
        raise ValidationFailed(
            "occurred_at cannot be more than 1 day in the future", field="occurred_at"
        )


def _resolve_assignments(
    membership: Membership, cycle_id: uuid.UUID | None, assignment_ids: Sequence[uuid.UUID]
) -> list[Assignment]:
    """Assignments of the log's cycle that the author can see; anything else is refused."""
    wanted = set(assignment_ids)
    if not wanted:
        return []
    found = []
    if cycle_id is not None:
        found = list(
            Assignment.objects.filter(
                visible_assignments_q(membership), cycle_id=cycle_id, pk__in=wanted
            )
        )
    if len(found) != len(wanted):
        raise ValidationFailed(
            "Assignments must be visible assignments of the practice log's cycle",
            field="assignment_ids",
        )
    return found


def suggested_ticket(log: PracticeLog, cycle: RehearsalCycle | None) -> dict[str, Any] | None:
    """What the client pre-fills when a member reports being blocked (spec/api.md)."""
    if not log.blocked_flag:
        return None
    return {
        "title_suggestion": SUGGESTED_TICKET_TITLE,
        # A date, as the field's name says and existing clients display it (not midnight UTC).
        "due_date": cycle.date if cycle is not None else None,
        "visibility_default": "PRIVATE",
        "priority_default": "MEDIUM",
        "category_default": "OTHER",
    }


@transaction.atomic
def practice_log_create(
    *,
    membership: Membership,
    cycle: RehearsalCycle,
    duration_minutes: int,
    occurred_at: datetime.datetime | None = None,
    notes: str | None = None,
    rating_1_5: int | None = None,
    blocked_flag: bool = False,
    assignment_ids: Sequence[uuid.UUID] = (),
    ticket_ids: Sequence[uuid.UUID] = (),
) -> PracticeLog:
    occurred_at = occurred_at or timezone.now()
    _check_occurred_at(occurred_at)
    assignments = _resolve_assignments(membership, cycle.pk, assignment_ids)
    tickets = links.resolve_tickets(membership, list(dict.fromkeys(ticket_ids)))
    tz = rollups.team_timezone_for_write(cycle.team_id)
    log = PracticeLog.objects.create(
        user_id=membership.user_id,
        team_id=cycle.team_id,
        cycle=cycle,
        duration_minutes=duration_minutes,
        occurred_at=occurred_at,
        notes=notes or None,
        rating_1_5=rating_1_5,
        blocked_flag=blocked_flag,
    )
    rollups.rollup_apply(rollups.log_changes(log, tz))
    if assignments:
        log.assignments.set(assignments)
    if tickets:
        log.tickets.set(tickets)
    logger.info(
        "practice_log_created",
        practice_log_id=str(log.pk),
        team_id=str(log.team_id),
        cycle_id=str(cycle.pk),
        blocked=blocked_flag,
    )
    return log


@transaction.atomic
def practice_log_update(
    *, membership: Membership, log: PracticeLog, changes: dict[str, Any]
) -> PracticeLog:
    """The owner changes any field; linked ids, when sent, replace the links."""
    if log.user_id != membership.user_id:
        raise Forbidden(NOT_LOG_OWNER)
    log = PracticeLog.objects.select_for_update(of=("self",)).get(pk=log.pk)
    before = (log.occurred_at, log.duration_minutes)
    fields = {key: value for key, value in changes.items() if key in LOG_EDITABLE}
    if "occurred_at" in fields:
        if fields["occurred_at"] is None:
            raise ValidationFailed("occurred_at cannot be null", field="occurred_at")
        _check_occurred_at(fields["occurred_at"])
    if "notes" in fields:
        fields["notes"] = fields["notes"] or None
    assignments = None
    if "assignment_ids" in changes:
        assignments = _resolve_assignments(membership, log.cycle_id, changes["assignment_ids"])
    tickets = None
    if "ticket_ids" in changes:
        tickets = links.resolve_tickets(membership, list(dict.fromkeys(changes["ticket_ids"])))
    for key, value in fields.items():
        setattr(log, key, value)
    if fields:
        log.save(update_fields=[*fields, "updated_at"])
    if {"occurred_at", "duration_minutes"} & fields.keys():
        practice_log_rollup_moved(log, before)
    if assignments is not None:
        log.assignments.set(assignments)
    if tickets is not None:
        log.tickets.set(tickets)
    logger.info("practice_log_updated", practice_log_id=str(log.pk), fields=sorted(changes))
    return log


@transaction.atomic
def practice_log_delete(*, membership: Membership, log: PracticeLog) -> None:
    if log.user_id != membership.user_id:
        raise Forbidden(NOT_LOG_OWNER)
    log_id = str(log.pk)
    # As stored, under lock: a concurrent edit may have moved it since the caller read it.
    stored = PracticeLog.objects.select_for_update(of=("self",)).filter(pk=log.pk).first()
    if stored is not None:
        practice_log_rollup_removed(stored)
    log.delete()
    logger.info("practice_log_deleted", practice_log_id=log_id)


def practice_log_rollup_moved(log: PracticeLog, before: tuple[datetime.datetime, int]) -> None:
    """Moves a saved log's practice from its old day and minutes to its new ones in the
    rollups. Call inside the transaction that saved it (the admin console does too)."""
    tz = rollups.team_timezone_for_write(log.team_id)
    old = PracticeLog(
        team_id=log.team_id, user_id=log.user_id, occurred_at=before[0], duration_minutes=before[1]
    )
    rollups.rollup_apply([*rollups.log_changes(old, tz, sign=-1), *rollups.log_changes(log, tz)])


def practice_log_rollup_removed(log: PracticeLog) -> None:
    """Takes a log's practice out of the rollups; call in the transaction that deletes it,
    with the log as stored."""
    tz = rollups.team_timezone_for_write(log.team_id)
    rollups.rollup_apply(rollups.log_changes(log, tz, sign=-1))
