"""Screenshots of the web app from a running server (the demo of `make run`).

    .venv/bin/python scripts/screenshots.py [--base http://127.0.0.1:8000] [--out docs/screenshots]
        [--email sarah@harmonia.example] [--password practice-makes-harmony] [--all]

Signs in as a demo member in Debian's headless Chromium (no browser download) and saves This
week on a phone (390 × 844) as ``this-week-phone.png``; ``--all`` adds every member page at
390 and 1280 px wide; ``--tour`` makes the README's tour (``tour-*.png``): the member's This week
and a ticket page, the soprano leader's Section overview and the director's Team settings, at
390 and 1280 px.
"""

from __future__ import annotations

import argparse
import re
import shutil
from pathlib import Path

from playwright.sync_api import sync_playwright

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("--out", default="docs/screenshots")
    parser.add_argument("--email", default="sarah@harmonia.example")
    parser.add_argument("--password", default="practice-makes-harmony")
    parser.add_argument("--all", action="store_true", help="every member page, phone and desktop")
    parser.add_argument("--tour", action="store_true", help="only the README's tour (tour-*.png)")
    options = parser.parse_args()
    out = Path(options.out)
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        if options.tour:
            tour(browser, options.base, options.password, out, member=options.email)
            browser.close()
            return
        widths = [(390, 844), (1280, 900)] if options.all else [(390, 844)]
        for width, height in widths:
            page = browser.new_page(viewport={"width": width, "height": height})
            page.goto(f"{options.base}/app/login")
            page.get_by_label("Email").fill(options.email)
            page.get_by_label("Password").fill(options.password)
            page.get_by_role("button", name="Sign in").click()
            page.wait_for_url(re.compile(r".*/app/t/.+/$"))
            week_url = page.url
            # The phone shot is one screenful, as a member sees This week on opening it.
            name = "this-week-phone.png" if width == 390 else "this-week-desktop.png"
            page.screenshot(path=str(out / name), full_page=width != 390)
            print(out / name)
            if options.all:
                for label in ("Tickets", "Assignments", "Practice", "Me"):
                    page.goto(week_url)
                    page.get_by_role("navigation", name="Main").get_by_role(
                        "link", name=label, exact=True
                    ).click()
                    page.wait_for_load_state()
                    path = out / f"{label.lower()}-{width}.png"
                    page.screenshot(path=str(path), full_page=True)
                    print(path)
                    if label == "Tickets" and page.locator("a.ticket-title").count():
                        page.locator("a.ticket-title").first.click()
                        page.wait_for_load_state()
                        path = out / f"ticket-{width}.png"
                        page.screenshot(path=str(path), full_page=True)
                        print(path)
            page.close()
        browser.close()


# The tour: (who signs in, the nav link to open or None for This week, the file's stem).
TOUR_LEADER = "soprano.leader@harmonia.example"
TOUR_ADMIN = "admin@harmonia.example"


def sign_in(page, base: str, email: str, password: str) -> str:  # type: ignore[no-untyped-def]
    page.goto(f"{base}/app/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r".*/app/t/.+/$"))
    return page.url


def tour(browser, base: str, password: str, out: Path, *, member: str) -> None:  # type: ignore[no-untyped-def]
    for width, height in ((390, 844), (1280, 900)):
        for email, label, stem in (
            (member, None, "this-week"),
            (member, "ticket", "ticket"),
            (TOUR_LEADER, "Section overview", "section-overview"),
            (TOUR_ADMIN, "Team settings", "team-settings"),
        ):
            context = browser.new_context(viewport={"width": width, "height": height})
            page = context.new_page()
            week_url = sign_in(page, base, email, password)
            if label == "ticket":
                page.goto(week_url.rstrip("/") + "/tickets")
                page.locator("a.ticket-title").first.click()
            elif label:
                page.get_by_role("navigation", name="Main").get_by_role(
                    "link", name=label, exact=True
                ).click()
            page.wait_for_load_state()
            path = out / f"tour-{stem}-{width}.png"
            page.screenshot(path=str(path), full_page=True)
            print(path)
            context.close()


if __name__ == "__main__":
    main()
