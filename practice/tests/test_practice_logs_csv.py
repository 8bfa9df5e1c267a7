from __future__ import annotations

import csv
import datetime
import io
import uuid

import pytest
from django.http import StreamingHttpResponse

from conftest import assert_error, make_persona
from practice.api.csv_export import HEADER
from practice.models import PracticeLog
from practice.tests.factories import PracticeLogFactory
from teams.models import Role
from teams.tests.factories import CycleFactory

pytestmark = pytest.mark.django_db

UTC = datetime.UTC


def csv_url(team) -> str:
    return f"/teams/{team.id}/practice-logs.csv"


def read_csv(response) -> list[list[str]]:
    assert response.status_code == 200, getattr(response, "content", b"")[:300]
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = b"".join(response.streaming_content).decode("utf-8")
    return list(csv.reader(io.StringIO(text, newline="")))


@pytest.fixture
def berlin_team(team):
    team.timezone = "Europe/Berlin"
    team.save()
    return team


def test_export_rows_with_offsets_quoting_and_cycle(admin, soprano_member, berlin_team):
    cycle = CycleFactory(team=berlin_team, date=datetime.date(2026, 3, 2), name="Spring rehearsal")
    winter = PracticeLogFactory(
        user=soprano_member.user,
        cycle=cycle,
        occurred_at=datetime.datetime(2026, 1, 15, 18, 0, tzinfo=UTC),
        duration_minutes=45,
        rating_1_5=4,
        blocked_flag=True,
        notes='a,"b"\nc',
    )
    PracticeLog.objects.filter(pk=winter.pk).update(
        created_at=datetime.datetime(2026, 1, 15, 18, 5, tzinfo=UTC)
    )
    summer = PracticeLogFactory(
        user=soprano_member.user,
        cycle=None,
        team=berlin_team,
        occurred_at=datetime.datetime(2026, 7, 1, 22, 30, tzinfo=UTC),
        duration_minutes=600,
    )
    PracticeLog.objects.filter(pk=summer.pk).update(
        created_at=datetime.datetime(2026, 7, 1, 22, 31, tzinfo=UTC)
    )

    response = admin.client.get(csv_url(berlin_team))
    assert response["Content-Disposition"].startswith('attachment; filename="practice-logs-')
    assert response["Cache-Control"] == "no-store"
    rows = read_csv(response)
    assert rows[0] == list(HEADER)
    assert len(rows) == 3
    email = soprano_member.user.email
    assert rows[1] == [
        "Sue Soprano",
        email,
        "Soprano",
        "2026-07-02T00:30:00+02:00",
        "2026-07-02T00:31:00+02:00",
        "600",
        "",
        "false",
        "",
        "",
        "",
    ]
    assert rows[2] == [
        "Sue Soprano",
        email,
        "Soprano",
        "2026-01-15T19:00:00+01:00",
        "2026-01-15T19:05:00+01:00",
        "45",
        "4",
        "true",
        'a,"b"\nc',
        "Spring rehearsal",
        "2026-03-02",
    ]


def test_formula_like_text_is_neutralised(admin, soprano_member, cycle):
    PracticeLogFactory(user=soprano_member.user, cycle=cycle, notes='=HYPERLINK("http://x")')
    rows = read_csv(admin.client.get(csv_url(cycle.team)))
    assert rows[1][8] == '\'=HYPERLINK("http://x")'


@pytest.fixture
def section_logs(cycle, admin, soprano_leader, soprano_member, alto_member):
    for persona in (admin, soprano_leader, soprano_member, alto_member):
        PracticeLogFactory(user=persona.user, cycle=cycle)


def names(rows) -> set[str]:
    return {row[0] for row in rows[1:]}


@pytest.mark.parametrize(
    ("persona", "params", "expected"),
    [
        ("admin", {}, {"Ada Admin", "Sam Soprano-Leader", "Sue Soprano", "Alice Alto"}),
        ("admin", {"section": "Alto"}, {"Alice Alto"}),
        ("soprano_leader", {}, {"Sam Soprano-Leader", "Sue Soprano"}),
        ("soprano_leader", {"section": "Soprano"}, {"Sam Soprano-Leader", "Sue Soprano"}),
        ("alto_leader", {}, {"Alice Alto"}),
    ],
)
def test_export_role_matrix(request, team, section_logs, persona, params, expected):
    who = request.getfixturevalue(persona)
    assert names(read_csv(who.client.get(csv_url(team), params))) == expected


def test_export_refusals(team, soprano_leader, soprano_member, outsider, anon, admin, section_logs):
    assert_error(
        soprano_member.client.get(csv_url(team)),
        403,
        "FORBIDDEN",
        "Section leader or admin role required",
        field=None,
    )
    assert_error(
        soprano_leader.client.get(csv_url(team), {"section": "Alto"}),
        403,
        "FORBIDDEN",
        "Section leaders can only view their own section",
        field=None,
    )
    assert_error(outsider.client.get(csv_url(team)), 403, "FORBIDDEN", "Not a member of this team")
    assert_error(anon.get(csv_url(team)), 401, "UNAUTHORIZED")
    assert_error(admin.client.get(f"/teams/{uuid.uuid4()}/practice-logs.csv"), 404, "NOT_FOUND")
    assert_error(
        admin.client.get(csv_url(team), {"from": "March"}), 422, "VALIDATION_ERROR", field="from"
    )
    sectionless = make_persona(team, role=Role.SECTION_LEADER, section=None)
    assert_error(sectionless.client.get(csv_url(team)), 403, "FORBIDDEN")


def test_export_ignores_the_accept_header_and_errors_stay_json(
    admin, soprano_member, team, section_logs
):
    rows = read_csv(admin.client.get(csv_url(team), HTTP_ACCEPT="text/csv"))
    assert len(rows) == 5
    response = soprano_member.client.get(csv_url(team), HTTP_ACCEPT="text/csv")
    assert response["Content-Type"] == "application/json"
    assert_error(response, 403, "FORBIDDEN")


def test_export_date_window(admin, team, soprano_member, cycle):
    inside = PracticeLogFactory(
        user=soprano_member.user,
        cycle=cycle,
        occurred_at=datetime.datetime(2026, 2, 10, 12, tzinfo=UTC),
    )
    PracticeLogFactory(
        user=soprano_member.user,
        cycle=cycle,
        occurred_at=datetime.datetime(2026, 2, 11, tzinfo=UTC),
    )
    rows = read_csv(admin.client.get(csv_url(team), {"from": "2026-02-10", "to": "2026-02-10"}))
    assert [row[3] for row in rows[1:]] == [inside.occurred_at.isoformat(timespec="seconds")]


def test_export_of_ten_thousand_logs_streams_in_constant_queries(
    admin, team, cycle, soprano_member, count_queries, django_assert_max_num_queries
):
    def consume():
        return read_csv(admin.client.get(csv_url(team)))

    def add(n: int, first: int = 0) -> None:
        start = datetime.datetime(2026, 1, 1, tzinfo=UTC)
        PracticeLog.objects.bulk_create(
            PracticeLog(
                user=soprano_member.user,
                team=team,
                cycle=cycle,
                duration_minutes=1 + i % 600,
                occurred_at=start + datetime.timedelta(minutes=i),
                notes=f"note {i}, with a comma",
            )
            for i in range(first, first + n)
        )

    add(3)
    small, rows = count_queries(consume)
    assert len(rows) == 1 + 3
    add(10_000 - 3, first=3)
    with django_assert_max_num_queries(small):
        rows = consume()
    assert len(rows) == 1 + 10_000
    assert len({row[3] for row in rows[1:]}) == 10_000
