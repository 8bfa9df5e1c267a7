"""The invitation e-mail: multipart (text and HTML), naming the team, with the invite link.

It goes through the notifications outbox like every other e-mail (retries, delivery
history, unsubscribe headers), reached through ``practiceops.core.outbox``: notifications
sits above teams, so teams does not import it; notifications registers its outbox there.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings

from practiceops.core.outbox import email_enqueue

if TYPE_CHECKING:
    from accounts.models import User
    from teams.models import Invite

INVITE_KIND = "invite"


def invite_email_send(*, invite: Invite, raw_token: str, invited_by: User | None) -> None:
    """Queue the invitation to ``invite.email``; it is sent once the transaction commits.

    An invite that is rolled back never reaches anyone. The outbox keeps the link (it holds
    the raw token) only until the e-mail is sent or given up, then removes it.
    """
    if not invite.email:
        return
    team = invite.team
    email_enqueue(
        kind=INVITE_KIND,
        user=None,
        team=team,
        to=invite.email,
        subject=f"You're invited to join {team.name} on PracticeOps",
        template="teams/email/invite",
        context={
            "inviter_name": invited_by.display_name if invited_by is not None else None,
            "role": invite.get_role_display(),
            "section": invite.section,
            "invite_link": f"{settings.FRONTEND_URL}/invites/{raw_token}",
            # Formatted here: the template "date" filter would convert to the server timezone.
            "expires_at": invite.expires_at.astimezone(team.tzinfo).strftime("%b %d, %Y %H:%M"),
            "timezone": team.timezone,
        },
        dedupe_key=f"{INVITE_KIND}:{invite.pk}",
    )
