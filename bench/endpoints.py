"""What the benchmark measures, and the targets of each (bench/README.md).

Plain data shared by the driver (``bench/run.py``, no Django) and the Django-side steps
(``bench/prepare.py``). Paths are templates filled from the prepared context: ``{team_id}``,
``{cycle_id}``, and ``{id}`` for the transition pool's tickets, taken in turn by the Lua script.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Endpoint:
    name: str
    method: str
    path: str
    body: str | None = None
    auth: bool = True
    # Throughput as a share of B1 measured in the same run (None: no target); the figures of
    # "Performance, round 2" (issue 18).
    target_b1: float | None = None
    # The target holds on the scale data only (the leader views), else on both sizes.
    target_scale_only: bool = False
    max_queries: int | None = None
    # Takes the persona's transition pool (``{id}`` in the path).
    pool: bool = False
    # A page of the web app: signed in with the persona's session cookie, not a bearer token.
    session: bool = False


# B00 is served by its own middleware-less server (bench/baseline/floor_wsgi.py), B0 and B1
# by the baseline server (the project's settings): the floor B00 -> B0 -> B1 -> endpoints.
FLOOR = "B00"
BASELINES = (
    Endpoint(FLOOR, "GET", "/bench/b00", auth=False),
    Endpoint("B0", "GET", "/bench/b0", auth=False),
    Endpoint("B1", "GET", "/bench/b1"),
)

ENDPOINTS = (
    Endpoint("GET /health", "GET", "/health", auth=False),
    Endpoint("GET /me", "GET", "/me", target_b1=0.80),
    Endpoint(
        "GET /cycles/{id}/tickets", "GET", "/cycles/{cycle_id}/tickets?limit=50", target_b1=0.50
    ),
    Endpoint(
        "GET /teams/{id}/tickets?status=OPEN",
        "GET",
        "/teams/{team_id}/tickets?status=OPEN&limit=50",
        target_b1=0.50,
    ),
    Endpoint(
        "GET /cycles/{id}/practice-logs?me=false",
        "GET",
        "/cycles/{cycle_id}/practice-logs?me=false&limit=50",
        target_b1=0.35,
    ),
    Endpoint(
        "GET /teams/{id}/dashboards/member",
        "GET",
        "/teams/{team_id}/dashboards/member",
        target_b1=0.35,
    ),
    Endpoint(
        "GET /teams/{id}/dashboards/leader",
        "GET",
        "/teams/{team_id}/dashboards/leader",
        target_b1=0.20,
        target_scale_only=True,
        max_queries=12,
    ),
    Endpoint(
        "GET /teams/{id}/dashboards/leader/compliance-insights",
        "GET",
        "/teams/{team_id}/dashboards/leader/compliance-insights",
        target_b1=0.35,
        target_scale_only=True,
        max_queries=12,
    ),
    # The web app's pages, reported as ratios of the baselines (spec/web.md → Fast; the round-2
    # targets of the performance issue: 0.30 × B1 for This week and Tickets, 0.15 for the
    # Section overview).
    Endpoint(
        "GET /app/t/{id}/ (This week)", "GET", "/app/t/{team_id}/", session=True, target_b1=0.30
    ),
    Endpoint(
        "GET /app/t/{id}/tickets", "GET", "/app/t/{team_id}/tickets", session=True, target_b1=0.30
    ),
    # Section overview: the leader dashboard and the outcomes in one page (its API twins above).
    Endpoint(
        "GET /app/t/{id}/section", "GET", "/app/t/{team_id}/section", session=True, target_b1=0.15
    ),
    Endpoint(
        "GET /teams/{id}/catch-up",
        "GET",
        "/teams/{team_id}/catch-up",
        target_b1=0.20,
        target_scale_only=True,
        max_queries=12,
    ),
    Endpoint(
        "GET /teams/{id}/dashboards/leader/outcomes",
        "GET",
        "/teams/{team_id}/dashboards/leader/outcomes",
        target_b1=0.20,
        target_scale_only=True,
        max_queries=12,
    ),
    Endpoint(
        "POST /cycles/{id}/practice-logs",
        "POST",
        "/cycles/{cycle_id}/practice-logs",
        body='{"duration_min": 20, "notes": "bench", "rating_1_5": 4}',
        target_b1=0.25,
    ),
    Endpoint(
        "POST /tickets/{id}/transition",
        "POST",
        "/tickets/{id}/transition",
        target_b1=0.25,
        pool=True,
    ),
)

# The personas the endpoints are measured as: a section leader and an admin of the big team.
PERSONAS = ("section_leader", "admin")
# Endpoints measured once, not per persona.
PERSONA_FREE = {"GET /health"}

# Tickets per persona that the transition benchmark moves OPEN <-> IN_PROGRESS.
TRANSITION_POOL = 400
