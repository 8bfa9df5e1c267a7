"""The admin console in a real browser: log in, move a ticket, open the Team overview.

Drives Debian's headless Chromium through Playwright (no browser download). Screenshots go
to ``test-artifacts/``.
"""

from __future__ import annotations

import datetime
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from django.conf import settings
from django.utils import timezone

from accounts.tests.factories import DEFAULT_PASSWORD, UserFactory
from practice.tests.factories import PracticeLogFactory
from teams.models import Role
from teams.tests.factories import CycleFactory, MembershipFactory, TeamFactory
from tickets.models import Ticket, TicketActivity, TicketStatus
from tickets.tests.factories import TicketFactory

if TYPE_CHECKING:
    from playwright.sync_api import Page

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts"

pytestmark = pytest.mark.browser


@contextmanager
def chromium_page() -> Iterator[Page]:
    """A page in headless Chromium.

    Playwright's sync API keeps an event loop running in this thread while it is open, and
    Django refuses (and would give a separate connection to) ORM calls made under a running
    loop: tests touch the database only before and after this block.
    """
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.set_default_timeout(15_000)
            yield page
        finally:
            browser.close()


@pytest.fixture
def chromium() -> None:
    if not Path(CHROMIUM).is_file():
        pytest.skip(f"no Chromium at {CHROMIUM}: install Debian's `chromium` package")


@pytest.fixture
def scene(transactional_db):
    staff = UserFactory(
        email="staff@example.com", display_name="Stella Staff", is_staff=True, is_superuser=True
    )
    team = TeamFactory(name="Harmonia Choir")
    cycle = CycleFactory(team=team)
    members = {}
    for section in ("Soprano", "Alto", "Tenor", "Bass"):
        members[section] = MembershipFactory(team=team, role=Role.MEMBER, section=section).user
    now = timezone.now()
    for week in range(8):
        for number, user in enumerate(members.values()):
            PracticeLogFactory(
                user=user,
                team=team,
                cycle=cycle,
                duration_minutes=20 + 10 * number + 5 * week,
                occurred_at=now - datetime.timedelta(weeks=week, hours=1),
            )
    for section, user in members.items():
        TicketFactory(cycle=cycle, created_by=user, section=section, visibility="SECTION")
        TicketFactory(
            cycle=cycle, created_by=user, section=section, visibility="SECTION", status="BLOCKED"
        )
    ticket = TicketFactory(
        cycle=cycle,
        created_by=members["Alto"],
        section="Alto",
        visibility="SECTION",
        title="Alto entrance, bars 33-40",
    )
    return {"staff": staff, "team": team, "ticket": ticket}


def test_log_in_move_a_ticket_and_open_the_team_overview(chromium, live_server, scene):
    base = live_server.url
    ticket_id = str(scene["ticket"].pk)
    team_id = str(scene["team"].pk)
    ARTIFACTS.mkdir(exist_ok=True)
    with chromium_page() as page:
        drive(page, base, scene["staff"].email, ticket_id, team_id)

    ticket = Ticket.objects.get(pk=ticket_id)
    assert ticket.status == TicketStatus.IN_PROGRESS
    assert ticket.resolved_at is None
    moves = TicketActivity.objects.filter(ticket=ticket).order_by("created_at")
    assert [(a.old_status, a.new_status, a.content) for a in moves] == [
        ("OPEN", "IN_PROGRESS", None),
        ("IN_PROGRESS", "BLOCKED", None),
        ("BLOCKED", "RESOLVED", "Sung cleanly at the sectional"),
        ("RESOLVED", "IN_PROGRESS", "Flat again at bar 36"),
    ]


def drive(page: Page, base: str, email: str, ticket_id: str, team_id: str) -> None:

    page.goto(f"{base}/admin/login/?next=/admin/")
    page.fill("#id_username", email)
    page.fill("#id_password", DEFAULT_PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_selector("text=Staff console")
    # The admin's stylesheet loaded: the header has the admin's colours, not browser defaults.
    header_color = page.eval_on_selector("#header", "e => getComputedStyle(e).backgroundColor")
    assert header_color not in ("rgba(0, 0, 0, 0)", "transparent"), header_color

    # A transition as a changelist action.
    page.goto(f"{base}/admin/tickets/ticket/")
    page.check(f"input[name=_selected_action][value='{ticket_id}']")
    page.select_option("select[name=action]", "transition_to_in_progress")
    page.click("button[name=index]")
    page.wait_for_selector("text=1 ticket(s) moved to In progress.")

    # The ticket itself, and a transition from its Workflow buttons.
    page.click("text=Alto entrance, bars 33-40")
    page.wait_for_selector("#ticket-workflow")
    assert page.inner_text("#ticket-status") == "In progress"
    page.screenshot(path=str(ARTIFACTS / "admin-ticket-change.png"), full_page=True)
    page.click("#ticket-transition-form button[value=BLOCKED]")
    page.wait_for_selector("text=Ticket moved to Blocked.")
    assert page.inner_text("#ticket-status") == "Blocked"
    # A move the machine refuses shows the rule and changes nothing.
    page.click("#ticket-transition-form button[value=RESOLVED]")
    page.wait_for_selector("text=A note is required to resolve a ticket")
    assert page.inner_text("#ticket-status") == "Blocked"
    page.screenshot(path=str(ARTIFACTS / "admin-ticket-refused.png"), full_page=True)
    # Resolved with a note, then reopened with a reason.
    page.fill("#id_transition_content", "Sung cleanly at the sectional")
    page.click("#ticket-transition-form button[value=RESOLVED]")
    page.wait_for_selector("text=Ticket moved to Resolved.")
    page.fill("#id_reopen_reason", "Flat again at bar 36")
    page.click("#ticket-reopen-form button")
    page.wait_for_selector("text=Ticket reopened.")
    assert page.inner_text("#ticket-status") == "In progress"

    page.goto(f"{base}/admin/teams/team/{team_id}/overview/")
    page.wait_for_selector("text=Team overview: Harmonia Choir")
    assert page.locator("svg.bar-chart").count() == 3
    # 4 sections: 8 weeks of practice, 3 ticket groups, median and p90 hours to verify.
    assert page.locator("svg.bar-chart rect.bar").count() == 4 * 8 + 3 * 4 + 2 * 4
    page.screenshot(path=str(ARTIFACTS / "admin-team-overview.png"), full_page=True)
