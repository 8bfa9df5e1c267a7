"""Schema fuzzing: schemathesis drives every operation of /openapi.json on a live server.

Each operation gets generated requests that follow the schema (positive), that break it
(negative), and that follow it with the path ids of real rows of the caller's own team and of
another team, so that the handlers behind the 404s are reached too. Every response is checked
for: no 5xx, a status code the schema documents, the documented content type, and a body that
matches the documented schema (the error envelope included). The run is derandomized, so a
failure reproduces on the next run.
"""

from __future__ import annotations

import os
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from practiceops.testing import live_server
from tests.reliability.world import (
    PASSWORD,
    broker_url_for_tests,
    build_team,
    refresh_token,
    tokens,
)

pytestmark = pytest.mark.django_db(transaction=True)

# Examples per operation and persona, split between the three generators below.
EXAMPLES_PER_OPERATION = 21
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
# Reads first and deletions last, so that a fuzzed DELETE does not take away the rows the
# other operations are meant to reach.
METHOD_ORDER = {"GET": 0, "POST": 1, "PUT": 2, "PATCH": 3, "DELETE": 4}


def _real_path_parameters(own, other) -> dict[str, list[str]]:
    """Values for each path parameter name: rows of the caller's team and of another team."""
    values: dict[str, list[str]] = {}

    def add(name: str, *keys: str) -> None:
        values.setdefault(name, [])
        for world in (own, other):
            values[name] += [world.ids[key] for key in keys]

    add("team_id", "team_id")
    add("cycle_id", "cycle_id")
    add("assignment_id", "assignment_id")
    add("log_id", "practice_log_id")
    add("ticket_id", "ticket_id", "resolved_ticket_id", "private_ticket_id", "claimable_ticket_id")
    add("user_id", "user_id", "leader_user_id", "admin_user_id")
    add("run_id", "run_id")
    values["token"] = [own.invite_token, own.ids["invite_id"], other.invite_token]
    values["signed_token"] = [own.unsubscribe_token, other.unsubscribe_token]
    values["name"] = ["no_log_reminder", "weekly_leader_digest", "nope"]
    return values


def _known_good(own, persona: str) -> dict[str, list[dict]]:
    """Inputs that need a secret the fuzzer cannot guess, so that these handlers succeed too."""
    user = getattr(own, persona)
    return {
        "POST /auth/login": [{"body": {"email": user.email, "password": PASSWORD}}],
        "POST /auth/refresh": [{"body": {"refresh_token": refresh_token(user)}}],
        "POST /auth/logout": [{"body": {"refresh_token": refresh_token(user)}}],
        "GET /unsubscribe/{signed_token}": [
            {"path_parameters": {"signed_token": own.unsubscribe_token}}
        ],
        "POST /unsubscribe/{signed_token}": [
            {"path_parameters": {"signed_token": own.unsubscribe_token}}
        ],
        # Bodies naming a member: the fuzzer's random ids are never members.
        "POST /tickets/{ticket_id}/assign": [
            {
                "path_parameters": {"ticket_id": own.ids["ticket_id"]},
                "body": {"owner_id": own.ids["leader_user_id"]},
            }
        ],
        "GET /teams/{team_id}/calendar.ics": [
            {
                "path_parameters": {"team_id": own.ids["team_id"]},
                "query": {"token": own.calendar_token},
            }
        ],
    }


def _strategies(operation, real: dict[str, list[str]], known: dict[str, list[dict]]):
    """(label, strategy, examples) for one operation."""
    names = [p.name for p in operation.path_parameters]
    plan = [
        ("positive", operation.as_strategy(generation_mode=GenerationMode.POSITIVE)),
        ("negative", operation.as_strategy(generation_mode=GenerationMode.NEGATIVE)),
    ]
    if names and all(name in real for name in names):
        choices = st.fixed_dictionaries({name: st.sampled_from(real[name]) for name in names})
        plan.append(
            (
                "real ids",
                choices.flatmap(
                    lambda ids: operation.as_strategy(
                        generation_mode=GenerationMode.POSITIVE, path_parameters=ids
                    )
                ),
            )
        )
    share = EXAMPLES_PER_OPERATION // len(plan)
    runs = [(label, strategy, share) for label, strategy in plan]
    for fixed in known.get(f"{operation.method.upper()} {operation.path}", []):
        strategy = operation.as_strategy(generation_mode=GenerationMode.POSITIVE, **fixed)
        runs.append(("known good", strategy, 1))
    return runs


def _given(strategy, examples: int, body):
    @settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        # A failure is reported as found: shrinking it could take minutes.
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
        report_multiple_bugs=False,
    )
    @given(case=strategy)
    def run(case) -> None:
        body(case)

    return run


@dataclass
class FuzzReport:
    operations: int = 0
    statuses: Counter = field(default_factory=Counter)
    per_operation: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    failures: list[str] = field(default_factory=list)

    @property
    def requests(self) -> int:
        return sum(self.statuses.values())


def _fuzz(base: str, token: str, real: dict, known: dict) -> FuzzReport:
    schema = schemathesis.openapi.from_url(f"{base}/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    operations.sort(key=lambda op: (METHOD_ORDER.get(op.method.upper(), 9), op.path))
    session = requests.Session()
    report = FuzzReport(operations=len(operations))

    def send(label: str, case) -> None:
        response = case.call(
            base_url=base,
            session=session,
            headers={"Authorization": f"Bearer {token}"},
            timeout=10,
        )
        report.statuses[response.status_code] += 1
        report.per_operation[label][response.status_code] += 1
        try:
            case.validate_response(response, checks=CHECKS)
        except (Exception, BaseExceptionGroup) as exc:  # schemathesis raises a group
            raise AssertionError(
                f"{label}: {exc}\n{case.as_curl_command()}\n"
                f"-> {response.status_code} {response.text[:300]}"
            ) from None

    for operation in operations:
        label = f"{operation.method.upper()} {operation.path}"
        for kind, strategy, examples in _strategies(operation, real, known):
            try:
                _given(strategy, examples, lambda case, label=label: send(label, case))()
            except Unsatisfiable:
                # Nothing in this operation can be made invalid (no parameters, no body).
                continue
            except Exception as exc:  # noqa: BLE001 - record every operation's failure, go on
                report.failures.append(f"[{kind}] " + _describe(exc)[:3000])
    return report


def _describe(exc: BaseException) -> str:
    # A failure that did not reproduce on replay (the first request changed the data) is
    # still a failure: report the original.
    inner = getattr(exc, "exceptions", None)
    if inner:
        return "\n".join(_describe(e) for e in inner)
    return str(exc)


@pytest.mark.parametrize("persona", ["admin", "member"])
def test_schema_fuzzing_finds_nothing(require_postgres, persona, tmp_path):
    own = build_team("Harmonia", staff_admin=True, live=True)
    other = build_team("Other Team", live=True)
    token = tokens(own)[persona]
    # Manual job runs the fuzzer starts go to the tests' broker, emptied afterwards.
    redis_url = os.environ.get("REDIS_URL")
    broker = broker_url_for_tests(redis_url) if redis_url else None
    started = time.monotonic()
    try:
        with live_server(
            AUTH_RATE_LIMIT="100000/m", CELERY_BROKER_URL=broker, log_path=tmp_path / "server.log"
        ) as base:
            report = _fuzz(
                base, token, _real_path_parameters(own, other), _known_good(own, persona)
            )
    finally:
        if broker:
            import redis

            redis.Redis.from_url(broker).flushdb()
    elapsed = time.monotonic() - started
    print(
        f"\nfuzz[{persona}]: {report.operations} operations, {report.requests} requests "
        f"in {elapsed:.0f} s; statuses {dict(sorted(report.statuses.items()))}"
    )
    for label, counts in report.per_operation.items():
        print(f"  {label}: {dict(sorted(counts.items()))}")
    assert report.operations >= 50
    assert report.failures == [], "\n\n".join(report.failures)
    assert not any(status >= 500 for status in report.statuses)
    # Every operation was reached with the caller's real rows, not only turned away at the
    # door with a 404 or 422: at least one answer per operation was a success or a refusal
    # that needed the row (403/409).
    reached = {
        label
        for label, counts in report.per_operation.items()
        if any(status < 300 or status in (403, 409) for status in counts)
    }
    # A successful password change would end the session the fuzzer runs on.
    assert set(report.per_operation) - reached == {"POST /auth/password"}
