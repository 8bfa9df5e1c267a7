"""Section overview: who may open it, what it shows in whose scope, and the verification
queue's Verify and Reopen (htmx and plain POST; refusals with the API's message, nothing
changed)."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone

from teams.access import LEADER_REQUIRED
from tickets.models import Ticket, TicketActivity, TicketStatus
from tickets.state_machine import ONLY_RESOLVED_REOPEN
from tickets.tests.factories import TicketFactory
from web.tests.conftest import session_client
from web.tests.helpers import alerts, buttons, h1, text

HTMX = {"HTTP_HX_REQUEST": "true"}


def nav_labels(response) -> list[str]:  # type: ignore[no-untyped-def]
    nav = re.search(r'<nav aria-label="Main">(.*?)</nav>', response.content.decode(), re.S)
    return [text(m) for m in re.findall(r"<a [^>]*>(.*?)</a>", nav.group(1), re.S)] if nav else []


@pytest.fixture
def resolved(cycle, soprano_member):
    """A SECTION ticket of Soprano, resolved by its owner."""
    return TicketFactory(
        cycle=cycle,
        created_by=soprano_member.user,
        section="Soprano",
        visibility="SECTION",
        status=TicketStatus.RESOLVED,
        resolved_at=timezone.now(),
        resolved_note="Sang it slowly",
        title="Soprano bars 12-16",
    )


@pytest.fixture
def alto_resolved(cycle, alto_member):
    return TicketFactory(
        cycle=cycle,
        created_by=alto_member.user,
        section="Alto",
        visibility="SECTION",
        status=TicketStatus.RESOLVED,
        resolved_at=timezone.now(),
        title="Alto entrance",
    )


def url(team) -> str:  # type: ignore[no-untyped-def]
    return f"/app/t/{team.pk}/section"


def test_nav_offers_section_overview_to_leaders_and_team_settings_to_admins(
    team, admin, soprano_leader, soprano_member
):
    base = ["This week", "Tickets", "Assignments", "Practice"]
    week = f"/app/t/{team.pk}/"
    assert nav_labels(session_client(soprano_member).get(week)) == [*base, "Me"]
    assert nav_labels(session_client(soprano_leader).get(week)) == [
        *base,
        "Section overview",
        "Me",
    ]
    assert nav_labels(session_client(admin).get(week)) == [
        *base,
        "Section overview",
        "Team settings",
        "Me",
    ]


def test_who_may_open_the_section_overview(team, admin, soprano_leader, soprano_member, outsider):
    for persona in (admin, soprano_leader):
        response = session_client(persona).get(url(team))
        assert response.status_code == 200
        assert h1(response) == "Section overview"
    refused = session_client(soprano_member).get(url(team))
    assert refused.status_code == 403
    assert alerts(refused) == [LEADER_REQUIRED]
    other = session_client(outsider).get(url(team))
    assert other.status_code == 403
    assert alerts(other) == ["Not a member of this team"]
    signed_out = session_client(None).get(url(team))
    assert signed_out.status_code == 302
    assert signed_out["Location"].startswith("/app/login?next=")


def test_leader_sees_own_section_only_and_admin_the_team(
    team, admin, soprano_leader, alto_leader, soprano_member, alto_member, resolved, alto_resolved
):
    soprano = session_client(soprano_leader).get(url(team)).content.decode()
    assert "Soprano bars 12-16" in soprano
    assert "Alto entrance" not in soprano
    assert "Sue Soprano" in soprano and "Alice Alto" not in soprano
    alto = session_client(alto_leader).get(url(team)).content.decode()
    assert "Alto entrance" in alto and "Soprano bars 12-16" not in alto
    whole = session_client(admin).get(url(team)).content.decode()
    assert "Alto entrance" in whole and "Soprano bars 12-16" in whole
    assert "Sue Soprano" in whole and "Alice Alto" in whole


def test_compliance_table_sorts_on_the_server(team, admin, soprano_member, alto_member, cycle):
    from practice.tests.factories import PracticeLogFactory

    PracticeLogFactory(user=alto_member.user, team=team, cycle=cycle, duration_minutes=45)
    client = session_client(admin)
    by_minutes = client.get(url(team) + "?sort=minutes&dir=desc").content.decode()
    table = by_minutes.split('id="members-caption"')[1].split("</table>")[0]
    names = re.findall(r'<th scope="row">(.*?)</th>', table)
    assert names[0] == "Alice Alto"
    assert 'aria-sort="descending"' in table
    by_name = client.get(url(team) + "?sort=name&dir=asc").content.decode()
    table = by_name.split('id="members-caption"')[1].split("</table>")[0]
    names = re.findall(r'<th scope="row">(.*?)</th>', table)
    assert names == sorted(names, key=str.casefold)
    # The header links sort the other way next time.
    assert "?sort=name&amp;dir=desc" in table


def test_chart_is_svg_with_title_desc_and_a_table(team, admin, soprano_member, alto_member):
    page = session_client(admin).get(url(team)).content.decode()
    svg = page.split("<svg", 1)[1].split("</svg>", 1)[0]
    assert "<title>Members who practised in the last 7 days, by section</title>" in svg
    assert "<desc>Alto: 0 of 1 members practised; Soprano: 0 of 1 members practised" in svg
    assert 'id="sections-caption"' in page


def test_verify_from_the_queue_plain_post(team, soprano_leader, resolved):
    client = session_client(soprano_leader)
    page = client.get(url(team))
    assert {"Verify", "Reopen"} <= set(buttons(page))
    response = client.post(
        f"/app/t/{team.pk}/section/queue/{resolved.pk}/verify", {"content": "Clean now"}
    )
    assert response.status_code == 302
    assert response["Location"] == f"{url(team)}?done=verified#queue"
    resolved.refresh_from_db()
    assert resolved.status == TicketStatus.VERIFIED
    assert resolved.verified_note == "Clean now"
    after = client.get(response["Location"]).content.decode()
    assert f'id="queue-{resolved.pk}"' not in after
    assert "Ticket verified: it has left the verification queue." in after


def test_verify_and_reopen_with_htmx_replace_the_row(
    team, soprano_leader, resolved, cycle, soprano_member
):
    other = TicketFactory(
        cycle=cycle,
        created_by=soprano_member.user,
        section="Soprano",
        visibility="SECTION",
        status=TicketStatus.RESOLVED,
        title="Second one",
    )
    client = session_client(soprano_leader)
    response = client.post(f"/app/t/{team.pk}/section/queue/{resolved.pk}/verify", {}, **HTMX)
    assert response.status_code == 200
    body = response.content.decode()
    assert body.startswith(f'<li class="queue-row done" id="queue-{resolved.pk}"')
    assert "verified" in text(body)
    assert "<html" not in body
    response = client.post(
        f"/app/t/{team.pk}/section/queue/{other.pk}/reopen", {"reason": "Still flat"}, **HTMX
    )
    assert response.status_code == 200
    assert "reopened" in text(response.content.decode())
    other.refresh_from_db()
    assert other.status == TicketStatus.IN_PROGRESS
    activity = TicketActivity.objects.filter(ticket=other).latest("created_at")
    assert activity.content == "Still flat"


@pytest.mark.parametrize("htmx", [False, True])
def test_reopen_without_a_reason_is_refused_with_the_api_message(
    team, soprano_leader, resolved, htmx
):
    client = session_client(soprano_leader)
    before = TicketActivity.objects.count()
    response = client.post(
        f"/app/t/{team.pk}/section/queue/{resolved.pk}/reopen",
        {"reason": ""},
        **(HTMX if htmx else {}),
    )
    assert response.status_code == (200 if htmx else 422)
    assert alerts(response) == ["This field may not be blank."]
    resolved.refresh_from_db()
    assert resolved.status == TicketStatus.RESOLVED
    assert TicketActivity.objects.count() == before
    if htmx:
        assert (
            response.content.decode()
            .lstrip()
            .startswith(f'<li class="queue-row" id="queue-{resolved.pk}"')
        )


@pytest.mark.parametrize("htmx", [False, True])
def test_a_ticket_that_left_the_queue_meanwhile_is_refused_with_the_state_machine_message(
    team, soprano_leader, resolved, htmx
):
    Ticket.objects.filter(pk=resolved.pk).update(status=TicketStatus.VERIFIED)
    client = session_client(soprano_leader)
    response = client.post(
        f"/app/t/{team.pk}/section/queue/{resolved.pk}/reopen",
        {"reason": "Again"},
        **(HTMX if htmx else {}),
    )
    assert response.status_code == (200 if htmx else 422)
    assert alerts(response) == [ONLY_RESOLVED_REOPEN]
    resolved.refresh_from_db()
    assert resolved.status == TicketStatus.VERIFIED


def test_leader_of_another_section_cannot_verify_from_the_queue_url(team, alto_leader, resolved):
    response = session_client(alto_leader).post(
        f"/app/t/{team.pk}/section/queue/{resolved.pk}/verify", {}
    )
    # The Soprano SECTION ticket is invisible to the Alto leader: the API answers 404.
    assert response.status_code == 404
    assert alerts(response) == ["Ticket not found"]
    resolved.refresh_from_db()
    assert resolved.status == TicketStatus.RESOLVED


def test_member_cannot_post_to_the_queue(team, soprano_member, resolved):
    response = session_client(soprano_member).post(
        f"/app/t/{team.pk}/section/queue/{resolved.pk}/verify", {}
    )
    assert response.status_code == 403
    assert alerts(response) == [LEADER_REQUIRED]
    resolved.refresh_from_db()
    assert resolved.status == TicketStatus.RESOLVED


def test_a_leader_without_a_section_looks_after_nobody(team, soprano_member):
    from conftest import make_persona

    loose = make_persona(team, role="SECTION_LEADER", section=None, display_name="Loose Leader")
    page = session_client(loose).get(url(team))
    assert page.status_code == 200
    body = page.content.decode()
    assert "you look after nobody yet" in body
    assert "Sue Soprano" not in body
    assert "Nothing to verify" in body
