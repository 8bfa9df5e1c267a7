from conftest import make_persona
from insights.selectors.leader import compliance_summary
from teams.models import Role


def url(team) -> str:
    return f"/teams/{team.id}/dashboards/leader/compliance-insights"


def test_compliance_insights_for_admin_exact(data):
    response = data.admin.client.get(url(data.team))
    assert response.status_code == 200
    assert response.json() == {
        "sections": [
            {
                "section": "Alto",
                "member_count": 2,
                "total_practice_days_7d": 6,
                "avg_practice_days_7d": 3.0,
            },
            {
                "section": "Soprano",
                "member_count": 3,
                "total_practice_days_7d": 8,
                "avg_practice_days_7d": 2.67,
            },
            {
                "section": "Unassigned",
                "member_count": 2,
                "total_practice_days_7d": 1,
                "avg_practice_days_7d": 0.5,
            },
        ],
        "summary": (
            "Alto leads with 3.0 practice days per member over the last 7 days; "
            "Unassigned is lowest with 0.5. Team average: 2.1 days per member."
        ),
        "summary_source": "fallback",
        "window_days": 7,
    }


def test_compliance_insights_for_section_leader_exact(data):
    response = data.sam.client.get(url(data.team))
    assert response.status_code == 200
    assert response.json() == {
        "sections": [
            {
                "section": "Soprano",
                "member_count": 3,
                "total_practice_days_7d": 8,
                "avg_practice_days_7d": 2.67,
            },
        ],
        "summary": "Soprano averages 2.7 practice days per member over the last 7 days. Team average: 2.7 days per member.",
        "summary_source": "fallback",
        "window_days": 7,
    }


def test_compliance_insights_for_leader_with_nobody_in_scope(data):
    floater = make_persona(data.team, role=Role.SECTION_LEADER, section=None)
    response = floater.client.get(url(data.team))
    assert response.status_code == 200
    assert response.json() == {
        "sections": [],
        "summary": "No members to report on over the last 7 days.",
        "summary_source": "fallback",
        "window_days": 7,
    }


def section(name, members, days):
    return {
        "section": name,
        "member_count": members,
        "total_practice_days_7d": days,
        "avg_practice_days_7d": round(days / members, 2),
    }


def test_summary_ties_go_to_the_alphabetically_first_section():
    rows = [
        section("Alto", 2, 4),
        section("Bass", 1, 2),
        section("Soprano", 2, 2),
        section("Tenor", 1, 1),
    ]
    assert compliance_summary(rows) == (
        "Alto leads with 2.0 practice days per member over the last 7 days; "
        "Soprano is lowest with 1.0. Team average: 1.5 days per member."
    )


def test_summary_when_every_section_averages_the_same():
    rows = [section("Alto", 2, 4), section("Bass", 1, 2)]
    assert compliance_summary(rows) == (
        "All 2 sections average 2.0 practice days per member over the last 7 days. "
        "Team average: 2.0 days per member."
    )
