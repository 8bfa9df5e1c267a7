"""Writes: notification preferences and one-click unsubscribe."""

from __future__ import annotations

from typing import Any

import structlog
from django.db import transaction

from notifications.kinds import kind_get
from notifications.models import PREFERENCE_DEFAULTS, NotificationPreference
from notifications.selectors import PREFERENCE_FIELDS
from teams.models import Team

logger = structlog.get_logger("practiceops.notifications")


@transaction.atomic
def preference_update(*, user: Any, team: Team, changes: dict[str, Any]) -> NotificationPreference:
    """Save the given fields of the member's preferences (the others keep their value).

    ``update_or_create`` locks an existing row; two first saves at once end in one row.
    """
    changes = {key: value for key, value in changes.items() if key in PREFERENCE_FIELDS}
    preference, created = NotificationPreference.objects.update_or_create(
        user=user, team=team, defaults=changes, create_defaults={**PREFERENCE_DEFAULTS, **changes}
    )
    logger.info(
        "notification_preferences_updated",
        user_id=str(user.pk),
        team_id=str(team.pk),
        fields=sorted(changes),
        created=created,
    )
    return preference


@transaction.atomic
def preference_unsubscribe(
    *, user: Any, team: Team, kind: str
) -> tuple[str, NotificationPreference]:
    """Turn off the preference that governs ``kind`` for this team (one-click unsubscribe).

    The digests have their own switch; every other kind is governed by ``email_enabled``.
    Returns the setting turned off and the saved preferences.
    """
    setting = kind_get(kind).unsubscribe_setting
    preference = preference_update(user=user, team=team, changes={setting: False})
    logger.info(
        "email_unsubscribed", user_id=str(user.pk), team_id=str(team.pk), kind=kind, setting=setting
    )
    return setting, preference
