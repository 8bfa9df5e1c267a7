from conftest import assert_error
from insights.tests.conftest import iso, local


def url(team) -> str:
    return f"/teams/{team.id}/dashboards/leader"


def get(persona, team, **params):
    response = persona.client.get(url(team), params)
    assert response.status_code == 200, response.content
    return response.json()


def practice(persona, section, days, minutes, last):
    return {
        "member_id": persona.id,
        "name": persona.user.display_name,
        "section": section,
        "days_logged_7d": days,
        "minutes_7d": minutes,
        "last_logged_at": last,
    }


def drill(persona, section, open_count, blocked):
    return {
        "member_id": persona.id,
        "name": persona.user.display_name,
        "section": section,
        "open_ticket_count": open_count,
        "blocked_count": blocked,
    }


def visible(ticket):
    return {
        "id": str(ticket.id),
        "title": ticket.title,
        "priority": ticket.priority,
        "status": ticket.status,
        "visibility": ticket.visibility,
        "section": ticket.section,
        "due_at": iso(ticket.due_at) if ticket.due_at else None,
    }


def queued(ticket):
    return {
        "id": str(ticket.id),
        "title": ticket.title,
        "section": ticket.section,
        "song_ref": ticket.song_ref,
        "owner_id": str(ticket.owner_id),
        "resolved_at": iso(ticket.resolved_at),
        "resolved_note": ticket.resolved_note,
    }


CYCLE = None


def cycle_json(data):
    return {"id": str(data.cycle.id), "date": "2026-03-07T00:00:00Z", "label": "Spring Concert"}


def test_leader_dashboard_for_admin_exact(data):
    d, t = data, data.tickets
    body = get(d.admin, d.team)
    assert body == {
        "cycle": cycle_json(d),
        "compliance": {
            "logged_last_7_days_pct": 0.57,
            "practice_days_by_member": [
                practice(d.al, "Alto", 0, 0, None),
                practice(d.alice, "Alto", 6, 120, iso(local(3, 3))),
                practice(d.sam, "Soprano", 1, 45, iso(local(3, 1, 15))),
                practice(d.sid, "Soprano", 0, 0, None),
                practice(d.sue, "Soprano", 7, 225, iso(local(3, 4, 9, 30))),
                practice(d.admin, None, 0, 0, iso(local(2, 22, 10))),
                practice(d.nora, None, 1, 25, iso(local(3, 4, 1))),
            ],
            "total_practice_minutes_7d": 415,
        },
        "risk_summary": {
            "blocking_due_count": 2,
            "blocked_count": 1,
            "resolved_not_verified_count": 2,
            "by_section": [
                {"section": "Alto", "blocking_due": 1, "blocked": 0, "resolved_not_verified": 1},
                {"section": "Soprano", "blocking_due": 0, "blocked": 1, "resolved_not_verified": 0},
            ],
            "by_song": [
                {
                    "song_ref": "Ave Maria",
                    "blocking_due": 1,
                    "blocked": 1,
                    "resolved_not_verified": 0,
                },
                {
                    "song_ref": "Hallelujah",
                    "blocking_due": 1,
                    "blocked": 0,
                    "resolved_not_verified": 2,
                },
            ],
        },
        "private_ticket_aggregates": [
            {
                "section": "Alto",
                "category": "MEMORY",
                "status": "BLOCKED",
                "priority": "LOW",
                "song_ref": None,
                "due_bucket": "overdue",
                "count": 3,
            },
            {
                "section": "Soprano",
                "category": "PITCH",
                "status": "OPEN",
                "priority": "MEDIUM",
                "song_ref": "Ave Maria",
                "due_bucket": "due_this_week",
                "count": 3,
            },
        ],
        "drilldown": {
            "members": [
                drill(d.al, "Alto", 0, 0),
                drill(d.alice, "Alto", 2, 3),
                drill(d.sam, "Soprano", 0, 0),
                drill(d.sid, "Soprano", 3, 0),
                drill(d.sue, "Soprano", 3, 1),
                drill(d.admin, None, 0, 0),
                drill(d.nora, None, 0, 0),
            ],
            "tickets_visible": [visible(x) for x in (t.t5, t.t3, t.t1, t.t6, t.t2, t.t7, t.t4)],
        },
        "verification_queue": [queued(t.t4), queued(t.t3), queued(t.p10)],
    }


def test_leader_dashboard_for_soprano_leader_exact(data):
    d, t = data, data.tickets
    body = get(d.sam, d.team)
    assert body == {
        "cycle": cycle_json(d),
        "compliance": {
            "logged_last_7_days_pct": 0.67,
            "practice_days_by_member": [
                practice(d.sam, "Soprano", 1, 45, iso(local(3, 1, 15))),
                practice(d.sid, "Soprano", 0, 0, None),
                practice(d.sue, "Soprano", 7, 225, iso(local(3, 4, 9, 30))),
            ],
            "total_practice_minutes_7d": 270,
        },
        "risk_summary": {
            "blocking_due_count": 1,
            "blocked_count": 1,
            "resolved_not_verified_count": 1,
            "by_section": [
                {"section": "Soprano", "blocking_due": 0, "blocked": 1, "resolved_not_verified": 0},
            ],
            "by_song": [
                {
                    "song_ref": "Ave Maria",
                    "blocking_due": 1,
                    "blocked": 1,
                    "resolved_not_verified": 0,
                },
                {
                    "song_ref": "Hallelujah",
                    "blocking_due": 0,
                    "blocked": 0,
                    "resolved_not_verified": 1,
                },
            ],
        },
        "private_ticket_aggregates": [
            {
                "section": "Soprano",
                "category": "PITCH",
                "status": "OPEN",
                "priority": "MEDIUM",
                "song_ref": "Ave Maria",
                "due_bucket": "due_this_week",
                "count": 3,
            },
        ],
        "drilldown": {
            "members": [
                drill(d.sam, "Soprano", 0, 0),
                drill(d.sid, "Soprano", 3, 0),
                drill(d.sue, "Soprano", 3, 1),
            ],
            "tickets_visible": [visible(x) for x in (t.t1, t.t6, t.t2, t.t7, t.t4)],
        },
        "verification_queue": [queued(t.t4)],
    }


def test_leader_dashboard_for_alto_leader(data):
    d, t = data, data.tickets
    body = get(d.al, d.team)
    assert [m["name"] for m in body["compliance"]["practice_days_by_member"]] == [
        "Al Alto-Leader",
        "Alice Alto",
    ]
    assert body["compliance"]["logged_last_7_days_pct"] == 0.5
    assert body["compliance"]["total_practice_minutes_7d"] == 120
    assert body["risk_summary"] == {
        "blocking_due_count": 2,
        "blocked_count": 0,
        "resolved_not_verified_count": 2,
        "by_section": [
            {"section": "Alto", "blocking_due": 1, "blocked": 0, "resolved_not_verified": 1}
        ],
        "by_song": [
            {"song_ref": "Ave Maria", "blocking_due": 1, "blocked": 0, "resolved_not_verified": 0},
            {"song_ref": "Hallelujah", "blocking_due": 1, "blocked": 0, "resolved_not_verified": 2},
        ],
    }
    assert body["private_ticket_aggregates"] == [
        {
            "section": "Alto",
            "category": "MEMORY",
            "status": "BLOCKED",
            "priority": "LOW",
            "song_ref": None,
            "due_bucket": "overdue",
            "count": 3,
        }
    ]
    assert body["drilldown"]["members"] == [drill(d.al, "Alto", 0, 0), drill(d.alice, "Alto", 2, 3)]
    assert body["drilldown"]["tickets_visible"] == [
        visible(x) for x in (t.t5, t.t3, t.t1, t.t7, t.t4)
    ]
    # An Alto leader may verify TEAM tickets and their section's SECTION and PRIVATE ones.
    assert body["verification_queue"] == [queued(t.t4), queued(t.t3), queued(t.p10)]


def test_leader_dashboard_section_leader_without_section_sees_no_members(data):
    from conftest import make_persona
    from teams.models import Role

    floater = make_persona(
        data.team, role=Role.SECTION_LEADER, section=None, display_name="Fay Floater"
    )
    body = get(floater, data.team)
    assert body["compliance"] == {
        "logged_last_7_days_pct": 0.0,
        "practice_days_by_member": [],
        "total_practice_minutes_7d": 0,
    }
    assert body["private_ticket_aggregates"] == []
    assert body["risk_summary"]["by_section"] == []
    assert body["drilldown"]["members"] == []
    t = data.tickets
    assert body["drilldown"]["tickets_visible"] == [visible(x) for x in (t.t1, t.t7, t.t4)]
    assert body["verification_queue"] == [queued(t.t4)]


def test_leader_dashboard_with_cycle_id(data):
    body = get(data.admin, data.team, cycle_id=str(data.next_cycle.id))
    assert body["cycle"] == {
        "id": str(data.next_cycle.id),
        "date": "2026-03-14T00:00:00Z",
        "label": "Spring Encore",
    }
    # Counts are team-wide, whatever cycle is shown.
    assert body["risk_summary"]["blocking_due_count"] == 2


def test_leader_dashboard_cycle_id_errors(data):
    assert_error(
        data.admin.client.get(url(data.team), {"cycle_id": "123"}),
        422,
        "VALIDATION_ERROR",
        "Must be a valid UUID",
        field="cycle_id",
    )
    assert_error(
        data.admin.client.get(url(data.team), {"cycle_id": str(data.other_cycle.id)}),
        404,
        "NOT_FOUND",
        "Cycle not found",
        field=None,
    )


def test_private_group_splits_on_local_due_day(data):
    """A fourth Soprano ticket due Monday (next week) forms its own hidden group of 1, and the
    Sunday 23:00 ticket stays in this week's group: buckets follow the team's calendar."""
    from insights.tests.factories import TicketFactory

    t = data.tickets
    TicketFactory(
        team=data.team,
        title="Private soprano 5",
        owner=data.sid.user,
        visibility="PRIVATE",
        section="Soprano",
        category="PITCH",
        priority="MEDIUM",
        song_ref="Ave Maria",
        due_at=t.p4.due_at,
    )
    body = get(data.sam, data.team)
    assert [(g["due_bucket"], g["count"]) for g in body["private_ticket_aggregates"]] == [
        ("due_this_week", 3)
    ]
    TicketFactory(
        team=data.team,
        title="Private soprano 6",
        owner=data.sid.user,
        visibility="PRIVATE",
        section="Soprano",
        category="PITCH",
        priority="MEDIUM",
        song_ref="Ave Maria",
        due_at=local(3, 12),
    )
    body = get(data.sam, data.team)
    assert [(g["due_bucket"], g["count"]) for g in body["private_ticket_aggregates"]] == [
        ("due_this_week", 3),
        ("future", 3),
    ]
