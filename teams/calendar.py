"""The iCalendar (RFC 5545) feed of a team's rehearsal cycles."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from icalendar import Calendar, Event

from teams.models import RehearsalCycle, Team

PRODID = "-//PracticeOps//Rehearsal cycles//EN"
REFRESH = datetime.timedelta(hours=1)


def cycle_uid(cycle: RehearsalCycle) -> str:
    """Stable across feed fetches and edits, so subscribed calendars update the event in place."""
    return f"{cycle.pk}@practiceops"


def team_calendar_ical(*, team: Team, cycles: Iterable[RehearsalCycle]) -> bytes:
    """One all-day event per cycle, on the cycle's date as the team's calendar reads it.

    A cycle has a date and no time, so each event is a DATE value (not a DATE-TIME):
    calendar apps show it on that day in any viewer's timezone, and X-WR-TIMEZONE names the
    team's timezone for the apps that display it.
    """
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", f"{team.name} rehearsals")
    calendar.add("x-wr-timezone", team.timezone)
    # How often subscribed apps should re-fetch (RFC 7986, and its older Microsoft spelling).
    calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT1H")
    for cycle in cycles:
        event = Event()
        event.add("uid", cycle_uid(cycle))
        event.add("summary", cycle.name)
        event.add("description", f"{team.name}: {cycle.name}")
        event.add("dtstart", cycle.date)
        event.add("dtend", cycle.date + datetime.timedelta(days=1))
        event.add("dtstamp", cycle.updated_at)
        event.add("created", cycle.created_at)
        event.add("last-modified", cycle.updated_at)
        event.add("transp", "TRANSPARENT")
        calendar.add_component(event)
    return calendar.to_ical()
