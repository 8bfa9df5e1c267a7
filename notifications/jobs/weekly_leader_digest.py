"""weekly_leader_digest: each leader's dashboard numbers for their scope, once a week."""

from __future__ import annotations

from insights.digests import leader_digests
from notifications.jobs.base import Crontab, Job, JobContext, JobOutcome
from notifications.jobs.digests import run_digest
from notifications.kinds import WEEKLY_LEADER_DIGEST
from teams.models import Membership, Role


def run(ctx: JobContext) -> JobOutcome:
    return run_digest(
        ctx,
        WEEKLY_LEADER_DIGEST,
        Membership.objects.filter(role__in=(Role.SECTION_LEADER, Role.ADMIN)),
        leader_digests,
        lambda team: f"Weekly digest: {team.name}",
    )


JOB = Job(
    name="weekly_leader_digest",
    description="Sends each leader the week's practice and ticket numbers of their scope (section or whole team).",
    schedule=Crontab(minute="0", hour="8", day_of_week="0"),
    run=run,
)
