"""Screenshots of the web app from a running server (the demo of `make run`).

    .venv/bin/python scripts/screenshots.py [--base http://127.0.0.1:8000] [--out docs/screenshots]
        [--email sarah@harmonia.example] [--password practice-makes-harmony] [--all]

Signs in as a demo member in Debian's headless Chromium (no browser download) and saves This
week on a phone (390 × 844) as ``this-week-phone.png``; ``--all`` adds every member page at
390 and 1280 px wide.
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
    options = parser.parse_args()
    out = Path(options.out)
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
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


if __name__ == "__main__":
    main()
