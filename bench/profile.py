"""Profile one endpoint in-process: where a request's time goes, without the HTTP layer.

    DATABASE_URL=postgres://…/po_perf_bench_scale .venv/bin/python -m bench.profile \\
        /teams/{team_id}/dashboards/leader --as admin -n 100

Acts in the team with the most members (seed_scale's big team) as its ADMIN or its Soprano
SECTION_LEADER, like the benchmark. Prints the SQL queries of one request with PostgreSQL's
own execution time for each (``EXPLAIN ANALYZE``), the mean wall time per request, and a
pyinstrument profile of ``-n`` requests (``pip install pyinstrument``; requirements-dev).
Run it against a database kept by ``python -m bench.run --keep`` or loaded with
``manage.py seed_scale``.
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.baseline.settings")
# As deployed (DEBUG off, so no query log); throwaway keys, as the benchmark's servers get.
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("DJANGO_SECRET_KEY", secrets.token_urlsafe(48))
os.environ.setdefault("JWT_SECRET_KEY", secrets.token_urlsafe(48))
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from accounts.services import token_pair_for_user  # noqa: E402
from bench.prepare import focus_team, team_personas  # noqa: E402
from teams.selectors import cycle_active_for_team  # noqa: E402

_EXECUTION = re.compile(r"Execution Time: ([0-9.]+) ms")


def _explain_ms(sql: str) -> float:
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN ANALYZE {sql}")
        plan = "\n".join(row[0] for row in cursor.fetchall())
    found = _EXECUTION.search(plan)
    return float(found.group(1)) if found else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("path", help="a path template: {team_id} and {cycle_id} are filled in")
    parser.add_argument("--as", dest="persona", choices=["admin", "section_leader"])
    parser.add_argument("-n", type=int, default=100, help="requests to time and profile")
    args = parser.parse_args()

    team = focus_team()
    membership = team_personas(team)[args.persona or "admin"]
    cycle = cycle_active_for_team(team)
    path = args.path.format(team_id=team.pk, cycle_id=cycle.pk if cycle else "")
    token = token_pair_for_user(membership.user)["access_token"]
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_X_FORWARDED_PROTO="https")

    first = client.get(path)
    print(f"{path} as {args.persona or 'admin'}: {first.status_code}, {len(first.content)} bytes")
    with CaptureQueriesContext(connection) as captured:
        client.get(path)
    if connection.vendor == "postgresql":
        total = 0.0
        for query in captured.captured_queries:
            ms = _explain_ms(query["sql"]) if query["sql"].startswith("SELECT") else float("nan")
            total += 0 if ms != ms else ms  # NaN for statements not explained
            print(f"  {ms:7.3f} ms  {query['sql'][:110]}")
        print(f"{len(captured.captured_queries)} queries, {total:.2f} ms of PostgreSQL execution")

    started = time.perf_counter()
    for _ in range(args.n):
        client.get(path)
    print(f"{(time.perf_counter() - started) * 1000 / args.n:.2f} ms per request (wall)")

    from pyinstrument import Profiler

    profiler = Profiler(interval=0.0005)
    profiler.start()
    for _ in range(args.n):
        client.get(path)
    profiler.stop()
    print(profiler.output_text(unicode=False, color=False))


if __name__ == "__main__":
    main()
