"""The kinds of e-mail the product sends: template, subject and the preference that governs each."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Kind:
    name: str
    # The preference (besides email_enabled) that must be on; None for email_enabled alone.
    extra_preference: str | None = None
    # False for e-mail that is not about a team the recipient belongs to (invitations).
    member_only: bool = True
    # Context values that are secrets (an invitation's raw token): removed from the outbox
    # row as soon as the row is final, so they live only as long as delivery needs them.
    secret_context_keys: tuple[str, ...] = ()

    @property
    def template(self) -> str:
        return f"notifications/email/{self.name}"

    @property
    def unsubscribe_setting(self) -> str:
        """The preference a one-click unsubscribe from this kind turns off."""
        return self.extra_preference or "email_enabled"


NO_LOG_REMINDER = Kind("no_log_reminder")
BLOCKING_DUE_48H = Kind("blocking_due_48h")
BLOCKED_OVER_48H = Kind("blocked_over_48h")
DEADLINE_REMINDER = Kind("deadline_reminder")
STALE_CLAIM_WARNING = Kind("stale_claim_warning")
STALE_CLAIM_RELEASED = Kind("stale_claim_released")
WEEKLY_LEADER_DIGEST = Kind("weekly_leader_digest", extra_preference="weekly_digest_enabled")
WEEKLY_MEMBER_DIGEST = Kind("weekly_member_digest", extra_preference="weekly_digest_enabled")
INVITE = Kind("invite", member_only=False, secret_context_keys=("invite_link",))

KINDS: dict[str, Kind] = {
    kind.name: kind
    for kind in (
        NO_LOG_REMINDER,
        BLOCKING_DUE_48H,
        BLOCKED_OVER_48H,
        DEADLINE_REMINDER,
        STALE_CLAIM_WARNING,
        STALE_CLAIM_RELEASED,
        WEEKLY_LEADER_DIGEST,
        WEEKLY_MEMBER_DIGEST,
        INVITE,
    )
}


def kind_get(name: str) -> Kind:
    return KINDS.get(name) or Kind(name)
