import datetime
import uuid

from conftest import assert_error
from insights.tests.conftest import iso, local


def url(team) -> str:
    return f"/teams/{team.id}/dashboards/member"


def get(persona, team, **params):
    response = persona.client.get(url(team), params)
    assert response.status_code == 200, response.content
    return response.json()


def test_member_dashboard_for_sue_exact(data):
    body = get(data.sue, data.team)
    t = data.tickets
    assert body == {
        "cycle": {
            "id": str(data.cycle.id),
            "date": "2026-03-07T00:00:00Z",
            "label": "Spring Concert",
        },
        "countdown_days": 3,
        "assignments": [
            {
                "id": str(data.a_sop.id),
                "title": "Soprano bars 32-40",
                "priority": "BLOCKING",
                "type": "SONG_WORK",
                "scope": "SECTION",
                "section": "Soprano",
                "due_at": "2026-03-07T00:00:00Z",
            },
            {
                "id": str(data.a_team_med.id),
                "title": "Listen to the recording",
                "priority": "MEDIUM",
                "type": "SONG_WORK",
                "scope": "TEAM",
                "section": None,
                "due_at": iso(local(3, 6)),
            },
            {
                "id": str(data.a_team_low.id),
                "title": "Warm-ups",
                "priority": "LOW",
                "type": "SONG_WORK",
                "scope": "TEAM",
                "section": None,
                "due_at": "2026-03-07T00:00:00Z",
            },
        ],
        "tickets_due_soon": [
            {
                "id": str(t.t1.id),
                "title": "Ave Maria entrance",
                "priority": "BLOCKING",
                "status": "OPEN",
                "due_at": "2026-03-06T17:00:00Z",
                "visibility": "TEAM",
            },
            {
                "id": str(t.p1.id),
                "title": "Private soprano 1",
                "priority": "MEDIUM",
                "status": "OPEN",
                "due_at": "2026-03-06T18:00:00Z",
                "visibility": "PRIVATE",
            },
            {
                "id": str(t.p2.id),
                "title": "Private soprano 2",
                "priority": "MEDIUM",
                "status": "OPEN",
                "due_at": "2026-03-09T03:00:00Z",
                "visibility": "PRIVATE",
            },
            {
                "id": str(t.t2.id),
                "title": "Soprano breath marks",
                "priority": "MEDIUM",
                "status": "BLOCKED",
                "due_at": "2026-03-10T16:00:00Z",
                "visibility": "SECTION",
            },
        ],
        "quick_log_defaults": {"duration_min_default": 20},
        "weekly_summary": {
            "practice_days": 7,
            "total_sessions": 8,
            "total_minutes": 225,
            "streak_days": 20,
            "longest_streak_days": 20,
            "weekly_goal_days": 3,
            "weekly_goal_met": True,
        },
        "progress": {"tickets_resolved_this_cycle": 2, "tickets_verified_this_cycle": 1},
    }


def test_member_dashboard_for_alice_streak_broken_by_one_local_day(data):
    body = get(data.alice, data.team)
    assert body["weekly_summary"] == {
        "practice_days": 6,
        "total_sessions": 6,
        "total_minutes": 120,
        "streak_days": 6,
        "longest_streak_days": 10,
        "weekly_goal_days": 3,
        "weekly_goal_met": True,
    }
    assert [a["title"] for a in body["assignments"]] == [
        "Alto harmony",
        "Listen to the recording",
        "Warm-ups",
    ]
    # Overdue and not resolved counts as due soon; RESOLVED and undated tickets do not.
    t = data.tickets
    assert [x["id"] for x in body["tickets_due_soon"]] == [str(t.p7.id), str(t.p8.id), str(t.p9.id)]
    assert body["progress"] == {"tickets_resolved_this_cycle": 2, "tickets_verified_this_cycle": 1}


def test_member_dashboard_for_nora_window_is_local_days(data):
    body = get(data.nora, data.team)
    assert body["weekly_summary"] == {
        "practice_days": 1,
        "total_sessions": 1,
        "total_minutes": 25,
        "streak_days": 1,
        "longest_streak_days": 1,
        "weekly_goal_days": 3,
        "weekly_goal_met": False,
    }
    assert body["tickets_due_soon"] == []


def test_member_dashboard_for_member_without_practice(data):
    body = get(data.sid, data.team)
    assert body["weekly_summary"] == {
        "practice_days": 0,
        "total_sessions": 0,
        "total_minutes": 0,
        "streak_days": 0,
        "longest_streak_days": 0,
        "weekly_goal_days": 3,
        "weekly_goal_met": False,
    }
    assert body["progress"] == {"tickets_resolved_this_cycle": 0, "tickets_verified_this_cycle": 0}


def test_member_dashboard_admin_sees_every_assignment(data):
    body = get(data.admin, data.team)
    assert [a["title"] for a in body["assignments"]] == [
        "Soprano bars 32-40",
        "Alto harmony",
        "Listen to the recording",
        "Warm-ups",
    ]


def test_member_dashboard_for_a_past_cycle(data):
    body = get(data.sue, data.team, cycle_id=str(data.past_cycle.id))
    assert body["cycle"] == {
        "id": str(data.past_cycle.id),
        "date": "2026-02-21T00:00:00Z",
        "label": "Winter Run-through",
    }
    assert body["countdown_days"] == -11
    assert [a["title"] for a in body["assignments"]] == ["Old assignment"]
    assert body["progress"] == {"tickets_resolved_this_cycle": 0, "tickets_verified_this_cycle": 0}
    # Streaks and the week do not depend on the cycle.
    assert body["weekly_summary"]["streak_days"] == 20


def test_member_dashboard_without_any_cycle(frozen, team, soprano_member):
    body = get(soprano_member, team)
    assert body["cycle"] is None
    assert body["countdown_days"] is None
    assert body["assignments"] == []
    assert body["progress"] == {"tickets_resolved_this_cycle": 0, "tickets_verified_this_cycle": 0}


def test_member_dashboard_active_cycle_is_the_latest_past_when_none_is_upcoming(
    frozen, team, soprano_member
):
    from teams.tests.factories import CycleFactory

    today = datetime.date(2026, 3, 4)
    CycleFactory(team=team, date=today - datetime.timedelta(days=20))
    latest = CycleFactory(team=team, date=today - datetime.timedelta(days=2))
    body = get(soprano_member, team)
    assert body["cycle"]["id"] == str(latest.id)
    assert body["countdown_days"] == -2


def test_member_dashboard_cycle_id_errors(data):
    assert_error(
        data.sue.client.get(url(data.team), {"cycle_id": "not-a-uuid"}),
        422,
        "VALIDATION_ERROR",
        "Must be a valid UUID",
        field="cycle_id",
    )
    assert_error(
        data.sue.client.get(url(data.team), {"cycle_id": str(data.other_cycle.id)}),
        404,
        "NOT_FOUND",
        "Cycle not found",
        field=None,
    )
    assert_error(
        data.sue.client.get(url(data.team), {"cycle_id": str(uuid.uuid4())}),
        404,
        "NOT_FOUND",
        "Cycle not found",
        field=None,
    )
