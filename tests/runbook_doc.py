"""Reads runbook.md: its fenced code blocks, the commands in them, and its inline commands."""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from pathlib import Path

RUNBOOK = Path(__file__).resolve().parent.parent / "runbook.md"
LOG_PATH = "/var/log/practiceops.log"
DEV_URL = "http://localhost:8000"

_FENCE = re.compile(r"^(?P<indent>\s*)```(?P<lang>[\w-]*)\s*$")
_HEADING = re.compile(r"^#{2,4}\s+(.*)$")
PLACEHOLDER = re.compile(r"<([a-z_]+)>")


@dataclass(frozen=True)
class Block:
    lang: str
    text: str
    line: int
    heading: str

    @property
    def id(self) -> str:
        slug = re.sub(r"[^a-z0-9]+", "-", self.heading.lower()).strip("-")[:40]
        return f"L{self.line}-{slug}"

    def commands(self) -> list[str]:
        """Logical shell lines: continuations joined, blank and comment-only lines dropped."""
        joined: list[str] = []
        pending = ""
        for raw in self.text.splitlines():
            line = raw.rstrip()
            if line.endswith("\\"):
                pending += line[:-1] + " "
                continue
            line = pending + line
            pending = ""
            if line.strip() and not line.strip().startswith("#"):
                joined.append(line.strip())
        return joined


def read(path: Path = RUNBOOK) -> str:
    return path.read_text(encoding="utf-8")


def blocks(text: str | None = None) -> list[Block]:
    text = read() if text is None else text
    found: list[Block] = []
    heading = ""
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        match = _FENCE.match(lines[i])
        if match is None:
            title = _HEADING.match(lines[i])
            if title:
                heading = title.group(1)
            i += 1
            continue
        indent = len(match.group("indent"))
        body: list[str] = []
        start = i + 1
        i += 1
        while i < len(lines) and not re.match(r"^\s*```\s*$", lines[i]):
            body.append(lines[i][indent:] if lines[i][:indent].strip() == "" else lines[i])
            i += 1
        assert i < len(lines), f"runbook.md:{start}: unterminated code block"
        found.append(Block(match.group("lang"), "\n".join(body) + "\n", start, heading))
        i += 1
    return found


def inline_commands(text: str | None = None) -> list[str]:
    """Commands quoted inline (`python manage.py …`, `celery …`, `docker compose …`)."""
    text = read() if text is None else text
    # Fenced blocks are checked on their own; only the prose is searched here.
    prose = re.sub(r"```.*?```", "", text, flags=re.DOTALL)
    spans = re.findall(r"`([^`\n]+)`", prose)
    starts = ("python manage.py ", "celery ", "gunicorn ", "docker compose ")
    return [span for span in spans if span.startswith(starts) and "…" not in span]


def placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


def fill(text: str, values: dict[str, str]) -> str:
    missing = placeholders(text) - set(values)
    assert not missing, f"no value for placeholder(s) {sorted(missing)}"
    return PLACEHOLDER.sub(lambda m: values[m.group(1)], text)


# --- shell commands ------------------------------------------------------------------------------

EXTERNAL = {
    # Host and service tools the test cannot run for real; their names are still checked.
    "ps",
    "systemctl",
    "journalctl",
    "pg_isready",
    "psql",
    "pg_dump",
    "pg_restore",
    "timedatectl",
    "sudo",
    "echo",
    "printf",
}


def kind(command: str) -> str:
    """What a logical shell line is, which decides how the test checks it."""
    if re.match(r"^[A-Z_][A-Z0-9_]*=\S*(\s+#.*)?$", command) and "$(" not in command:
        return "assign"
    if re.search(r"\bcurl\b", command):
        return "live"
    if LOG_PATH in command:
        return "log"
    words = shlex.split(command, comments=True)
    first = words[0] if words else ""
    if words[:2] == ["python", "manage.py"]:
        return "manage"
    if first == "celery":
        return "celery"
    if words[:2] == ["docker", "compose"]:
        return "compose"
    if first == "redis-cli":
        return "redis"
    if first in EXTERNAL:
        return "external"
    return f"unknown:{first}"


def pipeline_segments(command: str) -> list[list[str]]:
    """The words of each command of a pipeline (quotes respected, no subshell parsing)."""
    lexer = shlex.shlex(command, posix=True, punctuation_chars="|")
    lexer.whitespace_split = True
    lexer.commenters = "#"
    segments: list[list[str]] = [[]]
    for token in lexer:
        if token == "|":
            segments.append([])
        else:
            segments[-1].append(token)
    return segments


def jq_programs(command: str) -> list[str]:
    programs = []
    for words in pipeline_segments(command):
        if words and words[0] == "jq":
            args = [word for word in words[1:] if not word.startswith("-")]
            if args:
                programs.append(args[0])
    return programs


def jq_fields(program: str) -> set[str]:
    """Keys a jq program reads: `.name` and the `{a, b}` shorthand."""
    fields = set(re.findall(r"\.([A-Za-z_][A-Za-z0-9_]*)", program))
    for group in re.findall(r"\{([^{}]*)\}", program):
        for item in group.split(","):
            item = item.strip()
            if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", item):
                fields.add(item)
    return fields
