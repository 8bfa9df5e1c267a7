"""Reading pages in tests: the main heading, alerts, and which buttons a page offers."""

from __future__ import annotations

import html
import re

H1 = re.compile(r"<h1[^>]*>(.*?)</h1>", re.S)
ALERT = re.compile(r'role="alert"[^>]*>(.*?)</', re.S)
BUTTON = re.compile(r"<button[^>]*>(.*?)</button>", re.S)
TAG = re.compile(r"<[^>]+>")


def text(fragment: str) -> str:
    return " ".join(html.unescape(TAG.sub(" ", fragment)).split())


def h1(response) -> str:  # type: ignore[no-untyped-def]
    match = H1.search(response.content.decode())
    assert match, response.content.decode()[:2000]
    return text(match.group(1))


def alerts(response) -> list[str]:  # type: ignore[no-untyped-def]
    return [text(m) for m in ALERT.findall(response.content.decode())]


def buttons(response) -> list[str]:  # type: ignore[no-untyped-def]
    return [text(m) for m in BUTTON.findall(response.content.decode())]
