"""A profile under load: where the gunicorn workers spend their CPU while ``wrk`` drives one
endpoint (bench/README.md → Profiling under load).

    python -m bench.profile_load "GET /cycles/{id}/tickets" "GET /app/t/{id}/section" \\
        --as section_leader --duration 10 --db po_perf_bench_scale --out

Against a database already loaded (``python -m bench.run --keep`` or ``manage.py seed_scale``;
it never creates nor drops one): it prepares the personas as the benchmark does
(``bench/prepare.py context``), starts the project's gunicorn as deployed (``bench/run.py``'s
``Server``: ``gunicorn -c gunicorn.conf.py``, DEBUG off, logs to a file) and, for each endpoint
named as in ``bench/endpoints.py``, runs ``wrk`` for the duration while ``py-spy`` samples every
worker (one py-spy per worker; ``--subprocesses``: one on the master). By default py-spy keeps
only the samples holding the GIL, the workers' Python CPU; ``--with-waits`` keeps every busy
sample, waits on PostgreSQL and on the socket included. The summary gives the requests per
second during the profile, the CPU seconds of the workers, of the PostgreSQL backends and of
py-spy (from /proc), the frames of the project's code and the libraries' entry points by
inclusive share of the samples, and the self (leaf) samples grouped by library and module.

py-spy needs root or ptrace permission (``kernel.yama.ptrace_scope`` 0, or CAP_SYS_PTRACE).
It pauses each worker to read its stack and uses CPU of its own beside them (the summary says
how much): the requests per second here are not benchmark figures (``bench/run.py`` gives
those).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.endpoints import ENDPOINTS, PERSONA_FREE, Endpoint
from bench.run import (
    PY,
    ROOT,
    TICK,
    Load,
    Server,
    ServerSampler,
    children,
    django_env,
    drain,
    fill,
    git,
    loadavg,
    log,
    processes,
    run_step,
    serving,
    wrk,
)

PY_SPY = str(Path(PY).with_name("py-spy"))
INCLUSIVE_ROWS = 25
LEAF_ROWS = 20
# Frames on nearly every sample (gunicorn's loop, the middleware chain) say nothing about the
# endpoint: listed once above the table instead of filling its first rows.
UBIQUITOUS = 0.97

# A frame as py-spy writes it: "function (path/file.py:LINE)".
FRAME = re.compile(r"^(?P<function>.*) \((?P<path>[^()]*?)(?::(?P<line>\d+))?\)$")
PROJECT_PACKAGES = frozenset(
    p.name for p in ROOT.iterdir() if p.is_dir() and (p / "__init__.py").exists()
)
# Module groups finer than the top-level package, longest prefix first.
SUBGROUPS = (
    "django/db/models/sql",
    "django/db/models/fields",
    "django/db/models",
    "django/db/backends",
    "django/db",
    "django/template",
    "django/core/handlers",
    "django/core/serializers",
    "django/core",
    "django/utils",
    "django/urls",
    "django/http",
    "django/middleware",
    "django/contrib",
    "django/forms",
    "django/dispatch",
    "django/conf",
)
GROUP_ALIASES = {
    "structlog": "structlog/logging",
    "django_structlog": "structlog/logging",
    "logging": "structlog/logging",
    "json": "json/orjson",
    "orjson": "json/orjson",
    "psycopg_binary": "psycopg",
    "psycopg_c": "psycopg",
}


@dataclass(frozen=True)
class Frame:
    function: str
    path: str
    line: int | None

    @property
    def function_only(self) -> Frame:
        return Frame(self.function, self.path, None)

    @property
    def module_path(self) -> str:
        """The path from the package root: site-packages/…, the standard library, the project."""
        path = self.path
        for marker in ("site-packages/", "dist-packages/"):
            if marker in path:
                return path.rsplit(marker, 1)[1]
        root = f"{ROOT}/"
        if path.startswith(root):
            return path.removeprefix(root)
        found = re.search(r"/lib/python3\.\d+/(.*)$", path)
        return found.group(1) if found else path

    @property
    def package(self) -> str:
        return self.module_path.split("/", 1)[0].removesuffix(".py")

    @property
    def project(self) -> bool:
        return self.package in PROJECT_PACKAGES

    @property
    def group(self) -> str:
        if self.project:
            return f"project: {self.package}"
        path = self.module_path
        for prefix in SUBGROUPS:
            if path.startswith(f"{prefix}/") or path == f"{prefix}.py":
                return prefix.replace("/", ".")
        return GROUP_ALIASES.get(self.package, self.package)

    def label(self) -> str:
        where = self.module_path + (f":{self.line}" if self.line is not None else "")
        return f"`{self.function}` {where}"


def parse_frame(text: str) -> Frame | None:
    """One frame of a raw stack; None for py-spy's process and thread markers."""
    found = FRAME.match(text.strip())
    if found is None or text.startswith(("process ", "thread ")):
        return None
    line = found.group("line")
    return Frame(found.group("function"), found.group("path"), int(line) if line else None)


@dataclass
class Profile:
    """py-spy's raw collapsed stacks (``frame;frame;… COUNT``), root first."""

    samples: int = 0
    inclusive: Counter[Frame] = field(default_factory=Counter)
    self_frames: Counter[Frame] = field(default_factory=Counter)
    # By function (any line of it), for the inclusive table.
    self_functions: Counter[Frame] = field(default_factory=Counter)
    self_groups: Counter[str] = field(default_factory=Counter)
    processes: set[str] = field(default_factory=set)

    @classmethod
    def from_raw(cls, text: str) -> Profile:
        profile = cls()
        for raw in text.splitlines():
            stack, _, count = raw.rpartition(" ")
            if not stack or not count.isdigit():
                continue
            profile.add(stack.split(";"), int(count))
        return profile

    def add(self, parts: list[str], count: int) -> None:
        self.processes.update(x.split(":", 1)[0] for x in parts if x.startswith("process "))
        frames = [f for f in map(parse_frame, parts) if f is not None]
        if not frames:
            return
        self.samples += count
        leaf = frames[-1]
        self.self_frames[leaf] += count
        self.self_functions[leaf.function_only] += count
        self.self_groups[leaf.group] += count
        # The project's frames, and each frame where a stack enters another package: counted
        # once per stack (recursion would count a frame twice).
        seen = set()
        caller: Frame | None = None
        for frame in frames:
            if frame.project or caller is None or caller.package != frame.package:
                seen.add(frame.function_only)
            caller = frame
        for frame in seen:
            self.inclusive[frame] += count


def share(count: int, total: int) -> str:
    return f"{100 * count / total:.1f} %" if total else "—"


def render_profile(profile: Profile, opts: argparse.Namespace, workers_cpu: float) -> list[str]:
    total = profile.samples
    if not total:
        return ["py-spy recorded no samples (no permission to attach, or nothing ran).", ""]
    ubiquitous = [f for f, n in profile.inclusive.most_common() if n >= UBIQUITOUS * total]
    what = "busy threads, waits included" if opts.with_waits else "threads holding the GIL"
    lines = [
        f"{total:,} samples: about {total / opts.rate:.1f} s of {what} (the workers used "
        f"{workers_cpu:.2f} CPU s meanwhile, by /proc; a runnable worker waiting for a core "
        "is sampled too). Shares below are of these samples.",
        "",
        "#### Inclusive: the project's code and the entry points into each library",
        "",
    ]
    if ubiquitous:
        lines += [
            f"On ≥ {UBIQUITOUS:.0%} of the samples, left out below: "
            + ", ".join(f.label() for f in ubiquitous)
            + ".",
            "",
        ]
    lines += ["| frame | group | inclusive | self |", "|---|---|---|---|"]
    rows = [(f, n) for f, n in profile.inclusive.most_common() if f not in ubiquitous]
    for frame, count in rows[:INCLUSIVE_ROWS]:
        lines.append(
            f"| {frame.label()} | {frame.group} | {share(count, total)} | "
            f"{share(profile.self_functions[frame], total)} |"
        )
    lines += [
        "",
        "#### Self samples by library and module",
        "",
        "| group | self |",
        "|---|---|",
    ]
    for group, count in profile.self_groups.most_common():
        if count < 0.005 * total:
            break
        lines.append(f"| {group} | {share(count, total)} |")
    lines += [
        "",
        f"#### Top {LEAF_ROWS} leaf functions (at their hottest line)",
        "",
        "| function:line | group | self | that line |",
        "|---|---|---|---|",
    ]
    for function, count in profile.self_functions.most_common(LEAF_ROWS):
        lines_of = Counter(
            {f: n for f, n in profile.self_frames.items() if f.function_only == function}
        )
        hottest, hot = lines_of.most_common(1)[0]
        lines.append(
            f"| {hottest.label()} | {function.group} | {share(count, total)} | "
            f"{share(hot, total)} |"
        )
    lines.append("")
    return lines


# --- measuring --------------------------------------------------------------------------------


class SplitSampler(ServerSampler):
    """The benchmark's sampler, with the CPU split between the workers and the backends."""

    def __init__(self, master_pid: int, database: str) -> None:
        super().__init__(master_pid, database)
        self.workers: set[int] = set()

    def sample(self) -> dict[int, int]:
        found = {pid for pid, parent, _, _ in processes() if parent == self.master_pid}
        with self._lock:
            self.workers |= found
        return super().sample()

    def split_seconds(self) -> tuple[float, float]:
        """(workers, PostgreSQL backends) CPU seconds since the last reset."""
        self.sample()
        with self._lock:
            deltas = {
                pid: self.last[pid] - self.first.get(pid, self.last[pid]) for pid in self.last
            }
            workers = sum(d for pid, d in deltas.items() if pid in self.workers)
        return workers / TICK, (sum(deltas.values()) - workers) / TICK


def cpu_ticks(pid: int) -> int:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0
    fields = stat[stat.rindex(")") + 2 :].split()
    return int(fields[11]) + int(fields[12])


@dataclass
class Result:
    endpoint: Endpoint
    persona: str | None
    path: str
    wrk: dict[str, Any]
    workers_cpu: float
    backends_cpu: float
    spy_cpu: float
    load1: float
    profile: Profile
    spy_note: str


def spy_command(pid: int, rate: int, out: Path, seconds: int, *, subprocesses: bool) -> list[str]:
    command = [PY_SPY, "record", "--pid", str(pid), "--rate", str(rate), "--format", "raw"]
    command += ["--output", str(out), "--duration", str(seconds)]  # a bound, if never stopped
    return command + (["--subprocesses"] if subprocesses else [])


def record(
    server: Server,
    load: Load,
    opts: argparse.Namespace,
    raw_path: Path,
    spy_log: Path,
    kwargs: dict[str, Any],
) -> tuple[dict[str, Any], float, str, str]:
    """wrk for the duration while py-spy samples the workers; py-spy is stopped (SIGINT: it
    writes what it has) as soon as wrk ends. Returns wrk's figures, py-spy's CPU seconds, its
    raw stacks and its last word on its sampling."""
    assert server.proc is not None
    if not opts.rate:
        return wrk(server.base, load, **kwargs), 0.0, "", ""
    if not opts.subprocesses:
        # One py-spy per worker: a worker recycled meanwhile (max_requests) is lost.
        targets = [(pid, raw_path.with_suffix(f".{pid}.txt")) for pid in children(server.proc.pid)]
    else:
        targets = [(server.proc.pid, raw_path)]
    spies = []
    with spy_log.open("a") as out:
        for pid, path in targets:
            command = spy_command(
                pid, opts.rate, path, load.duration + 60, subprocesses=opts.subprocesses
            )
            command += ["--nonblocking"] if opts.nonblocking else []
            command += [] if opts.with_waits else ["--gil"]
            out.write(f"\n$ {' '.join(command)}\n")
            out.flush()
            spy = subprocess.Popen(  # noqa: S603 - our own command line
                command, stdout=out, stderr=subprocess.STDOUT
            )
            spies.append(spy)
    try:
        time.sleep(1.0)  # attaching to the master and finding its workers
        for spy in spies:
            if spy.poll() is not None:
                raise RuntimeError(f"py-spy exited ({spy.returncode}); see {spy_log}")
        data = wrk(server.base, load, **kwargs)
        spy_cpu = sum(cpu_ticks(spy.pid) for spy in spies) / TICK
        for spy in spies:
            spy.send_signal(signal.SIGINT)
        for spy in spies:
            spy.wait(timeout=60)
    finally:
        for spy in spies:
            if spy.poll() is None:
                spy.kill()
                spy.wait()
    raw = "".join(path.read_text() for _, path in targets if path.exists())
    if not opts.subprocesses:
        raw_path.write_text(raw)
    words = spy_log.read_text().splitlines()
    notes = [x.removeprefix("py-spy> ").strip() for x in words[-8 * len(spies) :]]
    notes = [x for x in notes if "behind in sampling" in x][-1:]
    if not opts.subprocesses:
        gone = [pid for pid, _ in targets if not Path(f"/proc/{pid}").exists()]
        if gone:
            notes.append(f"worker(s) {gone} recycled meanwhile, their successors not sampled")
    return data, spy_cpu, raw, "; ".join(notes)


def profile_endpoints(
    opts: argparse.Namespace, endpoints: list[Endpoint], run_dir: Path
) -> tuple[list[Result], dict[str, Any]]:
    secret = secrets.token_urlsafe(48)
    env = django_env(opts.pg, opts.db, secret, opts.redis_url)
    bench_env = {**env, "DJANGO_SETTINGS_MODULE": "bench.baseline.settings"}
    step_log = run_dir / "steps.log"
    # DEBUG is off: the web app's pages need the static files' manifest, as in bench/run.py.
    run_step([PY, "manage.py", "collectstatic", "--noinput", "-v", "0"], env, step_log)
    ctx_path = run_dir / "ctx.json"
    log(f"preparing the personas in {opts.db}")
    run_step([PY, "-m", "bench.prepare", "context", "--out", str(ctx_path)], bench_env, step_log)
    ctx = json.loads(ctx_path.read_text())
    load = Load(opts.connections, opts.threads, opts.duration, opts.warmup)
    app = Server("app", "practiceops.wsgi", env, run_dir / "app.log")
    results = []
    with serving(app):
        assert app.proc is not None
        sampler = SplitSampler(app.proc.pid, opts.db)
        for endpoint in endpoints:
            persona = None if endpoint.name in PERSONA_FREE else opts.persona
            p = ctx["personas"][persona or "admin"]
            path = fill(endpoint.path, ctx)
            kwargs: dict[str, Any] = {
                "path": path,
                "method": endpoint.method,
                "token": p["token"] if endpoint.auth and not endpoint.session else None,
                "cookie": f"sessionid={p['session']}" if endpoint.session else None,
                "body": endpoint.body,
            }
            pool = p["pool"] if endpoint.pool else []
            if pool:
                run_step(
                    [PY, "-m", "bench.prepare", "reset-pool", "--ctx", str(ctx_path)],
                    bench_env,
                    step_log,
                )
            if load.warmup:
                warm = {**kwargs, "pool": pool[: len(pool) // 2] or None}
                drain(wrk(app.base, load, duration=load.warmup, **warm))
            kwargs["pool"] = pool[len(pool) // 2 :] or None
            slug = re.sub(r"[^A-Za-z0-9]+", "-", endpoint.name).strip("-").lower()
            raw_path = run_dir / f"{slug}.txt"
            load1 = loadavg()[0]
            sampler.reset()
            data, spy_cpu, raw, note = record(
                app, load, opts, raw_path, run_dir / "py-spy.log", kwargs
            )
            workers_cpu, backends_cpu = sampler.split_seconds()
            drain(data)
            if opts.keep_raw:
                opts.keep_raw.mkdir(parents=True, exist_ok=True)
                shutil.copy(raw_path, opts.keep_raw / raw_path.name)
            result = Result(
                endpoint,
                persona,
                path,
                data,
                workers_cpu,
                backends_cpu,
                spy_cpu,
                load1,
                Profile.from_raw(raw),
                note,
            )
            results.append(result)
            log(
                f"{endpoint.name} [{persona or '-'}] {data['rps']:.0f} req/s under py-spy, "
                f"{result.profile.samples:,} samples, errors {data['errors']}"
            )
    return results, ctx


def render(results: list[Result], ctx: dict[str, Any], opts: argparse.Namespace) -> str:
    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    lines = [
        f"# Profiles under load — commit {commit}, {datetime.date.today().isoformat()}",
        "",
        f"`python -m bench.profile_load` (bench/README.md → Profiling under load) on database "
        f"`{opts.db}`, team {ctx['team_name']!r} ({ctx['members']} members). gunicorn as "
        f"deployed (`-c gunicorn.conf.py`, sync workers, DEBUG off), wrk {opts.threads} "
        f"threads × {opts.connections} connections for {opts.duration} s after a "
        f"{opts.warmup} s warm-up. py-spy at {opts.rate} Hz on every worker ("
        + ("one on the master with `--subprocesses`" if opts.subprocesses else "one per worker")
        + ", "
        + ("every busy sample, waits included" if opts.with_waits else "samples holding the GIL")
        + "). py-spy pauses the workers to read their stacks and uses CPU of its own (its "
        "column): the requests per second are not benchmark figures (`bench/run.py`). CPU "
        "ms/req is the workers' and PostgreSQL backends' CPU per request, from /proc.",
        "",
        "| endpoint | as | req/s under py-spy | errors | workers CPU s | PostgreSQL CPU s | "
        "PostgreSQL share | CPU ms/req | py-spy CPU s | load 1 min |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        server = r.workers_cpu + r.backends_cpu
        lines.append(
            f"| `{r.endpoint.name}` | {r.persona or '—'} | {r.wrk['rps']:.0f} | "
            f"{r.wrk['errors']} | {r.workers_cpu:.2f} | {r.backends_cpu:.2f} | "
            f"{share(round(r.backends_cpu * 1000), round(server * 1000))} | "
            f"{server * 1000 / max(1, r.wrk['requests']):.2f} | {r.spy_cpu:.2f} | {r.load1:.2f} |"
        )
    lines.append("")
    for r in results:
        lines += [
            f"## `{r.endpoint.name}` as {r.persona or '—'}",
            "",
            f"`{r.endpoint.method} {r.path}`: {r.wrk['requests']:,} requests, "
            f"{r.wrk['rps']:.0f} req/s, p50 {r.wrk['p50_us'] / 1000:.1f} ms, p99 "
            f"{r.wrk['p99_us'] / 1000:.1f} ms; CPU: workers {r.workers_cpu:.2f} s, "
            f"PostgreSQL backends {r.backends_cpu:.2f} s"
            + (f"; py-spy: {r.spy_note}" if r.spy_note else "")
            + ".",
            "",
            *render_profile(r.profile, opts, r.workers_cpu),
        ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench.profile_load", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument(
        "endpoints",
        nargs="+",
        metavar="ENDPOINT",
        help='as named in bench/endpoints.py, e.g. "GET /me"',
    )
    parser.add_argument(
        "--as", dest="persona", choices=["admin", "section_leader"], default="admin"
    )
    parser.add_argument("--duration", type=int, default=10, help="seconds of load per endpoint")
    parser.add_argument("--warmup", type=int, default=2, help="seconds of warm-up before each")
    parser.add_argument(
        "--rate",
        type=int,
        default=250,
        help="py-spy samples per second per process (0: no py-spy, to see what it costs)",
    )
    parser.add_argument(
        "--subprocesses",
        action="store_true",
        help="one py-spy on the master with --subprocesses instead of one per worker (it falls "
        "behind at 250 Hz on two cores)",
    )
    parser.add_argument(
        "--with-waits",
        action="store_true",
        help="every sample of a thread py-spy finds busy, also those not holding the GIL "
        "(psycopg waiting on PostgreSQL, socket writes): wall time rather than CPU",
    )
    parser.add_argument(
        "--nonblocking", action="store_true", help="py-spy does not pause the workers to sample"
    )
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument(
        "--pg",
        default=os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432"),
        help="PostgreSQL server URL without a database name",
    )
    parser.add_argument(
        "--db",
        default=os.environ.get("BENCH_DB", "po_perf_bench_scale"),
        help="an existing, loaded database (bench.run --keep, or seed_scale)",
    )
    parser.add_argument(
        "--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/12")
    )
    parser.add_argument("--keep-raw", type=Path, help="copy py-spy's raw stacks into this folder")
    parser.add_argument(
        "--out",
        type=Path,
        nargs="?",
        const=ROOT / "bench" / "results",
        help="write the summary into this folder (default bench/results) as well as printing it",
    )
    opts = parser.parse_args()
    by_name = {e.name: e for e in ENDPOINTS}
    unknown = [name for name in opts.endpoints if name not in by_name]
    if unknown:
        sys.exit(f"unknown endpoint(s) {unknown}; known: {', '.join(by_name)}")
    for tool in ("wrk", PY_SPY):
        if not shutil.which(tool):
            sys.exit(f"{tool} is not installed")

    run_dir = Path(tempfile.mkdtemp(prefix="po_profile_load_"))
    log(f"logs and py-spy's raw stacks in {run_dir}")
    results, ctx = profile_endpoints(opts, [by_name[n] for n in opts.endpoints], run_dir)
    report = render(results, ctx, opts)
    print(report)
    if opts.out:
        opts.out.mkdir(parents=True, exist_ok=True)
        commit = re.sub(r"[^A-Za-z0-9-]", "", git("rev-parse", "--short", "HEAD") or "unknown")
        path = opts.out / f"{datetime.date.today().isoformat()}-{commit}-profiles-under-load.md"
        path.write_text(report + "\n")
        log(f"summary written to {path}")


if __name__ == "__main__":
    main()
