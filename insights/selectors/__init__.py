"""Read-only aggregations: the member and leader dashboards, compliance insights and the
numbers the weekly digests send."""

from insights.selectors.catch_up import catch_up_get
from insights.selectors.common import dashboard_cycle
from insights.selectors.leader import compliance_insights_get, leader_dashboard_get
from insights.selectors.member import member_dashboard_get
from insights.selectors.outcomes import outcomes_get
from insights.selectors.weekly import (
    leader_digest_numbers,
    member_week_numbers,
)

__all__ = [
    "catch_up_get",
    "compliance_insights_get",
    "dashboard_cycle",
    "leader_dashboard_get",
    "leader_digest_numbers",
    "member_dashboard_get",
    "member_week_numbers",
    "outcomes_get",
]
