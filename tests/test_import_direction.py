"""Imports point one way (STYLE.md): core ← accounts ← teams ← practice ← tickets ← insights ←
notifications ← web (demo sits above them all). A lower app never imports a higher one, not
even lazily inside a function; tests are exempt (they exercise the apps together)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LAYERS = ["practiceops", "accounts", "teams", "practice", "tickets", "insights", "notifications"]
# Apps above every layer; nothing below may import them either.
ABOVE_ALL = ["web", "demo", "bench"]


def _modules(app: str) -> list[Path]:
    files = []
    for path in sorted((ROOT / app).rglob("*.py")):
        parts = set(path.relative_to(ROOT).parts)
        if parts & {"tests", "admin_tests", "migrations"} or path.name == "testing.py":
            continue
        files.append(path)
    return files


def _imported_apps(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("app", LAYERS)
def test_an_app_imports_no_higher_app(app: str) -> None:
    higher = set(LAYERS[LAYERS.index(app) + 1 :]) | set(ABOVE_ALL)
    # The project's wiring (urls.py, celery.py) includes every app's routes and tasks.
    wiring = {"urls.py", "celery.py", "wsgi.py", "gunicorn_worker.py"}
    offenders = {
        str(path.relative_to(ROOT)): sorted(_imported_apps(path) & higher)
        for path in _modules(app)
        if not (app == "practiceops" and path.parent.name == "practiceops" and path.name in wiring)
        and not (app == "practiceops" and "settings" in path.parts)
    }
    assert {path: apps for path, apps in offenders.items() if apps} == {}


def test_the_invitation_email_reaches_the_outbox_through_core() -> None:
    from notifications.outbox import email_enqueue
    from practiceops.core import outbox

    assert outbox._enqueue is email_enqueue  # noqa: SLF001 - registered by NotificationsConfig
