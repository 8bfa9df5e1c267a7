"""The invitation e-mail: multipart (text and HTML), naming the team, with the invite link."""

from __future__ import annotations

from typing import TYPE_CHECKING

import structlog
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string

if TYPE_CHECKING:
    from accounts.models import User
    from teams.models import Invite

logger = structlog.get_logger("practiceops.email")

INVITE_KIND = "invite"


def invite_email_send(*, invite: Invite, raw_token: str, invited_by: User | None) -> None:
    """Send the invitation to ``invite.email`` once the surrounding transaction commits.

    Rendering happens now; sending waits for the commit, so an invite that is rolled back
    never reaches anyone. A failed send is logged, never raised: the invite exists and its
    link is also shown to the ADMIN who created it.
    """
    if not invite.email:
        return
    team = invite.team
    context = {
        "team_name": team.name,
        "inviter_name": invited_by.display_name if invited_by is not None else None,
        "role": invite.get_role_display(),
        "section": invite.section,
        "invite_link": f"{settings.FRONTEND_URL}/invites/{raw_token}",
        # Formatted here: the template "date" filter would convert back to the server timezone.
        "expires_at": invite.expires_at.astimezone(team.tzinfo).strftime("%b %d, %Y %H:%M"),
        "timezone": team.timezone,
    }
    subject = f"You're invited to join {team.name} on PracticeOps"
    text = render_to_string("teams/email/invite.txt", context)
    html = render_to_string("teams/email/invite.html", context)
    to = invite.email
    invite_id, team_id = str(invite.pk), str(team.pk)

    def send() -> None:
        message = EmailMultiAlternatives(
            subject=subject,
            body=text,
            to=[to],
            headers={"X-PracticeOps-Kind": INVITE_KIND},
        )
        message.attach_alternative(html, "text/html")
        try:
            message.send()
        except Exception as exc:  # noqa: BLE001 - any transport failure is logged, not raised
            logger.warning(
                "email_failed",
                kind=INVITE_KIND,
                invite_id=invite_id,
                team_id=team_id,
                error=exc.__class__.__name__,
            )
            return
        logger.info("email_sent", kind=INVITE_KIND, invite_id=invite_id, team_id=team_id)

    transaction.on_commit(send)
