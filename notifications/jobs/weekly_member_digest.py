"""weekly_member_digest: each member's week, tickets and next rehearsal, once a week."""

from __future__ import annotations

from insights.digests import member_digests
from notifications.jobs.base import Crontab, Job, JobContext, JobOutcome
from notifications.jobs.digests import run_digest
from notifications.kinds import WEEKLY_MEMBER_DIGEST
from teams.models import Membership


def run(ctx: JobContext) -> JobOutcome:
    return run_digest(
        ctx,
        WEEKLY_MEMBER_DIGEST,
        Membership.objects.all(),
        member_digests,
        lambda team: f"Your week in {team.name}",
    )


JOB = Job(
    name="weekly_member_digest",
    description="Sends each member their week: practice days, minutes, streak, open tickets and the next rehearsal.",
    schedule=Crontab(minute="0", hour="8", day_of_week="0"),
    run=run,
)
