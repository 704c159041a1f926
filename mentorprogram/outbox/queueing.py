"""Recording emails in the outbox and handing them to send tasks."""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from mentorprogram.models import OutboundEmail

Status = OutboundEmail.Status


def outbox_enqueue(emails: list[OutboundEmail], *, now: dt.datetime | None = None,
                   dispatch_token: str | None = None) -> dict[str, OutboundEmail]:
    """Record these emails (those already recorded for their kind and key are left as they are)
    and return every one of them by dedupe key, as stored. Call inside the transaction that
    records what they are about; queue them with ``outbox_queue``."""
    now = now or timezone.now()
    for email in emails:
        email.created_at = email.enqueued_at = now
        if dispatch_token:
            email.dispatch_token = dispatch_token
    OutboundEmail.objects.bulk_create(emails, ignore_conflicts=True)
    stored: dict[str, OutboundEmail] = {}
    if dispatch_token:
        # What this call inserted, in one query whatever the number: those rows are the objects
        # given, as they were written; only their ids are read back (an insert that ignores
        # conflicts does not return them).
        db = OutboundEmail.objects.db
        inserted = dict(OutboundEmail.objects.filter(dispatch_token=dispatch_token).values_list("dedupe_key", "pk"))
        for email in emails:
            if email.dedupe_key in inserted and email.dedupe_key not in stored:
                email.pk = inserted[email.dedupe_key]
                email._state.adding, email._state.db = False, db
                stored[email.dedupe_key] = email
    missing: dict[str, list[str]] = {}
    for email in emails:
        if email.dedupe_key not in stored:  # recorded before (another tick got there first)
            missing.setdefault(email.kind, []).append(email.dedupe_key)
    for kind, keys in missing.items():
        for i in range(0, len(keys), 1000):
            for email in OutboundEmail.objects.filter(kind=kind, dedupe_key__in=keys[i:i + 1000]):
                stored[email.dedupe_key] = email
    return stored


def outbox_queue(*, dispatch_token: str) -> list[int]:
    """Queue, after the transaction commits, the queued rows stamped with this token, in batches
    of REMINDERS_BATCH_SIZE that keep each kind (and a meeting's rows) together."""
    ids = list(OutboundEmail.objects.filter(dispatch_token=dispatch_token, status=Status.QUEUED)
               .order_by("kind", "pk").values_list("kind", "pk"))
    size = settings.REMINDERS_BATCH_SIZE
    batches: list[list[int]] = []
    current_kind = None
    for kind, pk in ids:
        if kind != current_kind or len(batches[-1]) >= size:
            batches.append([])
            current_kind = kind
        batches[-1].append(pk)
    publish(batches)
    return [pk for _, pk in ids]


def publish(batches: list[list[int]], countdown: float | None = None) -> None:
    from mentorprogram.tasks import send_emails

    for ids in batches:
        send_emails.apply_async(args=[ids], countdown=countdown)  # after commit: TransactionAwareTask


def outbox_sweep(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Hand out again what was lost, once its claim timeout has passed: rows a killed worker held
    (``sending``), and rows queued whose task never ran (the broker lost it)."""
    now = now or timezone.now()
    stale = now - dt.timedelta(seconds=settings.REMINDERS_CLAIM_TIMEOUT)
    token = uuid.uuid4().hex
    with transaction.atomic():
        recovered = OutboundEmail.objects.filter(status=Status.SENDING, claimed_at__lt=stale).update(
            status=Status.QUEUED, enqueued_at=now, dispatch_token=token, next_attempt_at=None,
            last_error="Its worker was lost while sending; queued again.",
        )
        requeued = OutboundEmail.objects.filter(
            Q(enqueued_at__isnull=True) | Q(enqueued_at__lt=stale), status=Status.QUEUED,
        ).update(enqueued_at=now, dispatch_token=token)
        queued = outbox_queue(dispatch_token=token)
    return {"recovered": recovered, "requeued": requeued, "queued": len(queued)}


def outbox_resend(*, emails: QuerySet[OutboundEmail], now: dt.datetime | None = None) -> int:
    """Give failed emails a fresh set of attempts and queue them; others are left alone."""
    now = now or timezone.now()
    token = uuid.uuid4().hex
    with transaction.atomic():
        OutboundEmail.objects.filter(pk__in=emails.filter(status=Status.FAILED).values("pk")).update(
            status=Status.QUEUED, attempts=0, next_attempt_at=None, enqueued_at=now, dispatch_token=token,
            last_error="")
        return len(outbox_queue(dispatch_token=token))


def outbox_send_message_now(message, *, user=None, program=None) -> OutboundEmail:
    """Record an email rendered by someone else (allauth's account emails) and send it at once,
    in this process: the person is waiting for it. Should the server be away, the outbox tries
    again with its backoff like any other email, and records what became of it."""
    from .sending import outbox_send

    html = next((body for body, mimetype in getattr(message, "alternatives", []) if mimetype == "text/html"), "")
    email = OutboundEmail.objects.create(
        kind=OutboundEmail.Kind.ACCOUNT, dedupe_key=uuid.uuid4().hex, user=user, program=program,
        to_address=", ".join(message.to)[:254], subject=str(message.subject)[:998], body_text=message.body,
        body_html=html, enqueued_at=timezone.now())
    result = outbox_send(ids=[email.pk], claim_token=f"now:{uuid.uuid4().hex[:12]}")
    for countdown, ids in result.retry.items():
        publish([ids], countdown=countdown)
    email.refresh_from_db()
    return email
