"""no_log_reminder: members who logged no practice in their team for ``no_log_days`` days."""

from __future__ import annotations

import datetime

from django.db.models import CharField, DateTimeField, Exists, F, OuterRef, Value
from django.db.models.functions import Concat, JSONObject

from notifications.jobs.base import (
    Crontab,
    Job,
    JobContext,
    JobOutcome,
    local_midnight,
    pref,
    preferences_of,
    run_id_value,
    team_timezones,
)
from notifications.kinds import NO_LOG_REMINDER
from notifications.models import NO_LOG_DAYS_RANGE, EmailDelivery, EmailStatus
from notifications.outbox import enqueue_select
from notifications.sql import NewUUID, UUIDHex, choose
from practice.models import PracticeLog
from teams.models import Membership, Team

SUBJECT = "Time to practice!"


def windows(now: datetime.datetime) -> tuple[dict, dict, dict, dict]:
    """For each team timezone and each possible ``no_log_days`` n: when the window starts.

    The window is the last n calendar days of the team's timezone, today included; its start
    is computed in Python, exactly across DST changes, and picked per row by the database.
    """
    zones = team_timezones(Team.objects.values_list("timezone", flat=True).distinct())
    days = range(NO_LOG_DAYS_RANGE[0], NO_LOG_DAYS_RANGE[1] + 1)

    def per_zone(zone) -> tuple[dict, dict]:  # type: ignore[no-untyped-def]
        today = now.astimezone(zone).date()
        starts = {n: local_midnight(today - datetime.timedelta(days=n - 1), zone) for n in days}
        return starts, {n: start.astimezone(zone).date().isoformat() for n, start in starts.items()}

    start_by_zone, date_by_zone = {}, {}
    for name, zone in zones.items():
        start_by_zone[name], date_by_zone[name] = per_zone(zone)
    utc_start, utc_date = per_zone(datetime.UTC)
    return start_by_zone, date_by_zone, utc_start, utc_date


def run(ctx: JobContext) -> JobOutcome:
    start_by_zone, date_by_zone, utc_start, utc_date = windows(ctx.now)
    window_start = choose(
        "team__timezone",
        {
            tz: choose("p_days", starts, default=utc_start[3], output_field=DateTimeField())
            for tz, starts in start_by_zone.items()
        },
        default=choose("p_days", utc_start, default=utc_start[3], output_field=DateTimeField()),
        output_field=DateTimeField(),
    )
    window_date = choose(
        "team__timezone",
        {
            tz: choose("p_days", dates, default=utc_date[3], output_field=CharField())
            for tz, dates in date_by_zone.items()
        },
        default=choose("p_days", utc_date, default=utc_date[3], output_field=CharField()),
        output_field=CharField(),
    )
    members = Membership.objects.filter(user__is_active=True)
    considered = members.count()
    candidates = (
        members.annotate(prefs=preferences_of("team", "user"))
        .annotate(p_email=pref("prefs", "email_enabled"), p_days=pref("prefs", "no_log_days"))
        .annotate(window_start=window_start, window_date=window_date)
        .filter(p_email=True)
        .exclude(
            Exists(
                PracticeLog.objects.filter(
                    user_id=OuterRef("user_id"),
                    team_id=OuterRef("team_id"),
                    occurred_at__gte=OuterRef("window_start"),
                )
            )
        )
        # At most one reminder per window, even on the days after it when nothing changed.
        .exclude(
            Exists(
                EmailDelivery.objects.filter(
                    kind=NO_LOG_REMINDER.name,
                    user_id=OuterRef("user_id"),
                    team_id=OuterRef("team_id"),
                    created_at__gte=OuterRef("window_start"),
                )
            )
        )
    )
    queued = enqueue_select(
        candidates,
        {
            "id": NewUUID(),
            "kind": Value(NO_LOG_REMINDER.name),
            "user": F("user_id"),
            "team": F("team_id"),
            "job_run": run_id_value(ctx),
            "dedupe_key": Concat(
                Value(f"{NO_LOG_REMINDER.name}:"),
                UUIDHex("team_id"),
                Value(":"),
                UUIDHex("user_id"),
                Value(":"),
                F("window_date"),
                output_field=CharField(),
            ),
            "to": F("user__email"),
            "subject": Value(SUBJECT),
            "template": Value(NO_LOG_REMINDER.template),
            "context": JSONObject(days=F("p_days"), window_start_date=F("window_date")),
            "status": Value(EmailStatus.PENDING),
            "attempts": Value(0),
            "next_attempt_at": Value(ctx.now, output_field=DateTimeField()),
            "created_at": Value(ctx.now, output_field=DateTimeField()),
        },
    )
    return JobOutcome(considered=considered, queued=queued)


JOB = Job(
    name="no_log_reminder",
    description="Reminds members who have logged no practice in the last no_log_days days (team timezone).",
    schedule=Crontab(minute="0", hour="9"),
    run=run,
)
