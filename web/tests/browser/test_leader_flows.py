"""The leaders' and the director's flows in a real browser, at 1280 × 900 and 390 × 844.

Same harness as the member flows (Debian's headless Chromium through Playwright, every test
failing on any console error); the database is touched only before and after the browser
block.
"""

from __future__ import annotations

import re

import pytest
from django.utils import timezone

from accounts.tests.factories import UserFactory
from practice.tests.factories import AssignmentFactory
from teams.models import Membership, Role
from teams.tests.factories import CycleFactory, MembershipFactory, TeamFactory
from tickets.models import Ticket, TicketStatus
from tickets.tests.factories import TicketFactory
from web.tests.browser.test_member_flows import (
    ARTIFACTS,
    Console,
    _audit,
    browser,
    chromium,  # noqa: F401 - a fixture
    new_page,
    sign_in,
)

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("chromium")]

VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
LAST_ADMIN = "Cannot demote the last admin of the team"


@pytest.fixture
def team_scene(transactional_db):
    team = TeamFactory(name="Harmonia Choir")
    cycle = CycleFactory(team=team)
    people = {}
    for key, email, name, role, section in (
        ("member", "sarah@example.com", "Sarah Kim", Role.MEMBER, "Soprano"),
        ("leader", "sofia@example.com", "Sofia Reyes", Role.SECTION_LEADER, "Soprano"),
        ("alto_leader", "alan@example.com", "Alan Alto", Role.SECTION_LEADER, "Alto"),
        ("alto_member", "ana@example.com", "Ana Alto", Role.MEMBER, "Alto"),
        ("admin", "dana@example.com", "Dana Director", Role.ADMIN, None),
    ):
        user = UserFactory(email=email, display_name=name)
        MembershipFactory(team=team, user=user, role=role, section=section)
        people[key] = user
    to_resolve = TicketFactory(
        cycle=cycle,
        created_by=people["member"],
        section="Soprano",
        visibility="SECTION",
        status=TicketStatus.IN_PROGRESS,
        title="Sopranos, bars 12-16",
    )
    to_reopen = TicketFactory(
        cycle=cycle,
        created_by=people["member"],
        section="Soprano",
        visibility="SECTION",
        status=TicketStatus.RESOLVED,
        resolved_at=timezone.now(),
        resolved_note="Breathing earlier",
        title="Soprano breath at bar 30",
    )
    alto_only = TicketFactory(
        cycle=cycle,
        created_by=people["alto_member"],
        section="Alto",
        visibility="SECTION",
        title="Alto entrance, bar 40",
    )
    return {
        "team": team,
        "cycle": cycle,
        "people": people,
        "to_resolve": to_resolve,
        "to_reopen": to_reopen,
        "alto_only": alto_only,
    }


def go_to(page, label: str) -> None:  # type: ignore[no-untyped-def]
    nav = page.get_by_role("navigation", name="Main")
    nav.get_by_role("link", name=label, exact=True).click()
    page.wait_for_load_state()


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=list(VIEWPORTS))
def test_member_resolves_leader_verifies_and_reopens_from_the_queue(
    live_server, team_scene, viewport
):
    base = live_server.url
    resolve_id = team_scene["to_resolve"].pk
    reopen_id = team_scene["to_reopen"].pk
    with browser() as instance:
        member, member_console = new_page(instance, viewport=VIEWPORTS[viewport])
        sign_in(member, base, "sarah@example.com")
        member.goto(f"{base}/app/tickets/{resolve_id}")
        member.get_by_label("Note").fill("Slow practice with a drone")
        member.get_by_role("button", name="Mark resolved").click()
        member.locator("#ticket-status", has_text="Resolved").wait_for()

        leader, leader_console = new_page(instance, viewport=VIEWPORTS[viewport])
        sign_in(leader, base, "sofia@example.com")
        go_to(leader, "Section overview")
        assert leader.get_by_role("heading", level=1).inner_text() == "Section overview"
        row = leader.locator(f"#queue-{resolve_id}")
        row.get_by_label("Note").fill("Clean now")
        row.get_by_role("button", name="Verify").click()
        leader.locator(f"#queue-{resolve_id}", has_text="verified").wait_for()
        assert leader.locator(f"#queue-{resolve_id}").get_by_role("button").count() == 0

        row = leader.locator(f"#queue-{reopen_id}")
        row.get_by_label("Reason").fill("Still late at bar 30")
        row.get_by_role("button", name="Reopen").click()
        leader.locator(f"#queue-{reopen_id}", has_text="reopened").wait_for()
        # On reload both have left the queue.
        leader.reload()
        assert leader.locator(f"#queue-{resolve_id}").count() == 0
        assert leader.locator(f"#queue-{reopen_id}").count() == 0
        leader.screenshot(path=str(_artifact(f"web-section-{viewport}.png")), full_page=True)

        # The owner finds the reopened ticket in progress on This week.
        go_to(member, "This week")
        mine = member.locator("#mine-h").locator("..")
        item = mine.get_by_role("listitem").filter(has_text="Soprano breath at bar 30")
        assert "In progress" in item.inner_text()
        member_console.check()
        leader_console.check()
    assert Ticket.objects.get(pk=resolve_id).status == TicketStatus.VERIFIED
    assert Ticket.objects.get(pk=resolve_id).verified_note == "Clean now"
    assert Ticket.objects.get(pk=reopen_id).status == TicketStatus.IN_PROGRESS


def test_verify_from_the_queue_without_javascript(live_server, team_scene):
    """With JavaScript off the queue's forms post plainly: POST → redirect → the page again,
    the ticket gone from the queue and a confirmation shown."""
    reopen_id = team_scene["to_reopen"].pk
    with browser() as instance:
        page, console = new_page(instance, js=False, viewport=VIEWPORTS["phone"])
        sign_in(page, live_server.url, "sofia@example.com")
        go_to(page, "Section overview")
        row = page.locator(f"#queue-{reopen_id}")
        row.get_by_label("Note").fill("Breathing is right now")
        row.get_by_role("button", name="Verify").click()
        page.wait_for_url(re.compile(r".*/section\?done=verified#queue$"))
        assert page.get_by_role("status").first.inner_text() == (
            "Ticket verified: it has left the verification queue."
        )
        assert page.locator(f"#queue-{reopen_id}").count() == 0
        console.check()
    ticket = Ticket.objects.get(pk=reopen_id)
    assert (ticket.status, ticket.verified_note) == (
        TicketStatus.VERIFIED,
        "Breathing is right now",
    )


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=list(VIEWPORTS))
def test_director_invites_a_new_person_who_joins_with_the_invited_role(
    live_server, team_scene, viewport
):
    base = live_server.url
    with browser() as instance:
        director, console = new_page(instance, viewport=VIEWPORTS[viewport])
        director.context.grant_permissions(["clipboard-read", "clipboard-write"])
        sign_in(director, base, "dana@example.com")
        go_to(director, "Team settings")
        assert director.get_by_role("heading", level=1).inner_text() == "Team settings"
        invites = director.locator("#invites")
        invites.get_by_label("Role", exact=True).select_option("SECTION_LEADER")
        invites.get_by_label("Section", exact=True).fill("Tenor")
        invites.get_by_role("button", name="Create invite").click()
        link = director.locator("#invite-link").input_value()
        assert re.fullmatch(rf"{re.escape(base)}/app/invites/[\w-]+", link), link
        copy = director.get_by_role("button", name="Copy link")
        copy.click()  # shown by copy.js (hidden without JavaScript)
        director.locator(".copy-status", has_text=re.compile(r"\w")).wait_for()

        # A new person, in a fresh context (no session), joins through the link.
        newcomer, newcomer_console = new_page(instance, viewport=VIEWPORTS[viewport])
        newcomer.goto(link)
        newcomer.get_by_label("Name").fill("Tom Tenor")
        newcomer.get_by_label("Email").fill("tom@example.com")
        newcomer.get_by_label("Password").fill("a-long-password-7")
        newcomer.get_by_role("button", name="Create account and join").click()
        newcomer.wait_for_url(re.compile(r".*/app/t/[^/]+/$"))
        assert newcomer.get_by_role("heading", level=1).inner_text() == "This week"
        assert "Section overview" in newcomer.get_by_role("navigation", name="Main").inner_text()

        director.reload()
        row = director.locator(".member-row", has_text="Tom Tenor")
        assert row.get_by_label("Role", exact=True).input_value() == "SECTION_LEADER"
        assert row.get_by_label("Section", exact=True).input_value() == "Tenor"
        director.screenshot(path=str(_artifact(f"web-settings-{viewport}.png")), full_page=True)
        console.check()
        newcomer_console.check()
    membership = Membership.objects.get(user__email="tom@example.com")
    assert (membership.role, membership.section) == (Role.SECTION_LEADER, "Tenor")


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=list(VIEWPORTS))
def test_demoting_the_last_admin_is_refused_with_its_message(live_server, team_scene, viewport):
    admin_id = team_scene["people"]["admin"].pk
    with browser() as instance:
        page, console = new_page(instance, viewport=VIEWPORTS[viewport])
        sign_in(page, live_server.url, "dana@example.com")
        go_to(page, "Team settings")
        row = page.locator(f"#member-{admin_id}")
        row.get_by_label("Role", exact=True).select_option("MEMBER")
        row.get_by_role("button", name="Save").click()
        alert = page.locator(f"#member-{admin_id}").get_by_role("alert")
        assert alert.inner_text() == LAST_ADMIN
        # The refused POST answers 409: the browser reports that status, nothing else.
        console.errors = [e for e in console.errors if "409" not in e]
        console.check()
    assert Membership.objects.get(user_id=admin_id).role == Role.ADMIN


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=list(VIEWPORTS))
def test_a_leader_of_another_section_never_sees_the_ticket(live_server, team_scene, viewport):
    base = live_server.url
    soprano_id = team_scene["to_resolve"].pk
    with browser() as instance:
        page, console = new_page(instance, viewport=VIEWPORTS[viewport])
        sign_in(page, base, "alan@example.com")
        go_to(page, "Tickets")
        listing = page.locator("main").inner_text()
        assert "Alto entrance, bar 40" in listing
        assert "Sopranos, bars 12-16" not in listing
        go_to(page, "Section overview")
        overview = page.locator("main").inner_text()
        assert "Sopranos" not in overview and "Soprano breath" not in overview
        page.goto(f"{base}/app/tickets/{soprano_id}")
        assert page.get_by_role("heading", level=1).inner_text() == "Not found"
        assert page.get_by_role("alert").inner_text() == "Ticket not found"
        console.errors = [e for e in console.errors if "404" not in e]
        console.check()


def _artifact(name: str):  # type: ignore[no-untyped-def]
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS / name


def test_every_page_of_the_app_is_accessible_for_each_role_and_fits_360px(live_server, team_scene):
    """axe-core on every page of both parts for every role (a page a role may not open is its
    app-styled 403/404), and no horizontal scrolling at 360 px."""
    from axe_playwright_python.sync_playwright import Axe

    team = team_scene["team"].pk
    cycle = team_scene["cycle"]
    ticket = team_scene["to_reopen"].pk
    assignment = AssignmentFactory(cycle=cycle, scope="TEAM", title="Listen to the recording")
    paths = [
        f"/app/t/{team}/",
        f"/app/t/{team}/tickets",
        f"/app/t/{team}/tickets/new",
        f"/app/tickets/{ticket}",
        f"/app/t/{team}/assignments",
        f"/app/t/{team}/assignments/new",
        f"/app/assignments/{assignment.pk}/edit",
        f"/app/t/{team}/practice",
        f"/app/t/{team}/practice?who=team",
        f"/app/t/{team}/practice/new",
        f"/app/t/{team}/section",
        f"/app/t/{team}/settings",
        "/app/me",
        "/app/nowhere",
    ]
    axe = Axe()
    problems: list[str] = []
    with browser() as instance:
        page, console = new_page(instance, viewport={"width": 360, "height": 780})
        page.goto(live_server.url + "/app/login")
        problems += _audit(axe, page, "/app/login", "signed out")
        for email in ("sarah@example.com", "sofia@example.com", "dana@example.com"):
            page.context.clear_cookies()
            sign_in(page, live_server.url, email)
            for path in paths:
                page.goto(live_server.url + path)
                problems += _audit(axe, page, path, email)
        # Pages a role may not open answer 403/404 (app-styled): the browser logs the status.
        console.errors = [e for e in console.errors if "403" not in e and "404" not in e]
        console.check()
    assert problems == [], "\n".join(problems)


def test_leaders_pages_are_accessible_in_dark_mode_too(live_server, team_scene):
    """The stylesheet's dark scheme (prefers-color-scheme) keeps axe's contrast checks green."""
    from axe_playwright_python.sync_playwright import Axe

    team = team_scene["team"].pk
    axe = Axe()
    problems: list[str] = []
    with browser() as instance:
        context = instance.new_context(viewport={"width": 390, "height": 844}, color_scheme="dark")
        page = context.new_page()
        page.set_default_timeout(15_000)
        console = Console(page)
        sign_in(page, live_server.url, "dana@example.com")
        for path in (f"/app/t/{team}/section", f"/app/t/{team}/settings", f"/app/t/{team}/"):
            page.goto(live_server.url + path)
            problems += _audit(axe, page, path, "admin, dark")
        console.check()
    assert problems == [], "\n".join(problems)
