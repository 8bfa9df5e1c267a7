"""The benchmark's Django-side steps, run by ``bench/run.py`` in a subprocess per data set.

    python -m bench.prepare context --out ctx.json   # personas, tokens, ids, transition pools
    python -m bench.prepare count --ctx ctx.json --out counts.json   # SQL queries per request
    python -m bench.prepare reset-pool --ctx ctx.json  # transition pool back to OPEN
    python -m bench.prepare hash --out hash.json     # Argon2id cost per hash
    python -m bench.prepare reminder --out reminder.json  # no_log_reminder over the database

``DJANGO_SETTINGS_MODULE`` is ``bench.baseline.settings`` (the project's settings plus the
baseline URLs) and ``DATABASE_URL`` names the benchmark's database.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.baseline.settings")
django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from accounts.hashers import TunedArgon2PasswordHasher  # noqa: E402
from accounts.services import token_pair_for_user  # noqa: E402
from bench.endpoints import BASELINES, ENDPOINTS, PERSONA_FREE, PERSONAS, TRANSITION_POOL  # noqa: E402
from teams.models import Membership, RehearsalCycle, Role, Team  # noqa: E402
from teams.selectors import cycle_active_for_team  # noqa: E402
from tickets import services as ticket_services  # noqa: E402
from tickets.models import Ticket, TicketStatus  # noqa: E402

LOGIN_PASSWORD = "bench-login-password-1"  # noqa: S105 - a throwaway benchmark database


def focus_team() -> Team:
    """The team the benchmark acts in: the largest one (seed_scale's big team, or the demo's)."""
    from django.db.models import Count

    team = Team.objects.annotate(n=Count("memberships")).order_by("-n", "created_at").first()
    if team is None:
        sys.exit("no team in the database: seed it first")
    return team


def team_personas(team: Team) -> dict[str, Membership]:
    members = Membership.objects.filter(team=team).select_related("user", "team")
    admin = members.filter(role=Role.ADMIN).order_by("created_at", "id").first()
    leaders = members.filter(role=Role.SECTION_LEADER, section__isnull=False)
    leader = leaders.filter(section="Soprano").first() or leaders.order_by("section").first()
    if admin is None or leader is None:
        sys.exit("the team needs an ADMIN and a SECTION_LEADER with a section")
    return {"admin": admin, "section_leader": leader}


def _pool(membership: Membership, cycle: RehearsalCycle, size: int, label: str) -> list[str]:
    """OPEN tickets owned and created by the persona: theirs to move OPEN <-> IN_PROGRESS."""
    ids = []
    for n in range(size):
        ticket = ticket_services.ticket_create(
            membership=membership,
            cycle=cycle,
            title=f"Bench {label} {n}",
            category="OTHER",
            priority="LOW",
            visibility="PRIVATE",
        )
        ids.append(str(ticket.pk))
    return ids


def _pool_team(team: Team, personas: dict[str, Membership]) -> dict[str, Membership]:
    """A team of its own for the transition pools, with the personas in it.

    Hundreds of OPEN tickets in the measured team would weigh on its ticket lists and
    dashboards; moving a ticket costs the same in any team (it is looked up by id).
    """
    pool_team = Team.objects.create(name="Bench transition pool", timezone=team.timezone)
    RehearsalCycle.objects.create(
        team=pool_team, name="Bench pool", date=team.today() + datetime.timedelta(days=3)
    )
    return {
        name: Membership.objects.create(team=pool_team, user=m.user, role=m.role, section=m.section)
        for name, m in personas.items()
    }


def context(out: Path) -> None:
    team = focus_team()
    personas = team_personas(team)
    cycle = cycle_active_for_team(team)
    if cycle is None:
        sys.exit("the team has no cycle")
    pool_members = _pool_team(team, personas)
    admin_user = personas["admin"].user
    admin_user.set_password(LOGIN_PASSWORD)
    admin_user.save(update_fields=["password"])
    ctx: dict[str, Any] = {
        "team_id": str(team.pk),
        "team_name": team.name,
        "cycle_id": str(cycle.pk),
        "members": Membership.objects.filter(team=team).count(),
        "login": {"email": admin_user.email, "password": LOGIN_PASSWORD},
        "personas": {},
    }
    for name, membership in personas.items():
        pool_member = pool_members[name]
        pool_cycle = RehearsalCycle.objects.get(team_id=pool_member.team_id)
        ctx["personas"][name] = {
            "email": membership.user.email,
            "user_id": str(membership.user_id),
            "role": membership.role,
            "section": membership.section,
            "token": token_pair_for_user(membership.user)["access_token"],
            "session": _session(membership.user),
            "pool": _pool(pool_member, pool_cycle, TRANSITION_POOL, name),
            # Moved by the query-count pass, never by wrk.
            "count_ticket": _pool(pool_member, pool_cycle, 1, f"{name} count")[0],
        }
    out.write_text(json.dumps(ctx, indent=2))


def _session(user: Any) -> str:
    """A signed-in session (stored in the database the servers share) for the web app's pages."""
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def _fill(path: str, ctx: dict[str, Any], persona: dict[str, Any] | None) -> str:
    path = path.replace("{team_id}", ctx["team_id"]).replace("{cycle_id}", ctx["cycle_id"])
    if persona is not None:
        path = path.replace("{id}", persona["count_ticket"])
    return path


def _count(
    client: Client,
    method: str,
    path: str,
    body: str | None,
    token: str | None,
    session: str | None = None,
) -> dict:
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    if session:
        headers = {"HTTP_COOKIE": f"{settings.SESSION_COOKIE_NAME}={session}"}
    with CaptureQueriesContext(connection) as ctx:
        if method == "POST":
            body = body or '{"to_status": "IN_PROGRESS"}'
            response = client.post(path, body, content_type="application/json", **headers)
        else:
            response = client.get(path, **headers)
    if response.status_code >= 300:
        sys.exit(f"{method} {path}: {response.status_code} {response.content[:300]!r}")
    return {"queries": len(ctx.captured_queries), "bytes": len(response.content)}


def count(ctx_path: Path, out: Path) -> None:
    """SQL queries per request of every measured endpoint, as each persona, on this data."""
    ctx = json.loads(ctx_path.read_text())
    # As behind the deployment's TLS proxy (no HTTPS redirect), like the load generator.
    client = Client(HTTP_X_FORWARDED_PROTO="https")
    any_token = ctx["personas"]["admin"]["token"]
    result: dict[str, Any] = {}
    for endpoint in BASELINES:
        token = any_token if endpoint.auth else None
        result[endpoint.name] = _count(client, endpoint.method, endpoint.path, None, token)
    for endpoint in ENDPOINTS:
        if endpoint.name in PERSONA_FREE:
            # /health checks the database in a thread of its own, on its own connection.
            result[endpoint.name] = _count(client, endpoint.method, endpoint.path, None, None)
            result[endpoint.name]["queries"] = None
            continue
        for name in PERSONAS:
            persona = ctx["personas"][name]
            path = _fill(endpoint.path, ctx, persona)
            body = endpoint.body
            result[f"{endpoint.name}|{name}"] = _count(
                client,
                endpoint.method,
                path,
                body,
                persona["token"],
                persona["session"] if endpoint.session else None,
            )
    out.write_text(json.dumps(result, indent=2))


def reset_pool(ctx_path: Path) -> None:
    """Benchmark fixture reset, not a product path: the pool goes back to OPEN between runs."""
    ctx = json.loads(ctx_path.read_text())
    ids = [i for persona in ctx["personas"].values() for i in persona["pool"]]
    with transaction.atomic():
        Ticket.objects.filter(pk__in=ids).update(status=TicketStatus.OPEN)


def hash_cost(out: Path, rounds: int = 15) -> None:
    hasher = TunedArgon2PasswordHasher()
    encode, verify = [], []
    for n in range(rounds):
        started = time.perf_counter()
        encoded = hasher.encode(LOGIN_PASSWORD, hasher.salt())
        encode.append(time.perf_counter() - started)
        started = time.perf_counter()
        assert hasher.verify(LOGIN_PASSWORD, encoded), n
        verify.append(time.perf_counter() - started)
    params = hasher.params()
    out.write_text(
        json.dumps(
            {
                "algorithm": "argon2id",
                "memory_kib": params.memory_cost,
                "time_cost": params.time_cost,
                "parallelism": params.parallelism,
                "rounds": rounds,
                "encode_ms_median": round(statistics.median(encode) * 1000, 1),
                "encode_ms_min": round(min(encode) * 1000, 1),
                "encode_ms_max": round(max(encode) * 1000, 1),
                "verify_ms_median": round(statistics.median(verify) * 1000, 1),
                "sample": encoded.split("$")[1:4],
            },
            indent=2,
        )
    )


def _status_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    return 0


def reminder(out: Path) -> None:
    """Run no_log_reminder once over every member, as a worker would, and once again.

    The sends are left out (``dispatch_sends`` is the broker's part): the job decides and
    writes the outbox rows; each send batch is a task of its own, measured by
    bench/no_log_reminder.py. Memory is this process's: the job streams nothing into Python.
    """
    import tracemalloc

    import notifications.runner as runner
    from notifications.models import EmailDelivery, JobTrigger

    batches: list[dict[str, Any]] = []
    runner.dispatch_sends = lambda **kwargs: batches.append(kwargs)
    members = Membership.objects.count()
    result: dict[str, Any] = {"members": members, "teams": Team.objects.count(), "runs": []}
    rss_before = _status_kib("VmRSS")
    tracemalloc.start()
    for _ in range(2):  # the second run finds everything already decided
        run = runner.job_run_create(job_name="no_log_reminder", trigger=JobTrigger.MANUAL)
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as ctx:
            run = runner.job_run_execute(run.id)
        result["runs"].append(
            {
                "seconds": round(time.perf_counter() - started, 2),
                "queries": len(ctx.captured_queries),
                "status": run.status,
                "stats": run.stats,
            }
        )
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    result.update(
        {
            "outbox_rows": EmailDelivery.objects.filter(kind="no_log_reminder").count(),
            "python_peak_alloc_mib": round(peak / 1024 / 1024, 2),
            "rss_before_mib": round(rss_before / 1024, 1),
            "rss_after_mib": round(_status_kib("VmRSS") / 1024, 1),
            "rss_peak_mib": round(_status_kib("VmHWM") / 1024, 1),
        }
    )
    out.write_text(json.dumps(result, indent=2, default=str))


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.prepare")
    sub = parser.add_subparsers(dest="step", required=True)
    p = sub.add_parser("context")
    p.add_argument("--out", type=Path, required=True)
    p = sub.add_parser("count")
    p.add_argument("--ctx", type=Path, required=True)
    p.add_argument("--out", type=Path, required=True)
    p = sub.add_parser("reset-pool")
    p.add_argument("--ctx", type=Path, required=True)
    p = sub.add_parser("hash")
    p.add_argument("--out", type=Path, required=True)
    p = sub.add_parser("reminder")
    p.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    if args.step == "context":
        context(args.out)
    elif args.step == "count":
        count(args.ctx, args.out)
    elif args.step == "reset-pool":
        reset_pool(args.ctx)
    elif args.step == "hash":
        hash_cost(args.out)
    elif args.step == "reminder":
        reminder(args.out)


if __name__ == "__main__":
    main()
