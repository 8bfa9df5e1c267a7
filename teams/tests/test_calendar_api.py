import datetime
import hashlib
from urllib.parse import parse_qs, urlsplit

import pytest
from icalendar import Calendar
from rest_framework.test import APIClient

from conftest import assert_error
from teams.models import Membership
from teams.tests.conftest import MEMBERS
from teams.tests.factories import CycleFactory

D = datetime.date


def calendar_url(persona, team) -> str:
    response = persona.client.post(f"/teams/{team.id}/calendar-token")
    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == {"calendar_url"}
    return body["calendar_url"]


def fetch(url: str, **headers):
    parts = urlsplit(url)
    return APIClient().get(parts.path, parse_qs(parts.query), **headers)


def events(response):
    calendar = Calendar.from_ical(response.content)
    return calendar, list(calendar.walk("VEVENT"))


# --- POST /teams/{id}/calendar-token --------------------------------------------------------


@pytest.mark.parametrize("name", MEMBERS)
def test_every_member_gets_a_secret_calendar_url(everyone, team, name):
    persona = everyone[name]
    url = calendar_url(persona, team)

    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc) == ("http", "testserver")
    assert parts.path == f"/teams/{team.id}/calendar.ics"
    [raw] = parse_qs(parts.query)["token"]
    assert len(raw) >= 43
    persona.membership.refresh_from_db()
    assert persona.membership.calendar_token_hash == hashlib.sha256(raw.encode()).hexdigest()


def test_calendar_token_outsider_and_anonymous(outsider, anon, team):
    assert_error(
        outsider.client.post(f"/teams/{team.id}/calendar-token"),
        403,
        "FORBIDDEN",
        "Not a member of this team",
    )
    assert_error(anon.post(f"/teams/{team.id}/calendar-token"), 401, "UNAUTHORIZED")


# --- GET /teams/{id}/calendar.ics -----------------------------------------------------------


def test_feed_has_one_all_day_event_per_cycle_with_stable_uids(soprano_member, team, other_team):
    team.timezone = "America/New_York"
    team.save()
    cycles = [
        CycleFactory(team=team, date=D(2026, 3, 2)),
        CycleFactory(team=team, date=D(2026, 3, 9), name="Dress rehearsal"),
        CycleFactory(team=team, date=D(2025, 12, 31)),
    ]
    CycleFactory(team=other_team, date=D(2026, 3, 2))
    url = calendar_url(soprano_member, team)

    response = fetch(url)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar, found = events(response)
    assert str(calendar["X-WR-TIMEZONE"]) == "America/New_York"
    assert "Harmonia" in str(calendar["X-WR-CALNAME"])
    by_uid = {str(event["UID"]): event for event in found}
    assert set(by_uid) == {f"{cycle.id}@practiceops" for cycle in cycles}
    for cycle in cycles:
        event = by_uid[f"{cycle.id}@practiceops"]
        start = event.decoded("DTSTART")
        assert start == cycle.date and not isinstance(start, datetime.datetime)
        assert event.decoded("DTEND") == cycle.date + datetime.timedelta(days=1)
        assert str(event["SUMMARY"]) == cycle.name
    # A second fetch after an edit updates the same events instead of adding new ones.
    cycles[0].name = "Moved"
    cycles[0].save()
    _, again = events(fetch(url))
    assert {str(e["UID"]) for e in again} == set(by_uid)
    assert {str(e["SUMMARY"]) for e in again} >= {"Moved"}


def test_feed_answers_calendar_apps_that_ask_for_text_calendar(alto_member, team):
    CycleFactory(team=team, date=D(2026, 3, 2))
    url = calendar_url(alto_member, team)
    response = fetch(url, HTTP_ACCEPT="text/calendar")
    assert response.status_code == 200
    assert len(events(response)[1]) == 1


def test_feed_of_a_team_without_cycles_is_an_empty_calendar(admin, team):
    response = fetch(calendar_url(admin, team))
    assert response.status_code == 200
    assert events(response)[1] == []


def test_wrong_token_is_404(admin, team, anon):
    calendar_url(admin, team)
    response = anon.get(f"/teams/{team.id}/calendar.ics", {"token": "not-the-token"})
    assert_error(response, 404, "NOT_FOUND", "Calendar not found", field=None)
    assert_error(anon.get(f"/teams/{team.id}/calendar.ics"), 404, "NOT_FOUND", "Calendar not found")


def test_wrong_token_is_a_json_404_even_when_asking_for_text_calendar(anon, team):
    response = anon.get(
        f"/teams/{team.id}/calendar.ics", {"token": "x"}, HTTP_ACCEPT="text/calendar"
    )
    assert_error(response, 404, "NOT_FOUND", "Calendar not found")


def test_a_new_token_revokes_the_old_one(admin, team):
    old = calendar_url(admin, team)
    new = calendar_url(admin, team)
    assert_error(fetch(old), 404, "NOT_FOUND", "Calendar not found")
    assert fetch(new).status_code == 200


def test_token_only_opens_its_own_team(outsider, team, other_team):
    url = calendar_url(outsider, other_team)
    assert fetch(url).status_code == 200
    token = parse_qs(urlsplit(url).query)["token"][0]
    response = APIClient().get(f"/teams/{team.id}/calendar.ics", {"token": token})
    assert_error(response, 404, "NOT_FOUND", "Calendar not found")


def test_token_dies_with_the_membership_and_the_account(admin, alto_member, soprano_member, team):
    leaving = calendar_url(alto_member, team)
    deactivated = calendar_url(soprano_member, team)

    Membership.objects.filter(pk=alto_member.membership.pk).delete()
    soprano_member.user.is_active = False
    soprano_member.user.save()

    assert_error(fetch(leaving), 404, "NOT_FOUND")
    assert_error(fetch(deactivated), 404, "NOT_FOUND")


def test_feed_with_malformed_team_id(anon, db):
    response = anon.get("/teams/nope/calendar.ics", {"token": "x"})
    assert_error(response, 422, "VALIDATION_ERROR", field="team_id")


def test_feed_query_count_does_not_grow(admin, team, django_assert_max_num_queries):
    url = calendar_url(admin, team)
    for day in range(1, 3):
        CycleFactory(team=team, date=D(2026, 1, day))
    with django_assert_max_num_queries(2) as small:
        assert len(events(fetch(url))[1]) == 2
    for day in range(3, 31):
        CycleFactory(team=team, date=D(2026, 1, day))
    with django_assert_max_num_queries(2) as large:
        assert len(events(fetch(url))[1]) == 30
    assert len(small.captured_queries) == len(large.captured_queries)
