"""Interleaved in-process A/B of two code trees on one database: which is faster, and how noisy.

    git archive <old commit> | tar -x -C /tmp/old      # a plain export, no worktree
    DATABASE_URL=postgres://…/db .venv/bin/python bench/ab.py --a /tmp/old --b . -n 200 -r 8

The database must hold ``seed_scale`` data (any size: the big team is where it acts, as its
ADMIN). Each round starts one child process per tree (A then B, then B then A in the next
round, so drift of a shared machine falls on both alike); a child times ``-n`` requests per
endpoint through Django's test client (no HTTP server, DEBUG off, as ``bench/profile.py``),
endpoints interleaved in one loop, after a warm-up. The report gives per endpoint the median
of the rounds' means for A and B, the ratio B/A, and the spread: the ratio of one tree against
itself between its rounds (min–max of A's round means over their median), which is the noise
any difference has to clear. Not a load test: one process, one request at a time.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import statistics
import subprocess
import sys
import time
from pathlib import Path

ENDPOINTS = {
    "GET /me": ("get", "/me"),
    "GET /cycles/{cycle}/tickets": ("get", "/cycles/{cycle}/tickets"),
    "GET /teams/{team}/tickets": ("get", "/teams/{team}/tickets"),
    "POST /tickets/{id}/transition": ("post", "/tickets/{ticket}/transition"),
    "GET /teams/{team}/dashboards/member": ("get", "/teams/{team}/dashboards/member"),
    "GET /teams/{team}/members": ("get", "/teams/{team}/members"),
}


def child(n: int, warmup: int) -> None:
    sys.path.insert(0, os.getcwd())
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "practiceops.settings.base")
    os.environ.setdefault("DEBUG", "false")
    os.environ.setdefault("DJANGO_SECRET_KEY", secrets.token_urlsafe(48))
    os.environ.setdefault("JWT_SECRET_KEY", secrets.token_urlsafe(48))
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    import django

    django.setup()
    from django.db.models import Count
    from django.test import Client

    from accounts.services import token_pair_for_user
    from teams.models import Membership, Role, Team
    from teams.selectors import cycle_active_for_team
    from tickets import services as ticket_services
    from tickets.models import Ticket, TicketStatus

    team = Team.objects.annotate(n=Count("memberships")).order_by("-n", "created_at").first()
    admin = (
        Membership.objects.filter(team=team, role=Role.ADMIN)
        .select_related("user", "team")
        .order_by("created_at", "id")
        .first()
    )
    cycle = cycle_active_for_team(team)
    # One OPEN ticket of the admin's own, moved OPEN <-> IN_PROGRESS by the transition calls.
    ticket = (
        Ticket.objects.filter(team=team, owner=admin.user, created_by=admin.user, title="AB pool")
        .order_by("created_at")
        .first()
    ) or ticket_services.ticket_create(
        membership=admin,
        cycle=cycle,
        title="AB pool",
        category="OTHER",
        priority="LOW",
        visibility="PRIVATE",
    )
    Ticket.objects.filter(pk=ticket.pk).update(status=TicketStatus.OPEN)
    token = token_pair_for_user(admin.user)["access_token"]
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_X_FORWARDED_PROTO="https")
    state = {"to": "IN_PROGRESS"}

    def call(method: str, template: str) -> int:
        path = template.format(team=team.pk, cycle=cycle.pk, ticket=ticket.pk)
        if method == "post":
            response = client.post(
                path, {"to_status": state["to"]}, content_type="application/json"
            )
            state["to"] = "OPEN" if state["to"] == "IN_PROGRESS" else "IN_PROGRESS"
        else:
            response = client.get(path)
        return response.status_code

    for name, (method, template) in ENDPOINTS.items():
        statuses = {call(method, template) for _ in range(warmup)}
        if statuses != {200}:
            sys.exit(f"{name}: statuses {statuses}")
    totals = dict.fromkeys(ENDPOINTS, 0.0)
    for _ in range(n):
        for name, (method, template) in ENDPOINTS.items():
            started = time.perf_counter()
            call(method, template)
            totals[name] += time.perf_counter() - started
    print(json.dumps({name: total * 1000 / n for name, total in totals.items()}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--a", help="code tree A (the baseline)")
    parser.add_argument("--b", help="code tree B (the change)")
    parser.add_argument("-n", type=int, default=200, help="requests per endpoint per round")
    parser.add_argument("-r", "--rounds", type=int, default=8)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.n, args.warmup)
        return
    if not (args.a and args.b):
        parser.error("--a and --b are required")

    script = str(Path(__file__).resolve())
    trees = {"A": str(Path(args.a).resolve()), "B": str(Path(args.b).resolve())}
    rounds: dict[str, list[dict[str, float]]] = {"A": [], "B": []}
    for number in range(args.rounds):
        for label in ("A", "B") if number % 2 == 0 else ("B", "A"):
            done = subprocess.run(  # noqa: S603 - this interpreter, this script
                [
                    sys.executable,
                    script,
                    "--child",
                    "-n",
                    str(args.n),
                    "--warmup",
                    str(args.warmup),
                ],
                cwd=trees[label],
                capture_output=True,
                text=True,
                check=False,
            )
            if done.returncode:
                sys.exit(f"{label} failed:\n{done.stderr[-3000:]}")
            rounds[label].append(json.loads(done.stdout.strip().splitlines()[-1]))
            print(f"round {number + 1} {label}: done", file=sys.stderr)

    print(f"A = {trees['A']}\nB = {trees['B']}")
    print(
        f"{args.rounds} rounds x {args.n} requests per endpoint, ms per request (median of rounds)"
    )
    print(
        f"{'endpoint':40} {'A':>8} {'B':>8} {'B/A':>6}  {'paired B/A (q1-q3)':>19}"
        "  A spread   B spread"
    )
    for name in ENDPOINTS:
        a = [r[name] for r in rounds["A"]]
        b = [r[name] for r in rounds["B"]]
        ma, mb = statistics.median(a), statistics.median(b)
        # The two trees of one round ran back to back: their ratio cancels most machine drift.
        paired = sorted(rb / ra for ra, rb in zip(a, b, strict=True))
        q1, q2, q3 = statistics.quantiles(paired, n=4) if len(paired) > 1 else paired * 3
        spread_a = f"{min(a) / ma:.2f}-{max(a) / ma:.2f}"
        spread_b = f"{min(b) / mb:.2f}-{max(b) / mb:.2f}"
        print(
            f"{name:40} {ma:8.2f} {mb:8.2f} {mb / ma:6.3f}  {q2:7.3f} ({q1:.3f}-{q3:.3f})"
            f"  {spread_a}  {spread_b}"
        )
    pairs = [
        statistics.median(rb[name] / ra[name] for name in ENDPOINTS)
        for ra, rb in zip(rounds["A"], rounds["B"], strict=True)
    ]
    print("per-round median B/A over the endpoints: " + " ".join(f"{p:.3f}" for p in pairs))


if __name__ == "__main__":
    main()
