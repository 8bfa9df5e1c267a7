"""The navigation of every team page, in one place (spec/web.md → Navigation)."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse

from teams.access import is_admin, is_leader
from teams.models import Membership, Team


@dataclass(frozen=True)
class NavItem:
    key: str
    label: str
    url: str


def nav_items(team: Team, membership: Membership) -> list[NavItem]:
    """The links a member sees. Role-gated links (Section overview for leaders, Team settings
    for ADMINs) are decided by ``teams.access.is_leader`` / ``is_admin``, the checks that
    refuse those pages."""
    args = [team.pk]
    items = [
        NavItem("week", "This week", reverse("web:week", args=args)),
        NavItem("tickets", "Tickets", reverse("web:tickets", args=args)),
        NavItem("assignments", "Assignments", reverse("web:assignments", args=args)),
        NavItem("practice", "Practice", reverse("web:practice", args=args)),
    ]
    if is_leader(membership):
        items.append(NavItem("section", "Section overview", reverse("web:section", args=args)))
    if is_admin(membership):
        items.append(NavItem("settings", "Team settings", reverse("web:settings", args=args)))
    items.append(NavItem("me", "Me", reverse("web:me")))
    return items
