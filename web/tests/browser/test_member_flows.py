"""The member's flows in a real browser at 390 × 844, with JavaScript on (htmx) and off.

Drives Debian's headless Chromium through Playwright (no browser download), as the admin
console's browser test does. Every test fails on any browser console error (a CSP violation
shows up there). The database is touched only before and after the browser block: Playwright's
sync API keeps an event loop running, under which Django refuses ORM calls.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from django.conf import settings

from accounts.tests.factories import DEFAULT_PASSWORD, UserFactory
from practice.models import PracticeLog
from teams.models import Membership, Role
from teams.tests.factories import CycleFactory, MembershipFactory, TeamFactory, make_invite
from tickets.models import Ticket, TicketStatus
from tickets.tests.factories import TicketFactory

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync"]
PHONE = {"width": 390, "height": 844}
ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts"

pytestmark = pytest.mark.browser


@pytest.fixture
def chromium() -> None:
    if not Path(CHROMIUM).is_file():
        pytest.skip(f"no Chromium at {CHROMIUM}: install Debian's `chromium` package")


@contextmanager
def browser() -> Iterator[Browser]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield instance
        finally:
            instance.close()


class Console:
    """Collects console errors and uncaught page errors; ``check()`` fails on any."""

    def __init__(self, page: Page) -> None:
        self.errors: list[str] = []
        page.on(
            "console", lambda msg: self.errors.append(msg.text) if msg.type == "error" else None
        )
        page.on("pageerror", lambda exc: self.errors.append(str(exc)))

    def check(self) -> None:
        assert self.errors == [], self.errors


def new_page(
    instance: Browser, *, js: bool = True, viewport: dict | None = None
) -> tuple[Page, Console]:
    context = instance.new_context(viewport=viewport or PHONE, java_script_enabled=js)
    page = context.new_page()
    page.set_default_timeout(15_000)
    return page, Console(page)


def sign_in(page: Page, base: str, email: str) -> None:
    page.goto(f"{base}/app/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r".*/app/t/[^/]+/$"))
    assert page.get_by_role("heading", level=1).inner_text() == "This week"


@pytest.fixture
def scene(transactional_db):
    team = TeamFactory(name="Harmonia Choir")
    cycle = CycleFactory(team=team)
    member = UserFactory(email="sarah@example.com", display_name="Sarah Kim")
    MembershipFactory(team=team, user=member, role=Role.MEMBER, section="Soprano")
    leader = UserFactory(email="leader@example.com", display_name="Sofia Reyes")
    MembershipFactory(team=team, user=leader, role=Role.SECTION_LEADER, section="Soprano")
    admin = UserFactory(email="admin@example.com", display_name="Dana Director")
    MembershipFactory(team=team, user=admin, role=Role.ADMIN)
    ticket = TicketFactory(
        cycle=cycle,
        created_by=leader,
        owner=None,
        claimable=True,
        visibility="SECTION",
        section="Soprano",
        title="Sopranos, bars 12-16",
    )
    TicketFactory(cycle=cycle, created_by=member, status="RESOLVED", title="Resolved one")
    _, token = make_invite(team, section="Alto")
    return {"team": team, "member": member, "ticket": ticket, "token": token, "cycle": cycle}


@pytest.mark.parametrize("js", [True, False], ids=["js", "no-js"])
def test_log_20_minutes_in_two_taps(chromium, live_server, scene, js):
    with browser() as instance:
        page, console = new_page(instance, js=js)
        sign_in(page, live_server.url, scene["member"].email)
        assert page.locator("#minutes-this-week").inner_text() == "0"
        # From This week: the "20 min" choice, then "Log practice" (20 is also preselected).
        page.get_by_text("20 min", exact=True).click()
        page.get_by_role("button", name="Log practice").click()
        page.wait_for_selector("text=Logged 20 minutes.")
        assert page.locator("#minutes-this-week").inner_text() == "20"
        console.check()
    log = PracticeLog.objects.get(user=scene["member"])
    assert log.duration_minutes == 20


@pytest.mark.parametrize("js", [True, False], ids=["js", "no-js"])
def test_blocked_then_create_the_suggested_ticket(chromium, live_server, scene, js):
    with browser() as instance:
        page, console = new_page(instance, js=js)
        sign_in(page, live_server.url, scene["member"].email)
        page.get_by_label("I'm blocked").check()
        page.get_by_role("button", name="Log practice").click()
        page.get_by_role("button", name="Create ticket").click()
        page.wait_for_url(re.compile(r".*/app/tickets/[^/]+$"))
        assert (
            page.get_by_role("heading", level=1).inner_text()
            == "Practice blocker - needs attention"
        )
        console.check()
    ticket = Ticket.objects.get(title="Practice blocker - needs attention")
    assert (ticket.owner_id, ticket.visibility) == (scene["member"].pk, "PRIVATE")
    assert PracticeLog.objects.get(user=scene["member"]).blocked_flag is True


@pytest.mark.parametrize("js", [True, False], ids=["js", "no-js"])
def test_claim_start_and_resolve_with_a_note(chromium, live_server, scene, js):
    with browser() as instance:
        page, console = new_page(instance, js=js)
        sign_in(page, live_server.url, scene["member"].email)
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Tickets").click()
        assert page.get_by_role("heading", level=1).inner_text() == "Tickets"
        row = page.locator(f"#ticket-{scene['ticket'].pk}")
        row.get_by_role("button", name="Claim").click()
        page.locator(f"#ticket-{scene['ticket'].pk}").get_by_text("Sarah Kim").wait_for()
        page.get_by_role("link", name="Sopranos, bars 12-16").click()
        page.get_by_role("button", name="Start").click()
        page.get_by_role("button", name="Mark blocked").wait_for()
        assert page.locator("#ticket-status").inner_text() == "In progress"
        page.get_by_label("Note").fill("Slow practice with a drone")
        page.get_by_role("button", name="Mark resolved").click()
        page.locator("#ticket-status", has_text="Resolved").wait_for()
        assert page.get_by_role("button", name="Start").count() == 0
        console.check()
    ticket = Ticket.objects.get(pk=scene["ticket"].pk)
    assert ticket.status == TicketStatus.RESOLVED
    assert ticket.resolved_note == "Slow practice with a drone"
    assert ticket.owner_id == scene["member"].pk


def test_accept_an_invite_as_a_new_person(chromium, live_server, scene):
    with browser() as instance:
        page, console = new_page(instance)
        page.goto(f"{live_server.url}/app/invites/{scene['token']}")
        assert page.get_by_role("heading", level=1).inner_text() == "Join Harmonia Choir"
        page.get_by_label("Name").fill("Nia Newcomer")
        page.get_by_label("Email").fill("nia@example.com")
        page.get_by_label("Password").fill("a-long-password-7")
        page.get_by_role("button", name="Create account and join").click()
        page.wait_for_url(re.compile(r".*/app/t/[^/]+/$"))
        assert page.get_by_role("heading", level=1).inner_text() == "This week"
        console.check()
    membership = Membership.objects.get(user__email="nia@example.com")
    assert (membership.team_id, membership.section) == (scene["team"].pk, "Alto")


def test_every_page_is_accessible_for_each_role_and_fits_360px(chromium, live_server, scene):
    from axe_playwright_python.sync_playwright import Axe

    team = scene["team"].pk
    paths = [
        f"/app/t/{team}/",
        f"/app/t/{team}/tickets",
        f"/app/t/{team}/tickets/new",
        f"/app/tickets/{scene['ticket'].pk}",
        f"/app/t/{team}/assignments",
        f"/app/t/{team}/practice",
        f"/app/t/{team}/practice/new",
        "/app/me",
        "/app/nowhere",
    ]
    axe = Axe()
    problems: list[str] = []
    with browser() as instance:
        page, console = new_page(instance, viewport={"width": 360, "height": 780})
        for public in ("/app/login", f"/app/invites/{scene['token']}"):
            page.goto(live_server.url + public)
            problems += _audit(axe, page, public, "signed out")
        for email in ("sarah@example.com", "leader@example.com", "admin@example.com"):
            page.context.clear_cookies()
            sign_in(page, live_server.url, email)
            for path in paths:
                page.goto(live_server.url + path)
                problems += _audit(axe, page, path, email)
        ARTIFACTS.mkdir(exist_ok=True)
        page.goto(f"{live_server.url}/app/t/{team}/")
        page.screenshot(path=str(ARTIFACTS / "web-this-week-360.png"), full_page=True)
        # The 404 page is expected to log its status; nothing else may.
        console.errors = [e for e in console.errors if "404" not in e]
        console.check()
    assert problems == [], "\n".join(problems)


def _audit(axe, page: Page, path: str, who: str) -> list[str]:  # type: ignore[no-untyped-def]
    problems = []
    results = axe.run(page)
    for violation in results.response["violations"]:
        if violation["impact"] in ("serious", "critical"):
            targets = [node["target"] for node in violation["nodes"]][:3]
            problems.append(f"{who} {path}: {violation['id']} ({violation['impact']}) {targets}")
    widths = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    if widths[0] > widths[1]:
        problems.append(f"{who} {path}: horizontal scroll {widths}")
    return problems
