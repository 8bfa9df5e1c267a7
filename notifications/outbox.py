"""The e-mail outbox: deciding what to send is an INSERT, sending is a separate task per batch.

- ``email_enqueue`` (one e-mail, e.g. an invitation), ``enqueue_rows`` (rows built in Python,
  bulk-inserted) and ``enqueue_select`` (rows selected by the database in one
  ``INSERT … SELECT``) all ignore conflicts on the unique ``dedupe_key``: an e-mail decided
  twice is stored once. Rows a job inserts carry its ``job_run``; its send tasks only claim
  those, so a run sends exactly what it inserted.
- ``send_batch`` claims up to a batch of due rows (SELECT … FOR UPDATE SKIP LOCKED, then a
  conditional UPDATE: two workers never hold the same row), suppresses those whose recipient
  turned e-mail off meanwhile, sends the rest over one SMTP connection and records each
  outcome with a bounded number of queries.
"""

from __future__ import annotations

import datetime
import smtplib
import socket
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import structlog
from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, connections, router, transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.template.loader import render_to_string
from django.utils import timezone

from notifications import links
from notifications.kinds import Kind, kind_get
from notifications.models import (
    PREFERENCE_DEFAULTS,
    EmailDelivery,
    EmailStatus,
    JobRun,
    NotificationPreference,
)
from teams.models import Membership, Team

logger = structlog.get_logger("practiceops.email")

ERROR_MAX_LENGTH = 1000


# --- Enqueueing ---------------------------------------------------------------------------


def email_enqueue(
    *,
    kind: str,
    user: Any | None,
    team: Team | None,
    to: str,
    subject: str,
    template: str | None = None,
    context: dict[str, Any] | None = None,
    dedupe_key: str,
    job_run: JobRun | None = None,
) -> EmailDelivery | None:
    """Store one e-mail unless its ``dedupe_key`` exists; send it once the transaction commits.

    Returns the new row, or None when an e-mail with that key was already decided.
    """
    row = EmailDelivery(
        kind=kind,
        user=user,
        team=team,
        job_run=job_run,
        dedupe_key=dedupe_key,
        to=to,
        subject=subject[:255],
        template=template or kind_get(kind).template,
        context=context or {},
    )
    try:
        with transaction.atomic():
            row.save(force_insert=True)
    except IntegrityError:
        if EmailDelivery.objects.filter(dedupe_key=dedupe_key).exists():
            return None
        raise
    transaction.on_commit(lambda: _dispatch_quietly(row))
    return row


def _dispatch_quietly(row: EmailDelivery) -> None:
    """Queue the send of a committed row; if that fails the row waits for the outbox sweep.

    The write that decided the e-mail (an invitation, say) has succeeded: a broker that is
    down must not turn it into an error for the client.
    """
    try:
        dispatch_sends(delivery_ids=[row.id])
    except Exception as exc:  # noqa: BLE001 - the row is safe in the outbox either way
        logger.warning(
            "email_dispatch_failed",
            delivery_id=str(row.id),
            kind=row.kind,
            error=exc.__class__.__name__,
        )


def enqueue_rows(rows: Iterable[dict[str, Any]], *, job_run: JobRun) -> int:
    """Bulk-insert rows built in Python (one batch), ignoring known dedupe keys.

    Returns how many were actually inserted: those are the ones ``job_run`` will send.
    """
    objs = []
    for data in rows:
        kind = kind_get(data["kind"])
        objs.append(
            EmailDelivery(
                job_run=job_run,
                template=data.get("template") or kind.template,
                **{k: v for k, v in data.items() if k != "template"},
            )
        )
    if not objs:
        return 0
    EmailDelivery.objects.bulk_create(objs, ignore_conflicts=True)
    return EmailDelivery.objects.filter(id__in=[obj.id for obj in objs], job_run=job_run).count()


def enqueue_select(queryset: QuerySet, columns: dict[str, Any]) -> int:
    """``INSERT INTO email_deliveries (columns) SELECT … ON CONFLICT (dedupe_key) DO NOTHING``.

    ``columns`` maps outbox columns to expressions over ``queryset``'s model; the database
    builds every row, so the query count does not depend on how many rows there are.
    Returns the number of rows inserted.
    """
    aliases = {
        f"out_{index}": (column, expr) for index, (column, expr) in enumerate(columns.items())
    }
    selected = queryset.order_by().values(**{alias: expr for alias, (_, expr) in aliases.items()})
    db = router.db_for_write(EmailDelivery)
    compiler = selected.query.get_compiler(using=db)
    select_sql, params = compiler.as_sql()
    connection = connections[db]
    quote = connection.ops.quote_name
    # The SELECT's column order is whatever the compiler chose: read it back from it.
    ordered = [aliases[alias][0] for _, _, alias in compiler.select]
    fields = {f.name: f for f in EmailDelivery._meta.concrete_fields}
    column_sql = ", ".join(
        quote(fields[name].column if name in fields else name) for name in ordered
    )
    table = quote(EmailDelivery._meta.db_table)
    # Identifiers come from model metadata, quoted; every value is a bound parameter. The
    # derived table keeps SQLite's upsert parser unambiguous ("WHERE true" is its advice).
    sql = " ".join(
        [
            f"INSERT INTO {table} ({column_sql})",
            f"SELECT * FROM ({select_sql}) AS selected WHERE 1 = 1",  # noqa: S608
            f"ON CONFLICT ({quote('dedupe_key')}) DO NOTHING",
        ]
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return max(cursor.rowcount, 0)


def dispatch_sends(
    *,
    job_run_id: Any | None = None,
    delivery_ids: Sequence[Any] | None = None,
    count: int | None = None,
) -> int:
    """Queue the send tasks: one per batch of ``count`` rows of a run, or one for ``delivery_ids``."""
    from notifications.tasks import dispatch, email_send_batch_task

    if delivery_ids is not None:
        ids = [str(i) for i in delivery_ids]
        batches = [
            ids[i : i + settings.EMAIL_BATCH_SIZE]
            for i in range(0, len(ids), settings.EMAIL_BATCH_SIZE)
        ]
        for batch in batches:
            dispatch(email_send_batch_task, delivery_ids=batch)
        return len(batches)
    tasks = -(-(count or 0) // settings.EMAIL_BATCH_SIZE)
    for _ in range(tasks):
        dispatch(email_send_batch_task, job_run_id=str(job_run_id) if job_run_id else None)
    return tasks


# --- Sending --------------------------------------------------------------------------------


def due_q(now: Any) -> Q:
    """Pending rows whose time has come and that no live sender holds."""
    return Q(status=EmailStatus.PENDING, next_attempt_at__lte=now) & (
        Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
    )


def claim(
    *,
    token: uuid.UUID,
    now: Any,
    job_run_id: Any | None,
    delivery_ids: Sequence[Any] | None,
    limit: int,
) -> int:
    """Hand up to ``limit`` due rows to this sender: lock them, then a conditional UPDATE.

    The UPDATE re-checks "pending and unclaimed" on each row it writes, so of two senders
    racing for a row exactly one gets it; on PostgreSQL SKIP LOCKED lets the loser take the
    next rows instead of none. The ids are picked by a SELECT of their own: PostgreSQL may
    re-run a LIMIT … FOR UPDATE subquery inside an UPDATE once per row and so hand out far
    more than ``limit`` rows.
    """
    due = EmailDelivery.objects.filter(due_q(now))
    if job_run_id is not None:
        due = due.filter(job_run_id=job_run_id)
    if delivery_ids is not None:
        due = due.filter(id__in=list(delivery_ids))
    lease = now + datetime.timedelta(seconds=settings.EMAIL_CLAIM_SECONDS)
    with transaction.atomic():
        ids = list(
            due.order_by("next_attempt_at", "created_at", "id")
            .select_for_update(skip_locked=True)
            .values_list("pk", flat=True)[:limit]
        )
        if not ids:
            return 0
        return due.filter(pk__in=ids).update(claim_token=token, claimed_until=lease)


def _claimed_rows(token: uuid.UUID) -> list[EmailDelivery]:
    prefs = NotificationPreference.objects.filter(
        user_id=OuterRef("user_id"), team_id=OuterRef("team_id")
    )
    return list(
        EmailDelivery.objects.filter(claim_token=token)
        .select_related("team", "user")
        .annotate(
            pref_email=Subquery(prefs.values("email_enabled")[:1]),
            pref_digest=Subquery(prefs.values("weekly_digest_enabled")[:1]),
            is_member=Exists(
                Membership.objects.filter(user_id=OuterRef("user_id"), team_id=OuterRef("team_id"))
            ),
        )
        .order_by("created_at", "id")
    )


def suppression_reason(row: EmailDelivery, kind: Kind) -> str | None:
    """Why this e-mail must not go out now, or None. Preferences are read at send time."""
    if row.user_id is not None and not row.user.is_active:
        return "Recipient account is inactive"
    if not kind.member_only or row.user_id is None or row.team_id is None:
        if row.user_id is not None and row.team_id is not None and row.pref_email is False:
            return "Recipient turned e-mail off"
        return None
    if not row.is_member:
        return "Recipient is no longer a member of the team"
    email_enabled = (
        PREFERENCE_DEFAULTS["email_enabled"] if row.pref_email is None else row.pref_email
    )
    if not email_enabled:
        return "Recipient turned e-mail off"
    if kind.extra_preference == "weekly_digest_enabled":
        digest = (
            PREFERENCE_DEFAULTS["weekly_digest_enabled"]
            if row.pref_digest is None
            else row.pref_digest
        )
        if not digest:
            return "Recipient turned the weekly digest off"
    return None


def build_message(row: EmailDelivery, connection: Any = None) -> EmailMultiAlternatives:
    """The multipart (text + HTML) message of a row, with the one-click unsubscribe headers."""
    kind = kind_get(row.kind)
    team = row.team
    token = links.unsubscribe_token(
        kind=row.kind, team_id=row.team_id, user_id=row.user_id, email=row.to
    )
    context: dict[str, Any] = {
        **(row.context or {}),
        "kind": row.kind,
        "subject": row.subject,
        "now": timezone.now(),
        "team_name": team.name if team else "",
        "team_id": str(row.team_id) if row.team_id else "",
        "recipient_name": row.user.display_name if row.user_id else "",
        "frontend_url": settings.FRONTEND_URL,
        "unsubscribe_url": links.unsubscribe_page_url(token),
        "preferences_url": links.preferences_url(row.team_id)
        if row.team_id and kind.member_only
        else "",
        "practice_log_url": links.practice_log_url(row.team_id) if row.team_id else "",
        "dashboard_url": links.dashboard_url(row.team_id) if row.team_id else "",
        "leader_dashboard_url": links.leader_dashboard_url(row.team_id) if row.team_id else "",
    }
    if (row.context or {}).get("ticket_id"):
        context["ticket_url"] = links.ticket_url(uuid.UUID(str(row.context["ticket_id"])))
    context.update(_localized_times(row.context or {}, team))
    tz = team.tzinfo if team else timezone.get_default_timezone()
    with timezone.override(tz):
        text = render_to_string(f"{row.template}.txt", context)
        html = render_to_string(f"{row.template}.html", context)
    message = EmailMultiAlternatives(
        subject=row.subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[row.to],
        headers={
            "List-Unsubscribe": f"<{links.unsubscribe_api_url(token)}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "X-PracticeOps-Kind": kind.name,
            "X-PracticeOps-Delivery": str(row.id),
        },
        connection=connection,
    )
    message.attach_alternative(html, "text/html")
    return message


def _localized_times(context: dict[str, Any], team: Team | None) -> dict[str, Any]:
    """``<name>_epoch`` values (seconds, stored by SQL-built rows) as aware datetimes."""
    tz = team.tzinfo if team else timezone.get_default_timezone()
    out = {}
    for key, value in context.items():
        if key.endswith("_epoch") and isinstance(value, int | float):
            out[key[: -len("_epoch")]] = datetime.datetime.fromtimestamp(value, tz=tz)
    return out


def classify(exc: BaseException) -> tuple[bool, str]:
    """(transient, description) for an exception raised while sending one message."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in exc.recipients.values()]
        detail = "; ".join(
            f"{code} {msg.decode(errors='replace') if isinstance(msg, bytes) else msg}"
            for code, msg in exc.recipients.values()
        )
        return all(400 <= code < 500 for code in codes), f"Recipient refused: {detail}"
    if isinstance(exc, smtplib.SMTPResponseException):
        message = (
            exc.smtp_error.decode(errors="replace")
            if isinstance(exc.smtp_error, bytes)
            else str(exc.smtp_error)
        )
        return 400 <= exc.smtp_code < 500, f"SMTP {exc.smtp_code}: {message}"
    if isinstance(exc, smtplib.SMTPServerDisconnected | socket.timeout | OSError):
        return True, f"{exc.__class__.__name__}: {exc}"
    return False, f"{exc.__class__.__name__}: {exc}"


def _connection_broken(exc: BaseException) -> bool:
    # smtplib's exceptions are OSErrors too; only a disconnect or a socket error ends the session.
    return isinstance(exc, smtplib.SMTPServerDisconnected) or (
        isinstance(exc, OSError) and not isinstance(exc, smtplib.SMTPException)
    )


@dataclass
class BatchResult:
    claimed: int = 0
    sent: list[uuid.UUID] = field(default_factory=list)
    suppressed: list[uuid.UUID] = field(default_factory=list)
    failed: list[uuid.UUID] = field(default_factory=list)
    # Rows that stay pending for another attempt, and the delay before it.
    retry: list[uuid.UUID] = field(default_factory=list)
    retry_in: int = 0


def backoff_seconds(attempts: int) -> int:
    """Delay before the next attempt after ``attempts`` failed ones: base × 2^(attempts-1)."""
    return settings.EMAIL_RETRY_BACKOFF_SECONDS * (2 ** max(attempts - 1, 0))


def send_batch(
    *,
    job_run_id: Any | None = None,
    delivery_ids: Sequence[Any] | None = None,
    limit: int | None = None,
) -> BatchResult:
    """Claim, send and record up to one batch of due outbox rows (a bounded number of queries)."""
    now = timezone.now()
    token = uuid.uuid4()
    result = BatchResult()
    result.claimed = claim(
        token=token,
        now=now,
        job_run_id=job_run_id,
        delivery_ids=delivery_ids,
        limit=limit or settings.EMAIL_BATCH_SIZE,
    )
    if not result.claimed:
        return result
    rows = _claimed_rows(token)
    outcomes: dict[uuid.UUID, tuple[str, str | None]] = {}
    to_send: list[tuple[EmailDelivery, EmailMultiAlternatives | None]] = []
    for row in rows:
        reason = suppression_reason(row, kind_get(row.kind))
        if reason:
            outcomes[row.id] = (EmailStatus.SUPPRESSED, reason)
            continue
        try:
            to_send.append((row, build_message(row)))
        except Exception as exc:  # noqa: BLE001 - a row that cannot be rendered fails alone
            logger.exception("email_render_failed", delivery_id=str(row.id), kind=row.kind)
            outcomes[row.id] = (
                EmailStatus.FAILED,
                f"Rendering failed: {exc.__class__.__name__}: {exc}",
            )

    if to_send:
        _send_all(to_send, outcomes)
    _record(rows, outcomes, token, now, result)
    run_ids = {row.job_run_id for row in rows if row.job_run_id}
    if run_ids:
        from notifications.runner import job_run_refresh_stats

        job_run_refresh_stats(run_ids)
    return result


def _send_all(
    to_send: list[tuple[EmailDelivery, EmailMultiAlternatives | None]],
    outcomes: dict[uuid.UUID, tuple[str, str | None]],
) -> None:
    """Send over one connection. A connection-level failure marks the rest of the batch transient."""
    connection = get_connection(fail_silently=False)
    try:
        connection.open()
    except Exception as exc:  # noqa: BLE001 - any failure to connect is retried later
        _, description = classify(exc)
        for row, _ in to_send:
            outcomes[row.id] = ("transient", f"Connection failed: {description}")
        return
    try:
        for index, (row, message) in enumerate(to_send):
            assert message is not None
            message.connection = connection
            try:
                sent = connection.send_messages([message])
            except Exception as exc:  # noqa: BLE001 - classified below
                transient, description = classify(exc)
                outcomes[row.id] = ("transient" if transient else EmailStatus.FAILED, description)
                if _connection_broken(exc):
                    for later, _ in to_send[index + 1 :]:
                        outcomes[later.id] = ("transient", f"Connection lost: {description}")
                    return
                continue
            if sent:
                outcomes[row.id] = (EmailStatus.SENT, None)
            else:
                outcomes[row.id] = ("transient", "The backend accepted nothing")
    finally:
        try:
            connection.close()
        except Exception:  # noqa: BLE001, S110 - closing a dead connection may fail; nothing to do
            pass


def _record(
    rows: list[EmailDelivery],
    outcomes: dict[uuid.UUID, tuple[str, str | None]],
    token: uuid.UUID,
    now: Any,
    result: BatchResult,
) -> None:
    sent_at = timezone.now()
    changed = []
    for row in rows:
        outcome, error = outcomes.get(row.id, ("transient", "Not attempted"))
        row.claim_token = None
        row.claimed_until = None
        log = {
            "delivery_id": str(row.id),
            "kind": row.kind,
            "user_id": str(row.user_id) if row.user_id else None,
        }
        if outcome == EmailStatus.SENT:
            row.status = EmailStatus.SENT
            row.attempts += 1
            row.sent_at = sent_at
            row.last_error = None
            result.sent.append(row.id)
            logger.info("email_sent", attempts=row.attempts, **log)
        elif outcome == EmailStatus.SUPPRESSED:
            row.status = EmailStatus.SUPPRESSED
            row.last_error = error
            result.suppressed.append(row.id)
            logger.info("email_suppressed", reason=error, **log)
        elif outcome == EmailStatus.FAILED:
            row.status = EmailStatus.FAILED
            row.attempts += 1
            row.last_error = (error or "")[:ERROR_MAX_LENGTH]
            result.failed.append(row.id)
            logger.warning(
                "email_failed", error=row.last_error, attempts=row.attempts, final=True, **log
            )
        else:
            row.attempts += 1
            row.last_error = (error or "")[:ERROR_MAX_LENGTH]
            final = row.attempts >= settings.EMAIL_MAX_ATTEMPTS
            if final:
                row.status = EmailStatus.FAILED
                result.failed.append(row.id)
            else:
                delay = backoff_seconds(row.attempts)
                row.next_attempt_at = now + datetime.timedelta(seconds=delay)
                result.retry.append(row.id)
                result.retry_in = max(result.retry_in, delay)
            logger.warning(
                "email_failed", error=row.last_error, attempts=row.attempts, final=final, **log
            )
        secrets = kind_get(row.kind).secret_context_keys
        if secrets and row.status != EmailStatus.PENDING and row.context:
            row.context = {k: ("[removed]" if k in secrets else v) for k, v in row.context.items()}
        changed.append(row)
    # Only rows this sender still holds are written: a lease that expired meanwhile belongs
    # to whoever claimed the row next.
    EmailDelivery.objects.filter(claim_token=token).bulk_update(
        changed,
        [
            "status",
            "attempts",
            "sent_at",
            "last_error",
            "next_attempt_at",
            "claim_token",
            "claimed_until",
            "context",
        ],
    )


# --- Maintenance ------------------------------------------------------------------------------


def due_count(now: Any | None = None) -> int:
    return EmailDelivery.objects.filter(due_q(now or timezone.now())).count()


def email_deliveries_retry(*, delivery_ids: Sequence[Any]) -> int:
    """Put failed rows back in the outbox for a fresh series of attempts (staff action)."""
    with transaction.atomic():
        count = EmailDelivery.objects.filter(
            id__in=list(delivery_ids), status=EmailStatus.FAILED
        ).update(
            status=EmailStatus.PENDING,
            attempts=0,
            next_attempt_at=timezone.now(),
            claim_token=None,
            claimed_until=None,
        )
        if count:
            transaction.on_commit(lambda: dispatch_sends(delivery_ids=list(delivery_ids)))
    return count


def status_counts(job_run_id: Any) -> dict[str, int]:
    return dict(
        EmailDelivery.objects.filter(job_run_id=job_run_id)
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
