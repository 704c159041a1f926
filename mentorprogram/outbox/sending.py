"""The sender: claims outbox rows, hands their messages to Django's email backend over one
connection, and records each outcome as soon as it is known."""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
import time
from collections import defaultdict
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import suppress
from dataclasses import dataclass, field
from functools import partial

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.mail import get_connection
from django.db import connection, connections
from django.db.models import F, Q, QuerySet
from django.db.models.sql import UpdateQuery
from django.utils import timezone

from mentorprogram.mail import retry_delay
from mentorprogram.models import OutboundEmail

from . import headers
from .composers import Skip, composer_for

log = logging.getLogger(__name__)

Status = OutboundEmail.Status
EARLY = dt.timedelta(seconds=5)
"""A retry whose task runs this much before its time (clocks differ a little) may still claim."""


@dataclass
class SendResult:
    sent: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)
    retry: dict[float, list[int]] = field(default_factory=dict)
    """countdown in seconds → ids to try again then."""
    released: list[int] = field(default_factory=list)
    """Claimed but not tried: the batch ran out of time. Queued again at once."""
    interrupted: bool = False

    def as_dict(self) -> dict:
        return {"sent": len(self.sent), "failed": len(self.failed), "skipped": len(self.skipped),
                "retry": sum(len(ids) for ids in self.retry.values()), "released": len(self.released)}


def claimable(now: dt.datetime) -> Q:
    """Queued rows whose (next) attempt is due, and rows whose sender was lost."""
    stale = now - dt.timedelta(seconds=settings.REMINDERS_CLAIM_TIMEOUT)
    due = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now + EARLY)
    return (Q(status=Status.QUEUED) & due) | Q(status=Status.SENDING, claimed_at__lt=stale)


def claim(*, ids: Iterable[int], claim_token: str, now: dt.datetime) -> list[OutboundEmail]:
    """Take the rows no live sender holds, in one UPDATE; return those now carrying the token."""
    ids = list(ids)
    OutboundEmail.objects.filter(claimable(now), pk__in=ids).update(
        status=Status.SENDING, claim_token=claim_token, claimed_at=now, attempts=F("attempts") + 1)
    return list(OutboundEmail.objects.filter(pk__in=ids, status=Status.SENDING, claim_token=claim_token)
                .order_by("kind", "pk"))


def _mine(pks: Iterable[int], claim_token: str) -> QuerySet[OutboundEmail]:
    return OutboundEmail.objects.filter(pk__in=list(pks), status=Status.SENDING, claim_token=claim_token)


@dataclass
class _Outcome:
    verdict: str  # "sent", "retry", "failed", "unreachable"
    error: str = ""
    broken: bool = False


def outbox_send(*, ids: Iterable[int], claim_token: str, now: dt.datetime | None = None,
                deadline: float | None = None) -> SendResult:
    """Send the rows this call manages to claim, over one connection of the email backend.

    ``deadline`` (a ``time.monotonic()`` value) is the last moment a message may be begun; the
    rows still waiting then are given back (``released``), not tried. A soft time limit that
    strikes during a message is taken the same way, and SystemExit or KeyboardInterrupt give the
    rows back before they go on: none of them is ever recorded as a mail server failure."""
    now = now or timezone.now()
    result = SendResult()
    rows = claim(ids=ids, claim_token=claim_token, now=now)
    if not rows:
        return result
    backend = get_connection()
    recorder = _Recorder()
    mark_sent = _SentMark(claim_token)
    if hasattr(backend, "before_content"):
        backend.before_content = recorder.wait
    pending = list(rows)
    in_flight: OutboundEmail | None = None
    try:
        builders = {}
        for kind in {r.kind for r in rows}:
            builders[kind] = composer_for(kind).prepare([r for r in rows if r.kind == kind], now)
        transient: list[tuple[OutboundEmail, str]] = []
        while pending:
            if deadline is not None and time.monotonic() >= deadline:
                break
            email = pending[0]
            try:
                composed = builders[email.kind](email)
                message = headers.finish(composed.message, email, unsubscribe=composed.unsubscribe)
            except Skip as skip:
                _mine([email.pk], claim_token).update(status=Status.SKIPPED, last_error=str(skip)[:2000],
                                                      next_attempt_at=None)
                result.skipped.append(pending.pop(0).pk)
                continue
            except SoftTimeLimitExceeded:
                raise
            except Exception as exc:  # a bad row is recorded and skipped
                log.exception("Could not build outbound email %s", email.pk)
                _fail(email, claim_token, f"Could not build the email: {exc.__class__.__name__}: {exc}")
                result.failed.append(pending.pop(0).pk)
                continue
            in_flight = email
            outcome = _deliver(backend, message)
            in_flight = None
            if outcome.broken:
                _abandon(backend)
            if outcome.verdict == "unreachable":
                transient += [(r, outcome.error) for r in pending]  # no point trying the others now
                pending = []
                break
            pending.pop(0)
            if outcome.verdict == "sent":
                recorder.record(partial(mark_sent, email, message, note=outcome.error))
                result.sent.append(email.pk)
            elif outcome.verdict == "retry":
                transient.append((email, outcome.error))
            else:
                _fail(email, claim_token, outcome.error)
                result.failed.append(email.pk)
        recorder.wait()
        _retry_or_fail(transient, claim_token, now, result)
    except SoftTimeLimitExceeded:
        result.interrupted = True
        handed_over = getattr(backend, "content_handed_over", False)
        _abandon(backend)
        recorder.close()
        _settle_in_flight(in_flight, handed_over, claim_token, pending, result)
    except BaseException:
        # SystemExit, KeyboardInterrupt, database trouble: give the untried rows back, then go on.
        handed_over = getattr(backend, "content_handed_over", False)
        _abandon(backend)
        with suppress(BaseException):
            recorder.close()
        with suppress(Exception):
            _settle_in_flight(in_flight, handed_over, claim_token, pending, result)
        raise
    finally:
        recorder.close()
        _close(backend)
    if pending and not result.interrupted:
        _release(pending, claim_token, result)
    return result


class _Recorder:
    """Writes each "sent" mark while the mail server answers the next message's envelope, and
    makes the next message's content wait for it (``before_content``): the database's commit
    overlaps the SMTP round trips instead of adding to them, and a worker killed at any moment
    still leaves at most one message accepted but not recorded.

    On PostgreSQL outside a transaction the mark is written by a thread of its own, on its own
    database connection, through the ORM; otherwise (SQLite, tests inside a transaction, a
    backend without the hook) it is written at once."""

    def __init__(self):
        self._pool = None
        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="outbox-record")
        self._pending: Future | None = None

    def record(self, write) -> None:
        self.wait()
        if self._pool is None:
            write()
        else:
            self._pending = self._pool.submit(write)

    def wait(self) -> None:
        if self._pending is not None:
            pending, self._pending = self._pending, None
            pending.result()

    def close(self) -> None:
        if self._pool is None:
            return
        pool, self._pool = self._pool, None
        try:
            self.wait()
        finally:
            pool.submit(connections.close_all).result()  # the thread's own connection
            pool.shutdown()


def _settle_in_flight(in_flight: OutboundEmail | None, handed_over: bool, claim_token: str,
                      pending: list[OutboundEmail], result: SendResult) -> None:
    """The message being handed over when the batch was interrupted counts as sent if the server
    had all of it; it and the rest go back to the queue otherwise."""
    if in_flight is not None and handed_over:
        _mark_sent(in_flight, claim_token, None, note="Interrupted while the mail server answered; "
                                                       "it had the whole message, so it counts as sent.")
        result.sent.append(in_flight.pk)
        pending.remove(in_flight)
    _release(pending, claim_token, result)
    pending.clear()


def _release(rows: list[OutboundEmail], claim_token: str, result: SendResult) -> None:
    """Give untried rows back to the queue; the attempt they were charged does not count."""
    if not rows:
        return
    pks = [r.pk for r in rows]
    _mine(pks, claim_token).update(status=Status.QUEUED, next_attempt_at=None, enqueued_at=rows[0].claimed_at,
                                   attempts=F("attempts") - 1)
    result.released += pks


def _close(backend) -> None:
    with suppress(Exception):
        backend.close()


def _abandon(backend) -> None:
    """Drop a connection in an unknown state without a QUIT a silent server would not answer."""
    smtp = getattr(backend, "connection", None)
    if smtp is not None and hasattr(smtp, "sock"):
        with suppress(Exception):
            smtp.close()
    _close(backend)


def _deliver(backend, message) -> _Outcome:
    try:
        backend.open()  # a no-op while open; reconnects after a dropped connection
        sent = backend.send_messages([message])
    except SoftTimeLimitExceeded:
        raise
    except Exception as exc:
        return classify(exc, content_handed_over=getattr(backend, "content_handed_over", False))
    if not sent:
        return _Outcome("failed", "The email backend accepted nothing (no valid recipient address).")
    return _Outcome("sent")


def classify(exc: BaseException, *, content_handed_over: bool = False) -> _Outcome:
    """What a failure to hand a message over means. 5xx answers are final; 4xx answers and
    network trouble are retried — except silence or a broken connection after the whole message
    went out, which counts as sent: the server has it, only its answer was late."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        code, text = next(iter(exc.recipients.values()), (550, b"refused"))
        text = text.decode(errors="replace") if isinstance(text, bytes) else str(text)
        error = f"The mail server refused the address: {code} {text}"
        return _Outcome("retry" if 400 <= code < 500 else "failed", error, broken=code == 421)
    if isinstance(exc, smtplib.SMTPResponseException):
        text = exc.smtp_error.decode(errors="replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
        error = f"The mail server answered {exc.smtp_code} {text}"
        return _Outcome("retry" if 400 <= exc.smtp_code < 500 else "failed", error, broken=exc.smtp_code == 421)
    if isinstance(exc, smtplib.SMTPServerDisconnected | OSError) and content_handed_over:
        return _Outcome("sent", f"The mail server had the whole message but its answer never came ({exc}); "
                                "counted as sent.", broken=True)
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return _Outcome("retry", f"The mail server closed the connection: {exc}", broken=True)
    if isinstance(exc, ConnectionRefusedError | smtplib.SMTPConnectError) or (
            isinstance(exc, OSError) and not isinstance(exc, smtplib.SMTPException)):
        return _Outcome("unreachable", f"Could not talk to the mail server: {exc.__class__.__name__}: {exc}",
                        broken=True)
    # Another backend's error (an HTTP API's): retried with backoff until the last attempt.
    return _Outcome("retry", f"{exc.__class__.__name__}: {exc}", broken=True)


def _sent_values(email: OutboundEmail, message, note: str) -> dict:
    values = {"status": Status.SENT, "sent_at": timezone.now(), "last_error": note[:2000], "next_attempt_at": None,
              "message_id": headers.message_id(email)}
    if message is not None:
        values |= {"subject": str(message.subject)[:998], "to_address": ", ".join(message.to)[:254]}
    return values


def _mark_sent(email: OutboundEmail, claim_token: str, message, *, note: str = "") -> None:
    _mine([email.pk], claim_token).update(**_sent_values(email, message, note))


_NO_PK = -1
"""The stand-in row id the batch's "sent" UPDATE is compiled with (no row has it)."""


class _SentMark:
    """The batch's "sent" mark: ``_mine([pk], claim_token).update(...)`` of one row, compiled by
    the ORM once per batch rather than once per message — building and compiling that queryset
    cost more CPU than the database's own work, and it ran beside the next message's building.
    Each message then only binds its own values (prepared by their fields, as the ORM would) and
    runs the same statement on the database connection of the thread that writes it."""

    def __init__(self, claim_token: str):
        values = _sent_values(OutboundEmail(pk=_NO_PK, kind="", message_id="-"), _StandIn(), "")
        query = _mine([_NO_PK], claim_token).query.chain(UpdateQuery)
        query.add_update_values(values)
        self.using = OutboundEmail.objects.db
        connection = connections[self.using]
        self.sql, params = query.get_compiler(self.using).as_sql()
        # The SET values come first, in the order given (a None is written as NULL, not bound);
        # the WHERE's values follow, the row id among them once.
        self.fields = [OutboundEmail._meta.get_field(name) for name, value in values.items() if value is not None]
        bound = [field.get_db_prep_save(values[field.name], connection) for field in self.fields]
        if list(params[:len(bound)]) != bound:
            raise RuntimeError(f"Unexpected layout of the compiled UPDATE: {self.sql}")
        self.where = list(params[len(bound):])
        self.pk_at = self.where.index(_NO_PK)

    def __call__(self, email: OutboundEmail, message, *, note: str = "") -> None:
        connection = connections[self.using]
        values = _sent_values(email, message, note)
        where = list(self.where)
        where[self.pk_at] = email.pk
        params = [field.get_db_prep_save(values[field.name], connection) for field in self.fields] + where
        with connection.cursor() as cursor:
            cursor.execute(self.sql, params)


class _StandIn:
    subject, to = "-", ["-"]


def _fail(email: OutboundEmail, claim_token: str, error: str) -> None:
    _mine([email.pk], claim_token).update(status=Status.FAILED, last_error=error[:2000], next_attempt_at=None)


def _retry_or_fail(transient: list[tuple[OutboundEmail, str]], claim_token: str, now: dt.datetime,
                   result: SendResult) -> None:
    """Queue transient failures again after their backoff; after the last attempt, fail them."""
    by_delay: dict[float, list[tuple[int, str]]] = defaultdict(list)
    for email, error in transient:
        if email.attempts >= settings.REMINDERS_MAX_ATTEMPTS:
            _fail(email, claim_token, f"{error} (gave up after {email.attempts} attempts)")
            result.failed.append(email.pk)
        else:
            by_delay[round(retry_delay(email.attempts), 3)].append((email.pk, error))
    for delay, items in by_delay.items():
        at = now + dt.timedelta(seconds=delay)
        for pk, error in items:
            _mine([pk], claim_token).update(status=Status.QUEUED, next_attempt_at=at, enqueued_at=at,
                                            last_error=error[:2000])
        result.retry[delay] = [pk for pk, _ in items]
