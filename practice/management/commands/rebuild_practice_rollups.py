"""manage.py rebuild_practice_rollups [--team ID]: the practice rollups, from the logs."""

from __future__ import annotations

import uuid
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from practice.rollups import practice_rollups_rebuild
from teams.models import Team


class Command(BaseCommand):
    help = (
        "Recompute the practice rollups (practice per member per team-local day) from the "
        "practice logs, for one team or every team, in one transaction."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--team", type=uuid.UUID, help="the team's id (default: every team)")

    def handle(self, *args: Any, **options: Any) -> None:
        team_id = options["team"]
        if team_id is not None and not Team.objects.filter(pk=team_id).exists():
            raise CommandError(f"No team with id {team_id}")
        rows = practice_rollups_rebuild(team_ids=None if team_id is None else [team_id])
        scope = f"team {team_id}" if team_id else "every team"
        self.stdout.write(f"Rebuilt the practice rollups of {scope}: {rows} member-days.")
