"""The navigation of every team page, in one place (spec/web.md → Navigation)."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse

from teams.models import Membership, Team


@dataclass(frozen=True)
class NavItem:
    key: str
    label: str
    url: str


def nav_items(team: Team, membership: Membership) -> list[NavItem]:
    """The links a member sees. Role-gated links (Section overview for leaders, Team settings
    for ADMINs) are decided by ``teams.access.is_leader`` / ``is_admin`` when those pages exist."""
    args = [team.pk]
    return [
        NavItem("week", "This week", reverse("web:week", args=args)),
        NavItem("tickets", "Tickets", reverse("web:tickets", args=args)),
        NavItem("assignments", "Assignments", reverse("web:assignments", args=args)),
        NavItem("practice", "Practice", reverse("web:practice", args=args)),
        NavItem("me", "Me", reverse("web:me")),
    ]
