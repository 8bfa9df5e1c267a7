"""The scheduled jobs of spec/jobs.md, one module each."""

from __future__ import annotations

from notifications.jobs import (
    blocked_over_48h,
    blocking_due_48h,
    deadline_reminder,
    no_log_reminder,
    stale_claim_release,
    weekly_leader_digest,
    weekly_member_digest,
)
from notifications.jobs.base import Job

JOBS: dict[str, Job] = {
    job.name: job
    for job in (
        no_log_reminder.JOB,
        blocking_due_48h.JOB,
        blocked_over_48h.JOB,
        deadline_reminder.JOB,
        weekly_leader_digest.JOB,
        weekly_member_digest.JOB,
        stale_claim_release.JOB,
    )
}


def job_get(name: str) -> Job | None:
    return JOBS.get(name)
