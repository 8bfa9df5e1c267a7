"""The benchmark: ``python -m bench.run`` (bench/README.md).

For each data size it creates a fresh PostgreSQL database, migrates, loads the data, prepares
tokens and ticket pools, counts the SQL queries of each endpoint, starts gunicorn as deployed
(``gunicorn -c gunicorn.conf.py``, 127.0.0.1 only, DEBUG off) for the project and for the
baselines, drives each endpoint with ``wrk`` (32 connections, bounded duration) and writes a
Markdown report to ``bench/results/<date>-<commit>.md``.

Only ratios measured within one run mean anything: the machine is shared, and identical runs
vary by about 20 %. The report says how loaded the machine was.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import http.client
import json
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.endpoints import BASELINES, ENDPOINTS, FLOOR, PERSONA_FREE, PERSONAS, Endpoint

ROOT = Path(__file__).resolve().parent.parent
LUA = ROOT / "bench" / "wrk.lua"
PY = sys.executable
SIZES = ("demo", "scale")
RSS_REQUESTS = 20_000
REMINDER_TEAM_SIZE = 50
LOGIN_ROUNDS = 30


# --- small helpers ---------------------------------------------------------------------------


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


def loadavg() -> tuple[float, float, float]:
    one, five, fifteen = Path("/proc/loadavg").read_text().split()[:3]
    return float(one), float(five), float(fifteen)


def free_port() -> int:
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def git(*args: str) -> str:
    command = ["git", *args]
    result = subprocess.run(  # noqa: S603, S607 - git from PATH, fixed arguments
        command, cwd=ROOT, capture_output=True, text=True, check=False
    )
    return result.stdout.strip()


def pg_execute(server_url: str, *statements: str, database: str = "postgres") -> list[Any]:
    import psycopg

    rows = []
    with psycopg.connect(f"{server_url}/{database}", autocommit=True) as conn:
        for statement in statements:
            cur = conn.execute(statement)
            rows.append(cur.fetchall() if cur.description else None)
    return rows


# --- worker memory and CPU ---------------------------------------------------------------------

TICK = os.sysconf("SC_CLK_TCK")


def processes() -> Iterator[tuple[int, int, int, str]]:
    """(pid, parent pid, user + system CPU ticks, command line) of every process."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        # The command name may hold spaces; the fields after its closing parenthesis do not.
        fields = stat[stat.rindex(")") + 2 :].split()
        yield int(entry.name), int(fields[1]), int(fields[11]) + int(fields[12]), cmdline


def children(pid: int) -> list[int]:
    return [child for child, parent, _, _ in processes() if parent == pid]


def rss_kib(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


class ServerSampler:
    """Samples, in the background, a gunicorn master's workers (resident memory, CPU) and the
    CPU of the PostgreSQL backends serving ``database``.

    The CPU of a measurement is what the server spent on it, whatever else the machine was
    doing: the sum over workers and backends of the ticks between its start and its end.
    """

    def __init__(self, master_pid: int, database: str, interval: float = 0.25) -> None:
        self.master_pid = master_pid
        self.backend_marker = f" {database} "
        self.interval = interval
        self.peak: dict[int, int] = {}
        self.first: dict[int, int] = {}
        self.last: dict[int, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._lock = threading.Lock()

    def __enter__(self) -> ServerSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(self.interval)

    def sample(self) -> dict[int, int]:
        rss, ticks = {}, {}
        for pid, parent, cpu, cmdline in processes():
            if parent == self.master_pid:
                ticks[pid] = cpu
                value = rss_kib(pid)
                if value is not None:
                    rss[pid] = value
            elif cmdline.startswith("postgres:") and self.backend_marker in cmdline:
                ticks[pid] = cpu
        with self._lock:
            for pid, value in rss.items():
                self.peak[pid] = max(self.peak.get(pid, 0), value)
            for pid, value in ticks.items():
                self.first.setdefault(pid, value)
                self.last[pid] = value
        return rss

    def reset(self) -> None:
        self.sample()
        with self._lock:
            self.peak = {}
            self.first = dict(self.last)

    def cpu_seconds(self) -> float:
        """CPU of the workers and backends since the last reset (after a fresh sample)."""
        self.sample()
        with self._lock:
            ticks = sum(self.last[pid] - self.first.get(pid, self.last[pid]) for pid in self.last)
        return ticks / TICK

    def peak_mib(self) -> float:
        with self._lock:
            return max(self.peak.values(), default=0) / 1024


# --- gunicorn ---------------------------------------------------------------------------------


@dataclass
class Server:
    name: str
    module: str
    env: dict[str, str]
    log_path: Path
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen | None = None
    # What start() polls until it answers 200 (the floor server serves nothing else).
    ready_path: str = "/health"

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        env = {**self.env, "GUNICORN_BIND": f"127.0.0.1:{self.port}"}
        out = self.log_path.open("ab")
        self.proc = subprocess.Popen(  # noqa: S603 - our own command line
            [PY, "-m", "gunicorn", "-c", "gunicorn.conf.py", self.module],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} gunicorn exited; see {self.log_path}")
            try:
                status, _ = http_request(self.base, "GET", self.ready_path)
                if status == 200:
                    return
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"{self.name} gunicorn did not answer in 60 s")
            time.sleep(0.3)

    def stop(self) -> None:
        if self.proc is None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.proc = None


@contextlib.contextmanager
def serving(*servers: Server) -> Iterator[None]:
    try:
        for server in servers:
            server.start()
        yield
    finally:
        for server in servers:
            server.stop()


def http_request(
    base: str, method: str, path: str, body: str | None = None, token: str | None = None
) -> tuple[int, bytes]:
    host, port = base.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    headers = {"X-Forwarded-Proto": "https", "Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if body is not None:
        headers["Content-Type"] = "application/json"
    try:
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


# --- wrk --------------------------------------------------------------------------------------


@dataclass
class Load:
    connections: int
    threads: int
    duration: int
    warmup: int


def wrk(
    base: str,
    load: Load,
    *,
    path: str = "/",
    method: str = "GET",
    token: str | None = None,
    cookie: str | None = None,
    body: str | None = None,
    pool: list[str] | None = None,
    paths: list[str] | None = None,
    duration: int | None = None,
) -> dict[str, Any]:
    env = {
        **os.environ,
        "BENCH_TOKEN": token or "",
        "BENCH_COOKIE": cookie or "",
        "BENCH_METHOD": method,
        "BENCH_PATH": path,
        "BENCH_POOL": ",".join(pool or []),
        "BENCH_PATHS": ",".join(paths or []),
        "BENCH_THREADS": str(load.threads),
    }
    if body is not None:
        env["BENCH_BODY"] = body
    seconds = duration or load.duration
    result = subprocess.run(  # noqa: S603 - our own command line
        [  # noqa: S607 - Debian's wrk from PATH
            "wrk",
            f"-t{load.threads}",
            f"-c{load.connections}",
            f"-d{seconds}s",
            "--timeout",
            "10s",
            "-s",
            str(LUA),
            f"{base}/",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=seconds + 120,
        check=True,
    )
    line = next(x for x in result.stdout.splitlines() if x.startswith("BENCH_RESULT "))
    data = json.loads(line.removeprefix("BENCH_RESULT "))
    data["rps"] = data["requests"] / (data["duration_us"] / 1e6)
    data["errors"] = sum(data[k] for k in ("connect", "read", "write", "status", "timeout"))
    return data


def drain(data: dict[str, Any]) -> None:
    """Requests still queued when wrk stops are served anyway (sync workers): let them drain
    so they do not eat into the next measurement."""
    time.sleep(min(10.0, max(0.5, 1.5 * data["p99_us"] / 1e6)))


# --- one data size ----------------------------------------------------------------------------


@dataclass
class Measurement:
    name: str
    persona: str | None
    endpoint: Endpoint
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int
    requests: int
    peak_rss_mib: float
    load1: float
    # Server CPU (gunicorn workers and PostgreSQL backends) per completed request.
    cpu_ms: float = 0.0
    # The mean of the B1 runs just before and after this one: the machine is shared, so the
    # nearest B1 runs are the fairest yardstick (the report also gives the run's median B1).
    b1_adjacent: float | None = None
    b1_cpu_ms: float | None = None


@dataclass
class SizeResult:
    size: str
    database: str
    seed_seconds: float
    counts: dict[str, Any]
    ctx: dict[str, Any]
    rows: dict[str, int]
    baselines: dict[str, list[Measurement]] = field(default_factory=dict)
    measurements: list[Measurement] = field(default_factory=list)
    loadavg_before: tuple[float, float, float] = (0, 0, 0)
    loadavg_after: tuple[float, float, float] = (0, 0, 0)
    login: dict[str, float] = field(default_factory=dict)
    rss_growth: dict[str, Any] = field(default_factory=dict)

    def baseline(self, name: str) -> float:
        return statistics.median(m.rps for m in self.baselines[name])


def bracket_with_b1(sequence: list[Measurement]) -> None:
    """Give each endpoint run the mean of the B1 runs just before and just after it."""
    b1_positions = [n for n, m in enumerate(sequence) if m.name == "B1"]
    for n, m in enumerate(sequence):
        if m.name in (FLOOR, "B0", "B1"):
            continue
        before = [sequence[i] for i in b1_positions if i < n][-1:]
        after = [sequence[i] for i in b1_positions if i > n][:1]
        around = before + after
        m.b1_adjacent = statistics.fmean(b.rps for b in around)
        m.b1_cpu_ms = statistics.fmean(b.cpu_ms for b in around)


def django_env(pg: str, database: str, secret: str, redis_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GUNICORN_", "PYTEST"))}
    env.update(
        {
            "DATABASE_URL": f"{pg}/{database}",
            "REDIS_URL": redis_url,
            "CELERY_BROKER_URL": redis_url,
            "JWT_SECRET_KEY": secret,
            "DJANGO_SECRET_KEY": secret[::-1],
            "DEBUG": "false",
            "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
            "LOG_FORMAT": "json",
            # Long enough for a whole run; the default 15 minutes would expire mid-run.
            "ACCESS_TOKEN_MINUTES": "600",
            # Logins are measured for their hashing cost, not the limiter (the runbook's bypass).
            "AUTH_RATE_LIMIT": "100000/m",
            "PYTHONPATH": str(ROOT),
        }
    )
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return env


def run_step(args: list[str], env: dict[str, str], log_path: Path) -> str:
    with log_path.open("a") as out:
        out.write(f"\n$ {' '.join(args)}\n")
    result = subprocess.run(  # noqa: S603 - our own command line
        args, cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    with log_path.open("a") as out:
        out.write(result.stdout + result.stderr)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed ({result.returncode}); see {log_path}")
    return result.stdout


def seed_demo_available(env: dict[str, str], log_path: Path) -> bool:
    out = run_step([PY, "manage.py", "help", "--commands"], env, log_path)
    return "seed_demo" in out.split()


def load_data(size: str, env: dict[str, str], log_path: Path) -> None:
    if size == "demo":
        if seed_demo_available(env, log_path):
            run_step([PY, "manage.py", "seed_demo"], env, log_path)
        else:
            run_step(
                [PY, "manage.py", "seed_scale", "--preset", "demo", "--no-progress"],
                env,
                log_path,
            )
    else:
        run_step(
            [PY, "manage.py", "seed_scale", "--preset", "scale", "--no-progress"], env, log_path
        )


def fill(path: str, ctx: dict[str, Any]) -> str:
    return path.replace("{team_id}", ctx["team_id"]).replace("{cycle_id}", ctx["cycle_id"])


def measure_size(size: str, opts: argparse.Namespace, run_dir: Path, secret: str) -> SizeResult:
    database = f"{opts.db_prefix}_{size}"
    env = django_env(opts.pg, database, secret, opts.redis_url)
    step_log = run_dir / f"{size}-steps.log"
    log(f"{size}: fresh database {database}")
    pg_execute(
        opts.pg,
        f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)',
        f'CREATE DATABASE "{database}"',
    )
    run_step([PY, "manage.py", "migrate", "--noinput", "-v", "0"], env, step_log)
    log(f"{size}: loading data")
    started = time.monotonic()
    load_data(size, env, step_log)
    seed_seconds = time.monotonic() - started
    pg_execute(opts.pg, "VACUUM ANALYZE", database=database)
    tables = (
        "users",
        "teams",
        "team_memberships",
        "rehearsal_cycles",
        "assignments",
        "practice_logs",
        "tickets",
    )
    queries = [f"SELECT count(*) FROM {t}" for t in tables]  # noqa: S608  # nosec B608 - fixed table names
    counted = pg_execute(opts.pg, *queries, database=database)
    rows = {t: r[0][0] for t, r in zip(tables, counted, strict=True)}

    # As deployed (the Dockerfile does the same): DEBUG is off, so the web app's pages need the
    # static files' manifest.
    run_step([PY, "manage.py", "collectstatic", "--noinput", "-v", "0"], env, step_log)
    bench_env = {**env, "DJANGO_SETTINGS_MODULE": "bench.baseline.settings"}
    ctx_path = run_dir / f"{size}-ctx.json"
    counts_path = run_dir / f"{size}-counts.json"
    run_step([PY, "-m", "bench.prepare", "context", "--out", str(ctx_path)], bench_env, step_log)
    ctx = json.loads(ctx_path.read_text())
    log(f"{size}: counting SQL queries per request")
    run_step(
        [PY, "-m", "bench.prepare", "count", "--ctx", str(ctx_path), "--out", str(counts_path)],
        bench_env,
        step_log,
    )
    counts = json.loads(counts_path.read_text())
    result = SizeResult(size, database, seed_seconds, counts, ctx, rows)

    load = Load(opts.connections, opts.threads, opts.duration, opts.warmup)
    app = Server("app", "practiceops.wsgi", env, run_dir / f"{size}-app.log")
    baseline = Server(
        "baseline", "bench.baseline.wsgi", bench_env, run_dir / f"{size}-baseline.log"
    )
    floor = Server(
        "floor",
        "bench.baseline.floor_wsgi",
        {**env, "DJANGO_SETTINGS_MODULE": "bench.baseline.floor_settings"},
        run_dir / f"{size}-floor.log",
        ready_path="/bench/b00",
    )

    def reset_pool() -> None:
        run_step(
            [PY, "-m", "bench.prepare", "reset-pool", "--ctx", str(ctx_path)], bench_env, step_log
        )

    def one(
        server: Server,
        sampler: ServerSampler,
        endpoint: Endpoint,
        persona: str | None,
        *,
        duration: int | None = None,
        warmup: int | None = None,
    ) -> Measurement:
        p = ctx["personas"][persona] if persona else None
        token = (p or ctx["personas"]["admin"])["token"] if endpoint.auth else None
        kwargs: dict[str, Any] = {
            "path": fill(endpoint.path, ctx),
            "method": endpoint.method,
            "token": None if endpoint.session else token,
            # The web app's pages are measured signed in with the persona's session.
            "cookie": (
                f"sessionid={(p or ctx['personas']['admin'])['session']}"
                if endpoint.session
                else None
            ),
            "body": endpoint.body,
            "pool": None,
        }
        pool = p["pool"] if endpoint.pool and p else []
        if pool:
            reset_pool()
        warmup = load.warmup if warmup is None else warmup
        if warmup:
            # The warm-up and the measurement move disjoint halves of the pool: a move the
            # warm-up left in flight cannot put a measured ticket out of step.
            kwargs["pool"] = pool[: len(pool) // 2] or None
            drain(wrk(server.base, load, duration=warmup, **kwargs))
        kwargs["pool"] = pool[len(pool) // 2 :] or None
        load1 = loadavg()[0]
        sampler.reset()
        data = wrk(server.base, load, duration=duration, **kwargs)
        cpu = sampler.cpu_seconds()
        drain(data)
        measurement = Measurement(
            name=endpoint.name,
            persona=persona,
            endpoint=endpoint,
            rps=data["rps"],
            p50_ms=data["p50_us"] / 1000,
            p99_ms=data["p99_us"] / 1000,
            errors=data["errors"],
            requests=data["requests"],
            peak_rss_mib=sampler.peak_mib(),
            load1=load1,
            cpu_ms=cpu * 1000 / max(1, data["requests"]),
        )
        log(
            f"{size}: {endpoint.name} [{persona or '-'}] {measurement.rps:.0f} req/s "
            f"p50 {measurement.p50_ms:.1f} ms p99 {measurement.p99_ms:.1f} ms "
            f"errors {measurement.errors}"
        )
        return measurement

    with serving(app, baseline, floor):
        assert app.proc is not None and baseline.proc is not None and floor.proc is not None
        result.loadavg_before = loadavg()
        with (
            ServerSampler(app.proc.pid, database) as app_rss,
            ServerSampler(baseline.proc.pid, database) as base_rss,
            ServerSampler(floor.proc.pid, database) as floor_rss,
        ):
            sequence: list[Measurement] = []

            def baselines() -> None:
                for endpoint in BASELINES:
                    if endpoint.name == FLOOR:
                        measurement = one(floor, floor_rss, endpoint, None)
                    else:
                        measurement = one(baseline, base_rss, endpoint, None)
                    result.baselines.setdefault(endpoint.name, []).append(measurement)
                    sequence.append(measurement)

            b1_endpoint = next(e for e in BASELINES if e.name == "B1")
            baselines()
            half = len(ENDPOINTS) // 2
            for n, endpoint in enumerate(ENDPOINTS):
                if n == half:
                    baselines()
                personas = [None] if endpoint.name in PERSONA_FREE else list(PERSONAS)
                for persona in personas:
                    b1 = one(baseline, base_rss, b1_endpoint, None, warmup=0)
                    result.baselines["B1"].append(b1)
                    measurement = one(app, app_rss, endpoint, persona)
                    result.measurements.append(measurement)
                    sequence += [b1, measurement]
            baselines()
            bracket_with_b1(sequence)
        result.login = login_latency(app, ctx)
        result.loadavg_after = loadavg()

    if size == opts.rss_size:
        result.rss_growth = rss_growth(env, run_dir, ctx, load, size)
    return result


def login_latency(app: Server, ctx: dict[str, Any]) -> dict[str, float]:
    """Single-client latency of POST /auth/login (the hashing cost dominates it)."""
    body = json.dumps(ctx["login"])
    timings = []
    for _ in range(LOGIN_ROUNDS):
        started = time.perf_counter()
        status, content = http_request(app.base, "POST", "/auth/login", body)
        timings.append((time.perf_counter() - started) * 1000)
        if status != 200:
            raise RuntimeError(f"login answered {status}: {content[:200]!r}")
    timings.sort()
    return {
        "rounds": LOGIN_ROUNDS,
        "p50_ms": statistics.median(timings),
        "p99_ms": timings[min(len(timings) - 1, round(0.99 * len(timings)) - 1)],
        "mean_ms": statistics.fmean(timings),
    }


def rss_growth(
    env: dict[str, str], run_dir: Path, ctx: dict[str, Any], load: Load, size: str
) -> dict[str, Any]:
    """Worker memory across 20,000 mixed requests, with worker recycling off so growth shows."""
    server = Server(
        "app-rss",
        "practiceops.wsgi",
        {**env, "GUNICORN_MAX_REQUESTS": "0"},
        run_dir / f"{size}-app-rss.log",
    )
    paths = [
        fill(e.path, ctx) for e in ENDPOINTS if e.method == "GET" and e.name not in PERSONA_FREE
    ]
    token = ctx["personas"]["admin"]["token"]
    log(f"{size}: worker memory across {RSS_REQUESTS:,} requests")
    with serving(server):
        assert server.proc is not None
        sampler = ServerSampler(server.proc.pid, env["DATABASE_URL"].rsplit("/", 1)[1])
        warm = wrk(server.base, load, paths=paths, token=token, duration=max(5, load.warmup))
        before = sampler.sample()
        served, errors = 0, warm["errors"]
        while served < RSS_REQUESTS:
            data = wrk(server.base, load, paths=paths, token=token, duration=10)
            served += data["requests"]
            errors += data["errors"]
        after = sampler.sample()
    workers = sorted(set(before) & set(after))
    growth = {pid: (after[pid] - before[pid]) / before[pid] * 100 for pid in workers if before[pid]}
    return {
        "requests": served,
        "warmup_requests": warm["requests"],
        "errors": errors,
        "before_mib": [round(before[p] / 1024, 1) for p in workers],
        "after_mib": [round(after[p] / 1024, 1) for p in workers],
        "growth_pct": [round(growth[p], 1) for p in workers],
        "replaced_workers": len(set(before) ^ set(after)),
    }


# --- no_log_reminder ------------------------------------------------------------------------


def measure_reminder(
    members: int, opts: argparse.Namespace, run_dir: Path, secret: str
) -> dict[str, Any]:
    """no_log_reminder over ``members`` members of seed_scale teams of 50 (a fresh database)."""
    database = f"{opts.db_prefix}_reminder"
    env = django_env(opts.pg, database, secret, opts.redis_url)
    step_log = run_dir / f"reminder-{members}.log"
    log(f"reminder: {members:,} members, fresh database {database}")
    pg_execute(
        opts.pg,
        f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)',
        f'CREATE DATABASE "{database}"',
    )
    run_step([PY, "manage.py", "migrate", "--noinput", "-v", "0"], env, step_log)
    started = time.monotonic()
    teams = -(-members // REMINDER_TEAM_SIZE)
    run_step(
        [
            PY,
            "manage.py",
            "seed_scale",
            "--teams",
            str(teams),
            "--members",
            str(REMINDER_TEAM_SIZE),
            "--days",
            "7",
            "--tickets-per-team",
            "0",
            "--no-progress",
        ],
        env,
        step_log,
    )
    seed_seconds = time.monotonic() - started
    pg_execute(opts.pg, "VACUUM ANALYZE", database=database)
    out = run_dir / f"reminder-{members}.json"
    run_step(
        [PY, "-m", "bench.prepare", "reminder", "--out", str(out)],
        {**env, "DJANGO_SETTINGS_MODULE": "bench.baseline.settings"},
        step_log,
    )
    result = json.loads(out.read_text())
    result["seed_seconds"] = round(seed_seconds)
    result["loadavg"] = loadavg()
    if not opts.keep:
        pg_execute(opts.pg, f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    first = result["runs"][0]
    log(
        f"reminder: {result['members']:,} members: {first['seconds']} s, "
        f"{first['queries']} queries, {result['outbox_rows']:,} reminders"
    )
    return result


# --- report -----------------------------------------------------------------------------------


def fmt_ratio(value: float) -> str:
    return f"{value:.2f}"


def cpu_ratio(m: Measurement) -> float:
    return (m.b1_cpu_ms or 0) / m.cpu_ms if m.cpu_ms else 0.0


def target_status(m: Measurement, size: str, b1: float) -> str:
    """The target, then whether the throughput ratio and the CPU-cost ratio meet it."""
    e = m.endpoint
    if e.target_b1 is None:
        return ""
    if e.target_scale_only and size != "scale":
        return f"(≥ {e.target_b1:.2f} on scale)"
    by_rps = m.rps / (m.b1_adjacent or b1) >= e.target_b1
    by_cpu = cpu_ratio(m) >= e.target_b1
    return f"≥ {e.target_b1:.2f} {'✅' if by_rps else '❌'} / {'✅' if by_cpu else '❌'}"


FLOOR_TARGETS = {"B0": 0.60, "B1": 0.40}
HEALTH_TARGET_B0 = 0.80


def floor_lines(r: SizeResult) -> list[str]:
    """The floor: what each layer costs, B00 -> B0 -> B1 -> /health (medians of the run)."""
    if not r.baselines.get(FLOOR):
        return []
    b00, b0, b1 = r.baseline(FLOOR), r.baseline("B0"), r.baseline("B1")
    steps = [
        f"B00 {b00:.0f} req/s",
        f"B0 {b0:.0f} ({b0 / b00:.2f} × B00, target ≥ {FLOOR_TARGETS['B0']:.2f} "
        f"{'✅' if b0 / b00 >= FLOOR_TARGETS['B0'] else '❌'})",
        f"B1 {b1:.0f} ({b1 / b00:.2f} × B00, target ≥ {FLOOR_TARGETS['B1']:.2f} "
        f"{'✅' if b1 / b00 >= FLOOR_TARGETS['B1'] else '❌'})",
    ]
    health = [m for m in r.measurements if m.name == "GET /health"]
    if health:
        rps = statistics.median(m.rps for m in health)
        steps.append(
            f"`GET /health` {rps:.0f} ({rps / b0:.2f} × B0, target ≥ {HEALTH_TARGET_B0:.2f} "
            f"{'✅' if rps / b0 >= HEALTH_TARGET_B0 else '❌'})"
        )
    return [
        "",
        "**The floor** (medians of this run; B00 is a bare Django view served without "
        "middleware or logging, B0 adds our middleware and logging, B1 DRF and the bearer "
        "token): " + " → ".join(steps) + ".",
    ]


def render(
    results: list[SizeResult],
    hashing: dict[str, Any],
    reminders: list[dict[str, Any]],
    opts: argparse.Namespace,
    meta: dict,
) -> str:
    lines = [
        f"# Benchmark {meta['date']} — commit {meta['commit']}",
        "",
        "Produced by `python -m bench.run` (bench/README.md). Ratios are to the baselines "
        "measured in the same run on the same gunicorn settings; absolute figures move with "
        "the machine's load (other work shares its cores).",
        "",
        "## Machine and settings",
        "",
        f"- {meta['cpu']} × {meta['nproc']} cores, {meta['mem_gib']:.0f} GiB RAM; "
        f"{meta['pg']}; Python {platform.python_version()}; Django {meta['django']}",
        f"- gunicorn `-c gunicorn.conf.py`: {meta['workers']} sync workers, "
        "max_requests 5000 (+jitter), 127.0.0.1, DEBUG off, JSON logs to a file, "
        "persistent database connections (CONN_MAX_AGE 60), Redis cache",
        f"- wrk {opts.threads} threads, {opts.connections} connections, "
        f"{opts.duration} s per measurement after a {opts.warmup} s warm-up, on loopback",
        "",
    ]
    for r in results:
        b0, b1 = r.baseline("B0"), r.baseline("B1")
        b00 = r.baseline(FLOOR) if r.baselines.get(FLOOR) else None
        lines += [
            f"## {r.size} data",
            "",
            "Rows: " + ", ".join(f"{k} {v:,}" for k, v in r.rows.items()) + ".",
            f"Measured in team {r.ctx['team_name']!r} ({r.ctx['members']} members) as its "
            f"ADMIN and its {r.ctx['personas']['section_leader']['section']} SECTION_LEADER. "
            f"Load average (1/5/15 min) before {'/'.join(f'{x:.2f}' for x in r.loadavg_before)}"
            f", after {'/'.join(f'{x:.2f}' for x in r.loadavg_after)}; 1-min load at the "
            f"start of each measurement {min(m.load1 for m in r.measurements):.2f}–"
            f"{max(m.load1 for m in r.measurements):.2f} on {meta['nproc']} cores. "
            f"Data loaded in {r.seed_seconds:.0f} s.",
            "",
            "| baseline | runs | req/s median (min–max) | CPU ms/req median | p50 ms | p99 ms "
            "| errors | SQL/req | peak RSS/worker MiB |",
            "|---|---|---|---|---|---|---|---|---|",
        ]
        for name in (FLOOR, "B0", "B1"):
            runs = r.baselines.get(name)
            if not runs:
                continue
            lines.append(
                f"| {name} | {len(runs)} | {r.baseline(name):.0f} "
                f"({min(m.rps for m in runs):.0f}–{max(m.rps for m in runs):.0f}) | "
                f"{statistics.median(m.cpu_ms for m in runs):.2f} | "
                f"{statistics.median(m.p50_ms for m in runs):.1f} | "
                f"{statistics.median(m.p99_ms for m in runs):.1f} | "
                f"{sum(m.errors for m in runs)} | {r.counts.get(name, {}).get('queries', '—')} | "
                f"{max(m.peak_rss_mib for m in runs):.0f} |"
            )
        lines += floor_lines(r)
        lines += [
            "",
            "Each endpoint run sits between two B1 runs: ×B1 is its throughput over the mean "
            "of those two (the yardstick least disturbed by the machine's other work), ×B1 med "
            "×B0 med and ×B00 med are over the medians of all baseline runs of this data size. CPU "
            "ms/req is what the server spent per request (gunicorn workers and PostgreSQL "
            "backends, from /proc), which other load on the machine does not inflate; "
            "CPU ×B1 is B1's CPU per request over the endpoint's. Targets: met by throughput "
            "/ by CPU cost.",
            "",
            "| endpoint | as | req/s | B1 req/s | ×B1 | ×B1 med | ×B0 med | ×B00 med | CPU ms/req | "
            "CPU ×B1 | target | p50 ms | p99 ms | errors | SQL/req | body bytes | "
            "peak RSS/worker MiB |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
        ]
        for m in r.measurements:
            key = m.name if m.persona is None else f"{m.name}|{m.persona}"
            count = r.counts.get(key, {})
            queries = count.get("queries")
            q = "—" if queries is None else str(queries)
            if m.endpoint.max_queries is not None and queries is not None:
                q += f" (≤ {m.endpoint.max_queries} {'✅' if queries <= m.endpoint.max_queries else '❌'})"
            lines.append(
                f"| `{m.name}` | {m.persona or '—'} | {m.rps:.0f} | {m.b1_adjacent or 0:.0f} | "
                f"{fmt_ratio(m.rps / (m.b1_adjacent or b1))} | {fmt_ratio(m.rps / b1)} | "
                f"{fmt_ratio(m.rps / b0)} | {fmt_ratio(m.rps / b00) if b00 else '—'} | "
                f"{m.cpu_ms:.2f} | {fmt_ratio(cpu_ratio(m))} | "
                f"{target_status(m, r.size, b1)} | {m.p50_ms:.1f} | "
                f"{m.p99_ms:.1f} | {m.errors} | {q} | {count.get('bytes', '—')} | "
                f"{m.peak_rss_mib:.0f} |"
            )
        lines.append("")
        if r.login:
            lines += [
                f"`POST /auth/login`, one client, {r.login['rounds']} logins: p50 "
                f"{r.login['p50_ms']:.1f} ms, p99 {r.login['p99_ms']:.1f} ms, mean "
                f"{r.login['mean_ms']:.1f} ms.",
                "",
            ]
        if r.rss_growth:
            g = r.rss_growth
            lines += [
                "### Worker memory across 20,000 requests",
                "",
                f"A separate gunicorn with worker recycling off (`GUNICORN_MAX_REQUESTS=0`) "
                f"served {g['warmup_requests']:,} warm-up requests, then {g['requests']:,} "
                f"requests rotating over every GET endpoint above (as the admin), "
                f"{g['errors']} errors. RSS per worker before → after: "
                + ", ".join(
                    f"{a} → {b} MiB ({c:+.1f} %)"
                    for a, b, c in zip(
                        g["before_mib"], g["after_mib"], g["growth_pct"], strict=True
                    )
                )
                + f"; workers replaced meanwhile: {g['replaced_workers']}.",
                "",
            ]
    if len(results) > 1:
        demo = next((r for r in results if r.size == "demo"), None)
        scale = next((r for r in results if r.size == "scale"), None)
        if demo and scale:
            lines += [
                "## p99 on the scale data against the demo data (target ≤ 2×)",
                "",
                "| endpoint | as | p99 demo ms | p99 scale ms | ratio | |",
                "|---|---|---|---|---|---|",
            ]
            for a in demo.measurements:
                b = next(
                    (m for m in scale.measurements if (m.name, m.persona) == (a.name, a.persona)),
                    None,
                )
                if b is None:
                    continue
                ratio = b.p99_ms / a.p99_ms if a.p99_ms else float("inf")
                lines.append(
                    f"| `{a.name}` | {a.persona or '—'} | {a.p99_ms:.1f} | {b.p99_ms:.1f} | "
                    f"{ratio:.2f} | {'✅' if ratio <= 2 else '❌'} |"
                )
            lines.append("")
    if hashing:
        lines += [
            "## Password hashing",
            "",
            f"`accounts.hashers.TunedArgon2PasswordHasher`: Argon2id, m = "
            f"{hashing['memory_kib']} KiB ({hashing['memory_kib'] / 1024:.0f} MiB), "
            f"t = {hashing['time_cost']}, p = {hashing['parallelism']} (OWASP's minimum is "
            "19 MiB, t = 2, p = 1). "
            f"{hashing['rounds']} hashes in one process: median {hashing['encode_ms_median']} ms "
            f"(min {hashing['encode_ms_min']}, max {hashing['encode_ms_max']}); verify median "
            f"{hashing['verify_ms_median']} ms. Target 25–250 ms: "
            f"{'✅' if 25 <= hashing['encode_ms_median'] <= 250 else '❌'}.",
            "",
        ]
    if reminders:
        lines += [
            "## `no_log_reminder` over seed_scale members (target < 30 s, constant memory)",
            "",
            "A fresh database per size: seed_scale teams of 50 (seven timezones, a week of "
            "practice logs, three members in ten with saved preferences), then the job run as "
            "a worker runs it (`notifications.runner.job_run_execute`), twice: the second run "
            "finds every reminder already decided. Sending is left to the send tasks "
            "(bench/no_log_reminder.py times those batches).",
            "",
            "| members | teams | job s | queries | reminders queued | second run s / queries "
            "| Python peak alloc MiB | RSS before → after (peak) MiB | load avg |",
            "|---|---|---|---|---|---|---|---|---|",
        ]
        for r in reminders:
            first, second = r["runs"]
            lines.append(
                f"| {r['members']:,} | {r['teams']:,} | {first['seconds']} "
                f"{'✅' if first['seconds'] < 30 else '❌'} | {first['queries']} | "
                f"{first['stats'].get('queued', 0):,} | {second['seconds']} / "
                f"{second['queries']} | {r['python_peak_alloc_mib']} | "
                f"{r['rss_before_mib']} → {r['rss_after_mib']} ({r['rss_peak_mib']}) | "
                f"{r['loadavg'][0]:.2f} |"
            )
        lines.append("")
    return "\n".join(lines)


# --- main -------------------------------------------------------------------------------------


def machine_meta(opts: argparse.Namespace) -> dict[str, Any]:
    cpu = "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem_kib = int(Path("/proc/meminfo").read_text().split()[1])
    version = pg_execute(opts.pg, "SHOW server_version")[0][0][0]
    import django

    nproc = os.cpu_count() or 1
    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    if git("status", "--porcelain", "--untracked-files=no"):
        commit += "-dirty"
    return {
        "date": datetime.date.today().isoformat(),
        "commit": commit,
        "cpu": cpu,
        "nproc": nproc,
        "mem_gib": mem_kib / 1024 / 1024,
        "pg": f"PostgreSQL {version}",
        "django": django.get_version(),
        "workers": int(os.environ.get("GUNICORN_WORKERS", nproc + 1)),
    }


WIRING_CHECK = """
import io, json, sys
from bench.baseline.floor_wsgi import application
status = []
environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/bench/b00", "SERVER_NAME": "127.0.0.1",
           "SERVER_PORT": "80", "wsgi.input": io.BytesIO(), "wsgi.url_scheme": "http"}
body = b"".join(application(environ, lambda s, h: status.append(s)))
from django.conf import settings
print(json.dumps({"status": status[0], "body": body.decode(),
                  "middleware": list(settings.MIDDLEWARE)}))
"""


def dry_run(opts: argparse.Namespace, sizes: list[str]) -> None:
    """Checks the wiring without any load: the floor server's WSGI application answers B00
    (in a subprocess, on a throwaway SQLite database), and the report renders from synthetic
    figures (printed, not written: its numbers mean nothing)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GUNICORN_", "PYTEST"))}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "bench.baseline.floor_settings",
            "DATABASE_URL": "sqlite:///:memory:",
            "DEBUG": "true",
            "PYTHONPATH": str(ROOT),
        }
    )
    env.pop("REDIS_URL", None)
    out = subprocess.run(  # noqa: S603 - our own command line
        [PY, "-c", WIRING_CHECK], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    log(f"floor server (bench.baseline.floor_wsgi) answers: {out.stdout.strip()}")
    fake_load = Load(opts.connections, opts.threads, opts.duration, opts.warmup)
    log(f"would measure {[e.name for e in BASELINES]} then {len(ENDPOINTS)} endpoints, {fake_load}")
    results = []
    for size in sizes:
        ctx = {
            "team_name": "dry run",
            "members": 0,
            "personas": {"section_leader": {"section": "SOPRANO"}},
        }
        r = SizeResult(size, "-", 0.0, {}, ctx, {})

        def fake(endpoint: Endpoint, persona: str | None, rps: float) -> Measurement:
            return Measurement(endpoint.name, persona, endpoint, rps, 1.0, 2.0, 0, 1, 0, 0.0)

        for endpoint, rps in zip(BASELINES, (3000.0, 1800.0, 1200.0), strict=True):
            r.baselines[endpoint.name] = [fake(endpoint, None, rps)]
        for endpoint in ENDPOINTS:
            personas = [None] if endpoint.name in PERSONA_FREE else list(PERSONAS)
            r.measurements += [fake(endpoint, p, 600.0) for p in personas]
        bracket_with_b1([*r.baselines["B1"], *r.measurements, *r.baselines["B1"]])
        results.append(r)
    meta = {
        "date": datetime.date.today().isoformat(),
        "commit": git("rev-parse", "--short", "HEAD") or "unknown",
        "cpu": "dry run",
        "nproc": os.cpu_count() or 1,
        "mem_gib": 0.0,
        "pg": "no PostgreSQL",
        "django": "-",
        "workers": 0,
    }
    print(render(results, {}, [], opts, meta))


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__)
    parser.add_argument("--sizes", default=",".join(SIZES), help="demo,scale (default both)")
    parser.add_argument("--duration", type=int, default=10, help="seconds per measurement")
    parser.add_argument("--warmup", type=int, default=2, help="seconds of warm-up before each")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument(
        "--pg",
        default=os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432"),
        help="PostgreSQL server URL without a database name",
    )
    parser.add_argument("--db-prefix", default=os.environ.get("BENCH_DB_PREFIX", "po_perf_bench"))
    parser.add_argument(
        "--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/12")
    )
    parser.add_argument("--rss-size", default="scale", help="size of the 20,000-request RSS run")
    parser.add_argument(
        "--reminder-members",
        default="20000,100000",
        help="no_log_reminder data sizes, comma-separated (empty: skip)",
    )
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    parser.add_argument("--keep", action="store_true", help="keep the databases afterwards")
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="check the wiring (the floor server answers B00, the report renders from "
        "synthetic figures) without databases or load",
    )
    opts = parser.parse_args()
    sizes = [s for s in opts.sizes.split(",") if s]
    if not set(sizes) <= set(SIZES):
        sys.exit(f"--sizes takes {', '.join(SIZES)}")
    if opts.dry_run:
        dry_run(opts, sizes)
        return
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed (apt-get install -y wrk)")

    run_dir = Path(tempfile.mkdtemp(prefix="po_perf_bench_"))
    log(f"logs and intermediate files in {run_dir}")
    secret = secrets.token_urlsafe(48)
    meta = machine_meta(opts)
    results = []
    for size in sizes:
        results.append(measure_size(size, opts, run_dir, secret))
    # Hashing needs no database: the name is never connected to.
    env = django_env(opts.pg, f"{opts.db_prefix}_hash", secret, opts.redis_url)
    hash_path = run_dir / "hash.json"
    run_step(
        [PY, "-m", "bench.prepare", "hash", "--out", str(hash_path)],
        {**env, "DJANGO_SETTINGS_MODULE": "bench.baseline.settings"},
        run_dir / "hash.log",
    )
    hashing = json.loads(hash_path.read_text())
    reminders = [
        measure_reminder(int(n), opts, run_dir, secret)
        for n in opts.reminder_members.split(",")
        if n.strip()
    ]
    if not opts.keep:
        for r in results:
            pg_execute(opts.pg, f'DROP DATABASE IF EXISTS "{r.database}" WITH (FORCE)')
    opts.out.mkdir(parents=True, exist_ok=True)
    report = opts.out / f"{meta['date']}-{re.sub(r'[^A-Za-z0-9-]', '', meta['commit'])}.md"
    report.write_text(render(results, hashing, reminders, opts, meta) + "\n")
    (run_dir / "results.json").write_text(
        json.dumps(
            [
                {
                    "size": r.size,
                    "baselines": {
                        k: [m.__dict__ | {"endpoint": m.endpoint.name} for m in v]
                        for k, v in r.baselines.items()
                    },
                    "measurements": [
                        m.__dict__ | {"endpoint": m.endpoint.name} for m in r.measurements
                    ],
                    "counts": r.counts,
                    "login": r.login,
                    "rss_growth": r.rss_growth,
                }
                for r in results
            ],
            indent=2,
            default=str,
        )
    )
    log(f"report written to {report}")


if __name__ == "__main__":
    main()
