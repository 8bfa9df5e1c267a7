"""runbook.md is executable: its SQL, curl calls, commands and log searches run against this code.

- Every ```sql block runs against the test database, placeholders filled with real ids (blocks
  that use PostgreSQL's catalogue or syntax are skipped on SQLite).
- Every command is checked: management commands and their arguments parse (and the read-only
  ones run for real), Celery sub-commands exist, compose services exist, environment variables
  are ones the settings read.
- On PostgreSQL, live gunicorn servers (one healthy, one with Redis, the broker and SMTP down,
  one with the database down) all write to one LOG_FILE while every event the runbook names is
  provoked; then the runbook's curl calls run against the healthy server and its grep/jq
  searches run on that log, and each must find something.
"""

from __future__ import annotations

import ast
import contextlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest
import yaml
from django.contrib.auth.hashers import Argon2PasswordHasher
from django.core.management import call_command, get_commands, load_command_class
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.db.migrations.loader import MigrationLoader
from rest_framework.test import APIClient

from accounts.models import User
from accounts.services import email_hash, token_pair_for_user
from demo import seed
from practiceops.testing import BASE_DIR, free_port, live_server, server_env
from teams.models import Team
from tests import runbook_doc as doc
from tickets.models import Ticket

ALL_BLOCKS = doc.blocks()
SQL_BLOCKS = [block for block in ALL_BLOCKS if block.lang == "sql"]
SHELL_BLOCKS = [block for block in ALL_BLOCKS if block.lang == "bash"]
# PostgreSQL's catalogue and syntax: these blocks mean nothing on SQLite.
POSTGRES_ONLY = re.compile(
    r"\bpg_\w+|\binterval\b|\bcurrent_database\(\)|^\s*SHOW\b|\bnow\(\)", re.I | re.M
)
STAFF_EMAIL = "ops-staff@runbook.example"
STAFF_PASSWORD = "runbook-staff-password-1"
# Events the runbook names that the project itself logs (request_* come from django-structlog).
LIBRARY_EVENTS = {"request_started", "request_finished"}
JOB = "no_log_reminder"


def test_the_runbook_has_the_seed_runbooks_sections():
    headings = re.findall(r"^## (.+)$", doc.read(), re.M)
    assert headings == [
        "Table of Contents",
        "Quick Reference",
        "Debugging Authentication Issues",
        "Debugging Email Delivery",
        "Database Connectivity",
        "Common Operational Errors",
        "Health Monitoring",
        "Log Analysis",
        "Emergency Procedures",
        "Contact Information",
    ]
    assert SQL_BLOCKS and SHELL_BLOCKS


def test_every_shell_command_is_one_the_test_knows_how_to_check():
    unknown = [
        (block.line, command)
        for block in SHELL_BLOCKS
        if not block.text.startswith("#!")
        for command in block.commands()
        if doc.kind(command).startswith("unknown")
    ]
    assert not unknown, "teach tests/runbook_doc.kind() about these, or fix them: " + repr(unknown)
    # A block that runs against a server or the log must not also need the host's tools.
    for block in SHELL_BLOCKS:
        if block.text.startswith("#!"):
            continue
        kinds = {doc.kind(c) for c in block.commands()} - {"assign"}
        if kinds & {"live", "log"}:
            assert kinds <= {"live", "log"}, (block.line, kinds)


# --- SQL -------------------------------------------------------------------------------------------


@pytest.fixture
def runbook_data(db, settings):
    """The demo team (with saved preferences), plus a job run, its e-mail and a refresh token."""
    settings.DEBUG = True
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    team = Team.objects.get(name=seed.TEAM_NAME)
    lena = User.objects.get(email=f"lena@{seed.DOMAIN}")
    token_pair_for_user(lena)
    call_command("run_job", JOB, "--sync", stdout=open(os.devnull, "w"))  # noqa: SIM115
    ticket = Ticket.objects.get(team=team, claimed_by__isnull=False)
    return {"team": team, "user": lena, "ticket": ticket}


def sql_values(data: dict) -> dict[str, str]:
    from notifications.models import JobRun

    def as_sql(value: uuid.UUID) -> str:
        # Django stores UUIDs as 32 hex digits on SQLite, as uuid on PostgreSQL.
        return value.hex if connection.vendor == "sqlite" else str(value)

    return {
        "team_id": as_sql(data["team"].pk),
        "user_id": as_sql(data["user"].pk),
        "user_id_from_token": as_sql(data["user"].pk),
        "email": data["user"].email,
        "ticket_id": as_sql(data["ticket"].pk),
        "run_id": as_sql(JobRun.objects.latest("created_at").pk),
    }


def test_every_sql_block_runs(runbook_data):
    """One seeded database for all blocks; each block runs in its own savepoint."""
    values = sql_values(runbook_data)
    failures, ran = [], 0
    for block in SQL_BLOCKS:
        if connection.vendor != "postgresql" and POSTGRES_ONLY.search(block.text):
            continue  # PostgreSQL-only SQL: run with DATABASE_URL=postgres://…
        statement = doc.fill(block.text, values).strip()
        if statement.count(";") != 1 or not statement.endswith(";"):
            failures.append(f"runbook.md:{block.line}: one statement per block, ending in ';'")
            continue
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(statement.rstrip(";"))
                rows = cursor.fetchall() if cursor.description else None
        except DatabaseError as exc:
            failures.append(f"runbook.md:{block.line}: {exc}".strip())
            continue
        ran += 1
        if doc.placeholders(block.text) and rows is not None and not rows:
            # A lookup by real ids must find them: a wrong join or column would find nothing.
            failures.append(f"runbook.md:{block.line}: no rows for real ids")
    assert not failures, "\n".join(failures)
    assert ran >= (len(SQL_BLOCKS) if connection.vendor == "postgresql" else 10)


# --- commands: management, Celery, gunicorn, compose, environment ----------------------------------


def all_commands() -> list[tuple[int, str]]:
    found = [(block.line, c) for block in SHELL_BLOCKS for c in block.commands()]
    return found + [(0, command) for command in doc.inline_commands()]


def parse_manage(words: list[str]):
    """Parse a `python manage.py NAME ARGS` line as Django would; return (name, options)."""
    assert words[:2] == ["python", "manage.py"], words
    name, *args = words[2:]
    commands = get_commands()
    assert name in commands, f"no management command {name!r}"
    command = load_command_class(commands[name], name)
    parser = command.create_parser("manage.py", name)
    try:
        return name, parser.parse_args(args)
    except CommandError as exc:
        raise AssertionError(f"manage.py {name} {' '.join(args)}: {exc}") from exc


def manage_commands() -> list[tuple[int, list[str]]]:
    return [
        (line, doc.pipeline_segments(doc.fill(command, {"name": JOB}))[0])
        for line, command in all_commands()
        if command.startswith("python manage.py ")
    ]


def test_management_commands_and_arguments_exist():
    from notifications.jobs import JOBS

    loader = MigrationLoader(None, ignore_no_migrations=True)
    checked = set()
    for line, words in manage_commands():
        name, options = parse_manage(words)
        checked.add(name)
        if name == "migrate" and options.app_label:
            assert options.app_label in loader.migrated_apps, (line, words)
            target = options.migration_name
            assert target == "zero" or (options.app_label, target) in loader.disk_migrations, (
                line,
                words,
            )
        if name == "showmigrations":
            for app in options.app_label:
                assert app in loader.migrated_apps, (line, words)
        if name == "run_job":
            assert options.name in JOBS, (line, words)
    assert {"migrate", "showmigrations", "run_job", "createsuperuser", "seed_demo"} <= checked


def celery_commands() -> list[list[str]]:
    return [
        doc.pipeline_segments(command)[0]
        for _, command in all_commands()
        if command.startswith("celery ")
    ]


def test_celery_commands_exist():
    commands = celery_commands()
    assert {words[3] for words in commands} >= {"worker", "beat", "inspect"}
    env = server_env(CELERY_BROKER_URL=None, REDIS_URL=None)
    for words in {tuple(w) for w in commands}:
        assert words[:3] == ("celery", "-A", "practiceops"), words
        # --help parses the sub-command and its options against the project's Celery app.
        result = subprocess.run(
            [sys.executable, "-m", "celery", *words[1:], "--help"],
            cwd=BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 0, (words, result.stdout[-500:], result.stderr[-1000:])


def test_gunicorn_command_loads_the_app():
    (command,) = {c for _, c in all_commands() if c.startswith("gunicorn ")}
    words = doc.pipeline_segments(command)[0]
    result = subprocess.run(
        [sys.executable, "-m", "gunicorn", "--check-config", *words[1:]],
        cwd=BASE_DIR,
        env=server_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr[-2000:]


def test_compose_commands_name_real_services():
    compose = yaml.safe_load((BASE_DIR / "compose.yaml").read_text())
    services = set(compose["services"])
    takes_command = {"exec", "run"}
    seen = set()
    for line, command in all_commands():
        if not command.startswith("docker compose "):
            continue
        words = doc.pipeline_segments(command)[0][2:]
        verb, *rest = words
        assert verb in {"ps", "logs", "restart", "up", "run", "exec", "stop", "start"}, command
        names = [w for w in rest if not w.startswith("-")]
        if verb in takes_command:
            names = names[:1]
        for name in names:
            assert name in services, (line, command, name)
            seen.add(name)
    assert {"api", "db", "worker", "beat", "migrate"} <= seen
    # The emergency bypass only works if compose passes AUTH_RATE_LIMIT to the api.
    assert "AUTH_RATE_LIMIT" in compose["x-app"]["environment"]


def test_environment_variables_named_are_read_by_the_settings():
    source = "\n".join(
        path.read_text()
        for path in (BASE_DIR / "practiceops" / "settings").glob("*.py")
        if path.name != "test.py"
    )
    # env_str("X"), env_int("X", …), _secret("X"): every variable is read by name.
    read = set(re.findall(r'\w\(\s*"([A-Z][A-Z0-9_]+)"', source))
    # Variables set by assignment in the runbook's blocks (the .env bypass).
    for block in SHELL_BLOCKS:
        for command in block.commands():
            if doc.kind(command) == "assign":
                name, _, value = command.split("#")[0].strip().partition("=")
                if name in {"REQUEST_ID"}:
                    continue
                assert name in read, (block.line, name)
                if name == "AUTH_RATE_LIMIT":
                    from practiceops.core.config import env_rate

                    os.environ["RUNBOOK_RATE"] = value
                    try:
                        assert env_rate("RUNBOOK_RATE", "10/m") == "1000/m"
                    finally:
                        del os.environ["RUNBOOK_RATE"]
    # ...and in the Key Environment Variables table.
    table = doc.read().split("### Key Environment Variables")[1].split("\n\n")[1]
    for name in re.findall(r"^\| `([A-Z_]+)`", table, re.M):
        assert name in read, name


def test_rate_limit_bypass_value_lets_logins_through(settings, db):
    settings.AUTH_RATE_LIMIT = "1000/m"
    client = APIClient()
    for _ in range(15):
        response = client.post(
            "/auth/login", {"email": "x@runbook.example", "password": "nope"}, format="json"
        )
        assert response.status_code == 401


def test_redis_cli_clears_the_rate_limit_counters(redis_url, settings, db):
    if shutil.which("redis-cli") is None:
        if os.environ.get("REQUIRE_SERVICES") == "1":
            pytest.fail("REQUIRE_SERVICES=1 but redis-cli is not installed")
        pytest.skip("redis-cli is not installed")
    if not settings.CACHES["default"]["BACKEND"].endswith("RedisCache"):
        pytest.skip("the cache is not Redis")
    (command,) = [c for _, c in all_commands() if c.startswith("redis-cli ")]
    settings.AUTH_RATE_LIMIT = "2/m"
    client = APIClient()
    body = {"email": "x@runbook.example", "password": "nope"}
    codes = [client.post("/auth/login", body, format="json").status_code for _ in range(3)]
    assert codes[-1] == 429
    result = subprocess.run(
        ["bash", "-c", command],
        env={**os.environ, "REDIS_URL": settings.CACHES["default"]["LOCATION"]},
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 0, result.stderr
    assert client.post("/auth/login", body, format="json").status_code == 401


# --- error messages --------------------------------------------------------------------------------


def _source_messages() -> list[re.Pattern]:
    """Every string literal of the project, f-strings as patterns."""
    patterns = []
    for path in BASE_DIR.glob("*/**/*.py"):
        if ".venv" in path.parts or "tests" in path.parts or "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                patterns.append(re.compile(re.escape(node.value)))
            elif isinstance(node, ast.JoinedStr):
                parts = [
                    re.escape(v.value) if isinstance(v, ast.Constant) else ".+" for v in node.values
                ]
                patterns.append(re.compile("".join(parts)))
    return patterns


def test_error_codes_and_messages_are_the_apis():
    from practiceops.core import errors

    codes = {
        cls.code
        for cls in vars(errors).values()
        if isinstance(cls, type) and issubclass(cls, errors.ApiError)
    }
    text = doc.read()
    messages = []
    for code, message in re.findall(r"^### Error: `([A-Z_]+)(?: - ([^`]+))?`", text, re.M):
        assert code in codes, code
        if message:
            messages.append(message)
    messages += re.findall(r'`\d{3}(?: [A-Z_]+)? "([^"]+)"`', text)
    related = re.search(r"Related refusals: (.+?)\. The", text, re.S)
    messages += re.findall(r"`([^`]+)`", related.group(1)) if related else []
    patterns = _source_messages()
    for message in messages:
        assert any(p.fullmatch(message) for p in patterns), f"no such message: {message!r}"
    assert len(messages) >= 10


# --- live: curl calls, log searches, events --------------------------------------------------------


def http(
    method: str, url: str, body: dict | None = None, headers: dict | None = None
) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode() if body is not None else None,
        method=method,
        headers={"Content-Type": "application/json", **(headers or {})},
    )
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def bash(script: str, **env: str) -> subprocess.CompletedProcess:
    # --fail-with-body turns an HTTP error into exit 22, -e stops at the first failing command
    # (a script, like the monitoring one, handles its own), and each call writes its status to
    # stderr (unless the command has its own -w) so that a redirect cannot pass for success.
    preamble = ("set -o pipefail\n" if script.startswith("#!") else "set -eo pipefail\n") + (
        "curl() { command curl --fail-with-body --silent --show-error --max-time 20"
        " -w '%{stderr}HTTP_STATUS=%{http_code}\\n' \"$@\"; }\n"
    )
    return subprocess.run(
        ["bash", "-c", preamble + script],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def manage(*args: str, **env: str | None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=server_env(**env),
        capture_output=True,
        text=True,
        timeout=120,
    )


def log_lines(path: Path) -> list[dict]:
    lines = []
    for raw in path.read_text().splitlines():
        lines.append(json.loads(raw))  # every line of LOG_FILE is JSON
    return lines


def runbook_events() -> set[str]:
    table = doc.read().split("### Events")[1].split("### Useful Queries")[0]
    events = set()
    for row in re.findall(r"^\| (.+?) \|", table, re.M):
        events |= set(re.findall(r"`([^`]+)`", row))
    return events


@pytest.fixture
def shell_tools() -> None:
    missing = [tool for tool in ("bash", "curl", "jq") if shutil.which(tool) is None]
    if missing:
        if os.environ.get("REQUIRE_SERVICES") == "1":
            pytest.fail(f"the runbook's commands need {', '.join(missing)}")
        pytest.skip(f"the runbook's commands need {', '.join(missing)}")


@pytest.mark.django_db(transaction=True)
def test_runbook_against_live_servers(require_postgres, shell_tools, settings, tmp_path):
    """The runbook's curl calls, commands and log searches, on servers sharing one LOG_FILE."""
    settings.DEBUG = True
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    settings.DEBUG = False
    team = Team.objects.get(name=seed.TEAM_NAME)
    admin = User.objects.get(email=seed.ADMIN_EMAIL)
    # Hashed with a hasher the servers know (the test settings use a fast one of their own).
    User.objects.create(
        email=STAFF_EMAIL,
        display_name="Runbook Staff",
        is_staff=True,
        password=Argon2PasswordHasher().encode(STAFF_PASSWORD, "runbooksalt1234"),
    )
    log = tmp_path / "practiceops.log"
    dead = str(free_port())
    healthy = {"LOG_FILE": str(log), "REDIS_URL": None, "CELERY_BROKER_URL": None}
    healthy |= {"SMTP_HOST": None, "AUTH_RATE_LIMIT": "5/m"}
    deps_down = {"LOG_FILE": str(log), "REDIS_URL": f"redis://127.0.0.1:{dead}/0"}
    deps_down |= {"CELERY_BROKER_URL": f"redis://127.0.0.1:{dead}/1"}
    db_down = {"LOG_FILE": str(log), "REDIS_URL": None, "CELERY_BROKER_URL": None}
    db_down |= {"DATABASE_URL": f"postgres://postgres@127.0.0.1:{dead}/practiceops"}
    admin_auth = {"Authorization": f"Bearer {token_pair_for_user(admin)['access_token']}"}

    # An SMTP server that refuses connections: the reminder to the lapsed member fails.
    smtp_down = {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": dead, "SMTP_USE_TLS": "false"}
    result = manage("run_job", JOB, "--sync", **{**healthy, **smtp_down})
    assert result.returncode == 0, result.stderr[-2000:]

    with (
        live_server(**healthy) as base,
        live_server(**deps_down) as broken,
        live_server(**db_down) as no_db,
    ):
        # Healthy: an invitation by e-mail (console backend), logins over the limit, a traced request.
        invite = {"email": "new.singer@runbook.example", "role": "MEMBER"}
        status, _, body = http("POST", f"{base}/teams/{team.pk}/invites", invite, admin_auth)
        assert status == 201, body
        wrong = {"email": seed.ADMIN_EMAIL, "password": "wrong"}
        _, headers, _ = http("GET", f"{base}/health", None, {"X-Request-ID": "runbook-trace-1"})
        assert headers["X-Request-ID"] == "runbook-trace-1"
        # Redis, broker and SMTP down: the limiter fails open, a job run cannot be queued.
        assert http("POST", f"{broken}/auth/login", wrong)[0] == 401
        status, _, body = http("GET", f"{broken}/health")
        assert (status, json.loads(body)["status"]) == (200, "degraded")
        staff = User.objects.get(email=STAFF_EMAIL)
        staff_auth = {"Authorization": f"Bearer {token_pair_for_user(staff)['access_token']}"}
        status, _, body = http("POST", f"{broken}/admin/jobs/{JOB}/run", None, staff_auth)
        assert status == 503, body
        # The runbook's example health answer has the keys of the real one.
        health_example = json.loads(_json_block("### Health Check Response").text)
        assert set(health_example) == set(json.loads(http("GET", f"{base}/health")[2]))
        # Database down.
        assert http("GET", f"{no_db}/me", None, admin_auth)[0] == 503
        assert http("GET", f"{no_db}/health")[0] == 503

        # The runbook's own calls, in order, against the healthy server.
        values = {
            "email_hash": email_hash(STAFF_EMAIL),
            "staff_email": STAFF_EMAIL,
            "password": STAFF_PASSWORD,
            "request_id": "runbook-trace-1",
        }
        token = ""
        live_blocks = [b for b in SHELL_BLOCKS if any(doc.kind(c) == "live" for c in b.commands())]
        assert live_blocks
        login = [b for b in live_blocks if "TOKEN=$(" in b.text]
        assert len(login) == 1, "one block shows how to get $TOKEN"
        for block in login + [b for b in live_blocks if b not in login]:
            from notifications.models import JobRun

            values["run_id"] = str(JobRun.objects.latest("created_at").pk)
            script = doc.fill(block.text, values).replace(doc.DEV_URL, base)
            if block in login:
                script += 'printf "%s" "$TOKEN"\n'
            result = bash(script, TOKEN=token)
            assert result.returncode == 0, (block.line, result.stdout[-1000:], result.stderr)
            calls = [c for c in block.commands() if doc.kind(c) == "live"]
            statuses = re.findall(r"HTTP_STATUS=(\d+)", result.stderr)
            assert len(statuses) == len([c for c in calls if " -w " not in c]), block.line
            assert all(s.startswith("2") for s in statuses), (block.line, statuses)
            if block in login:
                token = result.stdout.strip()
                assert token.count(".") == 2, result.stdout
            elif not block.text.startswith("#!"):
                assert result.stdout.strip(), f"runbook.md:{block.line} printed nothing"
            if block.text.startswith("#!"):
                # The monitoring script stays quiet when healthy and alerts when not.
                assert result.stdout == ""
                down = bash(doc.fill(block.text, values).replace(doc.DEV_URL, no_db))
                assert down.returncode == 1 and "ALERT" in down.stdout, down
                down = bash(doc.fill(block.text, values).replace(doc.DEV_URL, broken))
                assert down.returncode == 1 and "ALERT" in down.stdout, down

        # Last, because the runbook's own log-in above must not be refused: logins over the limit.
        statuses = [http("POST", f"{base}/auth/login", wrong)[0] for _ in range(7)]
        assert statuses[-1] == 429, statuses

    # The management commands that only read (or are safe to repeat) run for real, in-process
    # (the same parser and code as `python manage.py`, without a Django start-up each).
    ran = set()
    for line, words in manage_commands():
        name, options = parse_manage(words)
        if name in {"showmigrations", "run_job", "shell", "flushexpiredtokens", "check"} or (
            name == "migrate" and not options.app_label
        ):
            try:
                call_command(*words[2:], stdout=io.StringIO(), stderr=io.StringIO())
            except CommandError as exc:
                raise AssertionError(f"runbook.md:{line}: {' '.join(words)}: {exc}") from exc
            ran.add(name)
    assert {"showmigrations", "migrate", "run_job", "shell"} <= ran

    # The token-decoding snippet, with a real access token.
    (snippet,) = [b for b in ALL_BLOCKS if b.lang == "python"]
    result = subprocess.run(
        [sys.executable, "-c", doc.fill(snippet.text, {"access_token": token})],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 0 and "'type': 'access'" in result.stdout, result

    # A crash, captured the way the servers log it (no server route crashes on purpose).
    _log_an_unhandled_exception(settings, log)
    # Staff sign-ins guessed past the limit and a recovery code spent, logged the same way.
    _log_staff_sign_in_attempts(settings, log)

    # Every log search of the runbook finds something in what was just logged.
    lines = log_lines(log)
    keys = set().union(*(line.keys() for line in lines))
    log_blocks = [b for b in SHELL_BLOCKS if any(doc.kind(c) == "log" for c in b.commands())]
    assert len(log_blocks) >= 10
    for block in log_blocks:
        script = doc.fill(block.text, values).replace(doc.LOG_PATH, str(log))
        result = bash(script)
        assert result.returncode == 0, (block.line, result.stderr)
        for command in block.commands():
            for program in doc.jq_programs(command):
                assert doc.jq_fields(program) <= keys, (block.line, doc.jq_fields(program) - keys)
            uses_jq_filter = any("select(" in p for p in doc.jq_programs(command))
            if not uses_jq_filter or "401" in command:
                assert result.stdout.strip(), f"runbook.md:{block.line} found nothing in the log"

    # The example log line has the keys of a real line of its event.
    example = json.loads(_json_block("### Log Format").text)
    assert any(line["event"] == example["event"] and set(line) == set(example) for line in lines), (
        example
    )

    # Every event the runbook names was really logged, and (but for django-structlog's) by us.
    logged = {line["event"] for line in lines}
    named = runbook_events()
    assert named - logged == set(), f"named in the runbook, never logged: {named - logged}"
    source = _project_source()
    for event in named - LIBRARY_EVENTS:
        assert f'"{event}"' in source, event


def _json_block(heading: str) -> doc.Block:
    """The first ```json block after ``heading`` in the runbook."""
    text = doc.read()
    line = text.count("\n", 0, text.index(heading)) + 1
    return next(b for b in ALL_BLOCKS if b.lang == "json" and b.line > line)


def _project_source() -> str:
    return "\n".join(
        path.read_text()
        for path in BASE_DIR.glob("*/**/*.py")
        if ".venv" not in path.parts and "tests" not in path.parts
    )


@contextlib.contextmanager
def _logging_to(log: Path):
    import logging.handlers

    import structlog

    from practiceops.core.logging import _shared_processors

    # The same handler and formatter LOG_FILE gets in practiceops.core.logging.
    handler = logging.handlers.WatchedFileHandler(log)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            processor=structlog.processors.JSONRenderer(), foreign_pre_chain=_shared_processors()
        )
    )
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield
    finally:
        root.removeHandler(handler)
        handler.close()


def _log_an_unhandled_exception(settings, log: Path) -> None:
    with _logging_to(log):
        settings.ROOT_URLCONF = "practiceops.core.tests.urls_boom"
        from django.test import Client

        try:
            assert Client(raise_request_exception=False).get("/boom").status_code == 500
        finally:
            settings.ROOT_URLCONF = "practiceops.urls"


def _log_staff_sign_in_attempts(settings, log: Path) -> None:
    """In-process (the live servers run without collected static files for the admin's pages)."""
    from django.test import Client
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts import two_factor

    settings.AUTH_RATE_LIMIT = "3/m"
    login = f"/{settings.ADMIN_URL}login/"
    with _logging_to(log):
        attacker = Client()
        statuses = [
            attacker.post(login, {"username": STAFF_EMAIL, "password": "guess"}).status_code
            for _ in range(4)
        ]
        assert statuses == [200, 200, 200, 429], statuses
        staff = User.objects.get(email=STAFF_EMAIL)
        TOTPDevice.objects.create(user=staff, name="Lost phone", confirmed=True)
        code = two_factor.recovery_codes_issue(user=staff)[0]
        owner = Client()
        owner.force_login(staff)
        verify = owner.post(f"/{settings.ADMIN_URL}two-factor/", {"token": code})
        assert verify.status_code == 302, verify.status_code


def test_the_email_hash_command_gives_the_logged_hash():
    (block,) = [b for b in SHELL_BLOCKS if "sha256sum" in b.text]
    email = "Staff@Harmonia.example"
    result = subprocess.run(
        ["bash", "-c", doc.fill(block.text, {"email": email})],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == email_hash(email)


def test_every_event_the_runbook_greps_for_is_in_the_events_table():
    named = runbook_events()
    searched = set()
    for block in SHELL_BLOCKS:
        for command in block.commands():
            if doc.kind(command) != "log":
                continue
            searched |= set(re.findall(r'"event": "([a-z_]+)"', command))
            searched |= set(re.findall(r'\.event == "([a-z_]+)"', command))
            for words in doc.pipeline_segments(command):
                if words and words[0] == "grep":
                    pattern = [w for w in words[1:] if not w.startswith("-")][0]
                    if re.fullmatch(r"[a-z_]+|Simulating email send", pattern):
                        searched.add(pattern)
    assert searched, "the runbook searches the log for events"
    assert searched <= named, searched - named


def test_the_jobs_table_is_the_schedule_migrate_installs():
    from notifications.jobs import JOBS
    from notifications.schedules import OUTBOX_RETRY_NAME, OUTBOX_RETRY_SCHEDULE

    table = doc.read().split("### Scheduled jobs")[1].split("### ")[0]
    rows = dict(re.findall(r"^\| `([a-z_0-9]+)` \| `([^`]+)` \|", table, re.M))
    expected = {name: str(job.schedule) for name, job in JOBS.items()}
    expected[OUTBOX_RETRY_NAME] = str(OUTBOX_RETRY_SCHEDULE)
    assert rows == expected
