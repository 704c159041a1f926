"""The sender: claims deliveries, talks to the mail server and records the outcome.

A sender claims rows with one conditional UPDATE (queued → sending, with its own claim token)
and sends only the rows that carry its token, so a duplicate or redelivered task finds nothing
to do. It sends in id order over one connection and marks each row sent once the server has
accepted it, before the next message's content goes out (the mark's round trip overlaps the next
envelope's; see ``_Mailer``).
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import select
import smtplib
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.core.mail.message import sanitize_address
from django.db import DatabaseError, connection
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from community.models import AgendaItem, Meeting
from mentorprogram.mail import classify_smtp_error, retry_delay

from ..emails import MeetingMail, effective_kind
from ..models import ReminderDelivery
from ..selectors import recipient_memberships

log = logging.getLogger(__name__)

Status = ReminderDelivery.Status
Kind = ReminderDelivery.Kind

@dataclass
class SendResult:
    sent: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)
    retry: dict[float, list[int]] = field(default_factory=dict)
    """countdown in seconds → ids to try again then."""

    def as_dict(self) -> dict:
        return {"sent": len(self.sent), "failed": len(self.failed), "skipped": len(self.skipped),
                "retry": sum(len(ids) for ids in self.retry.values())}


def claim(*, ids: Iterable[int], claim_token: str, now: dt.datetime) -> list[ReminderDelivery]:
    """Take the deliveries no live worker holds; return those now carrying ``claim_token``."""
    ids = list(ids)
    stale = now - dt.timedelta(seconds=settings.REMINDERS_CLAIM_TIMEOUT)
    due = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now + dt.timedelta(seconds=5))
    ReminderDelivery.objects.filter(pk__in=ids).filter(
        (Q(status=Status.QUEUED) & due) | Q(status=Status.SENDING, claimed_at__lt=stale)
    ).update(status=Status.SENDING, claim_token=claim_token, claimed_at=now, attempts=F("attempts") + 1)
    rows = list(
        ReminderDelivery.objects.filter(pk__in=ids, status=Status.SENDING, claim_token=claim_token)
        .select_related("user").order_by("meeting_id", "pk")
    )
    meetings = Meeting.objects.select_related("series__program", "presenter", "reading").in_bulk(
        {r.meeting_id for r in rows})
    for row in rows:
        row.meeting = meetings[row.meeting_id]  # one object per meeting, shared by its rows
    return rows


def _mine(pks: Iterable[int], claim_token: str) -> QuerySet[ReminderDelivery]:
    return ReminderDelivery.objects.filter(pk__in=list(pks), status=Status.SENDING, claim_token=claim_token)


def _skip_reason(delivery: ReminderDelivery, now: dt.datetime, members: set[tuple[int, int]]) -> str | None:
    meeting, user = delivery.meeting, delivery.user
    if meeting.starts_at <= now:
        return "The meeting had started; reminders never go out after that."
    if meeting.status == Meeting.Status.HELD:
        return "The meeting was marked held."
    if not user.is_active:
        return "The account is deactivated."
    if user.reminders_opt_out:
        return "The person turned meeting reminder emails off."
    if delivery.kind == Kind.REMINDER:
        if meeting.status != Meeting.Status.SCHEDULED:
            return f"The meeting is {meeting.get_status_display().lower()}."
        if (meeting.series.program_id, user.pk) not in members:
            return "No longer a member of the program's Mentor Community."
    return None


def deliveries_send(*, ids: Iterable[int], claim_token: str, now: dt.datetime | None = None) -> SendResult:
    """Send the deliveries this call manages to claim, over one mail connection.

    Each outcome is written as soon as it is known: sent right after the server accepts the
    message (and before the next message is handed over); a 4xx or network failure goes back
    to the queue with a backoff until the last attempt, then fails; a 5xx fails at once. One
    person's failure never holds up the rest."""
    now = now or timezone.now()
    with _quick_commits():
        return _send(ids=ids, claim_token=claim_token, now=now)


def _send(*, ids: Iterable[int], claim_token: str, now: dt.datetime) -> SendResult:
    result = SendResult()
    rows = claim(ids=ids, claim_token=claim_token, now=now)
    if not rows:
        return result
    members = set(recipient_memberships({r.meeting.series.program_id for r in rows}).filter(
        user_id__in={r.user_id for r in rows}).values_list("program_id", "user_id"))
    to_send: list[ReminderDelivery] = []
    skipped: dict[str, list[int]] = defaultdict(list)
    for row in rows:
        reason = _skip_reason(row, now, members)
        if reason:
            skipped[reason].append(row.pk)
        else:
            to_send.append(row)
    for reason, pks in skipped.items():
        _mine(pks, claim_token).update(status=Status.SKIPPED, last_error=reason)
        result.skipped += pks
    if not to_send:
        return result

    agendas: dict[int, list[AgendaItem]] = defaultdict(list)
    for item in AgendaItem.objects.filter(meeting_id__in={r.meeting_id for r in to_send}).select_related("topic"):
        agendas[item.meeting_id].append(item)
    mails: dict[tuple[int, str], MeetingMail] = {}
    transient: list[tuple[ReminderDelivery, str]] = []
    mailer = _Mailer(claim_token)
    pending = list(to_send)
    try:
        while pending:
            row = pending[0]
            kind = effective_kind(row.kind, row.meeting)
            mail = mails.get((row.meeting_id, kind))
            if mail is None:
                mail = mails[(row.meeting_id, kind)] = MeetingMail(
                    meeting=row.meeting, kind=kind, agenda=agendas[row.meeting_id])
            try:
                message = mailer.prepare(mail, row)
            except Exception as exc:  # a bad row is recorded and skipped
                log.exception("Could not build reminder delivery %s", row.pk)
                _fail([row.pk], claim_token, f"Could not build the email: {exc.__class__.__name__}: {exc}")
                result.failed.append(pending.pop(0).pk)
                continue
            try:
                mailer.send(message)
            except MarkFailed:
                raise
            except Exception as exc:
                is_transient, broken, error = classify_smtp_error(exc)
                if broken:
                    mailer.disconnect()
                if _cannot_connect(exc):
                    transient += [(r, error) for r in pending]  # the server is unreachable: stop here
                    pending = []
                    break
                pending.pop(0)
                if is_transient:
                    transient.append((row, error))
                else:
                    _fail([row.pk], claim_token, error)
                    result.failed.append(row.pk)
                continue
            mailer.accepted(row.pk, sequence=mail.sequence)
            result.sent.append(pending.pop(0).pk)
        mailer.record()
    except BaseException:
        # Interrupted (soft time limit, database trouble…): record what the server accepted
        # and let the rest go back to the queue now instead of waiting for the claim timeout.
        with suppress(MarkFailed):
            mailer.record()
        if pending:
            _mine([r.pk for r in pending], claim_token).update(
                status=Status.QUEUED, next_attempt_at=None, enqueued_at=None)  # the next tick queues them
        raise
    finally:
        mailer.close()
    _retry_or_fail(transient, claim_token, now, result)
    return result


class MarkFailed(Exception):
    """Recording a sent message failed; nothing more is handed over in this batch."""


class _Mailer:
    """Hands messages to the configured email backend over one connection, and records each
    accepted one as sent before the next one's content goes out.

    With Django's own SMTP backend it writes each message's bytes, cut from what the
    recipients share (:meth:`MeetingMail.raw`), straight to the open SMTP connection — what
    the backend would send for the reference message, without building and encoding a MIME
    tree per person — and records a message as sent while the next one's envelope is on
    its way: the database round trip overlaps the mail server's answer instead of adding to
    it, and a worker killed at any point still leaves at most the one message in flight
    accepted but unrecorded. Any other backend (the console, the test outbox, a subclass that
    signs or rewrites messages) gets the reference EmailMessage, recorded at once."""

    def __init__(self, claim_token: str):
        self.claim_token = claim_token
        self.backend = get_connection()
        self.raw = type(self.backend) is SMTPBackend
        self.envelope_from = sanitize_address(settings.DEFAULT_FROM_EMAIL, settings.DEFAULT_CHARSET)
        self._unrecorded: tuple[int, int] | None = None
        self._recording: _PostgresRecord | None = None

    def prepare(self, mail: MeetingMail, row: ReminderDelivery) -> tuple[str, bytes] | EmailMessage:
        return mail.raw(row) if self.raw else mail.message(row)

    def send(self, message: tuple[str, bytes] | EmailMessage) -> None:
        self.backend.open()  # a no-op while open; reconnects after a dropped connection
        if isinstance(message, EmailMessage):
            self.backend.send_messages([message])
            return
        recipient, data = message
        try:
            _hand_over(self.backend.connection, self.envelope_from, recipient, data,
                       meanwhile=self._start_record, before_content=self.record)
        finally:
            self.record()

    def accepted(self, pk: int, *, sequence: int) -> None:
        """The server accepted this delivery's message; it is recorded as sent before the
        next message's content goes out (at once with the reference path)."""
        self.record()
        self._unrecorded = (pk, sequence)
        if not self.raw:
            self.record()

    def _start_record(self) -> None:
        """Send the record of the last accepted message without waiting for the answer
        (PostgreSQL), or record it now (other databases)."""
        if self._unrecorded is None or self._recording is not None:
            return
        if connection.vendor != "postgresql" or connection.in_atomic_block:
            self.record()
            return
        pk, sequence = self._unrecorded
        try:
            self._recording = _PostgresRecord.start(pk, self.claim_token, sequence=sequence)
        except Exception as exc:
            self._unrecorded = None
            raise MarkFailed(f"Could not record delivery {pk} as sent: {exc.__class__.__name__}: {exc}") from exc

    def record(self) -> None:
        """Make sure the last accepted message is recorded as sent."""
        if self._unrecorded is None:
            return
        (pk, sequence), self._unrecorded = self._unrecorded, None
        recording, self._recording = self._recording, None
        try:
            if recording is not None:
                recording.finish()
            else:
                _mark_sent(pk, self.claim_token, sequence=sequence)
        except Exception as exc:
            raise MarkFailed(f"Could not record delivery {pk} as sent: {exc.__class__.__name__}: {exc}") from exc

    def disconnect(self) -> None:
        self.backend.close()

    def close(self) -> None:
        self.backend.close()


def _hand_over(smtp: smtplib.SMTP, sender: str, recipient: str, data: bytes, *,
               meanwhile: Callable[[], None], before_content: Callable[[], None]) -> None:
    """``smtp.sendmail(sender, [recipient], data)``, calling ``meanwhile`` once MAIL FROM is
    on its way and ``before_content`` before the message itself goes out."""
    smtp.ehlo_or_helo_if_needed()
    options = f" size={len(data)}" if smtp.does_esmtp and smtp.has_extn("size") else ""
    smtp.putcmd("mail", f"from:{smtplib.quoteaddr(sender)}{options}")
    meanwhile()
    code, reply = smtp.getreply()
    if code != 250:
        _give_up_message(smtp, code)
        raise smtplib.SMTPSenderRefused(code, reply, sender)
    code, reply = smtp.rcpt(recipient)
    if code not in (250, 251):
        _give_up_message(smtp, code)
        raise smtplib.SMTPRecipientsRefused({recipient: (code, reply)})
    code, reply = smtp.docmd("data")
    if code != 354:
        _give_up_message(smtp, code)
        raise smtplib.SMTPDataError(code, reply)
    before_content()
    smtp.send(_dot_stuffed(data))
    code, reply = smtp.getreply()
    if code != 250:
        _give_up_message(smtp, code)
        raise smtplib.SMTPDataError(code, reply)


def _dot_stuffed(data: bytes) -> bytes:
    """The DATA payload as ``smtplib.SMTP.data`` sends it: leading dots doubled, ended by
    CRLF.CRLF."""
    data = re.sub(rb"(?m)^\.", b"..", data)
    return data + (b"" if data.endswith(b"\r\n") else b"\r\n") + b".\r\n"


@dataclass
class _PostgresRecord:
    """A "sent" mark sent to PostgreSQL without waiting for its answer, so that the database
    round trip runs while the mail server answers the next envelope.

    It uses the driver's low-level asynchronous call on the connection's own libpq handle;
    :meth:`finish` reads the answer, and nothing else may use the connection in between —
    :class:`_Mailer` finishes a record before any other query and before any message
    content is sent."""

    pgconn: object
    pk: int

    @classmethod
    def start(cls, pk: int, claim_token: str, *, sequence: int) -> _PostgresRecord:
        connection.ensure_connection()
        pgconn = connection.connection.pgconn
        params = [timezone.now().isoformat().encode(), str(sequence).encode(), str(pk).encode(), claim_token.encode()]
        pgconn.send_query_params(_MARK_SENT_PQ, params)
        while pgconn.flush():
            select.select([], [pgconn.socket], [])
        return cls(pgconn=pgconn, pk=pk)

    def finish(self) -> None:
        from psycopg import pq

        pgconn = self.pgconn
        pgconn.consume_input()
        while pgconn.is_busy():
            select.select([pgconn.socket], [], [])
            pgconn.consume_input()
        results = []
        while (result := pgconn.get_result()) is not None:
            results.append(result)
        failed = [r for r in results if r.status != pq.ExecStatus.COMMAND_OK]
        if failed:
            raise DatabaseError((failed[0].error_message or b"").decode(errors="replace").strip())


def _give_up_message(smtp: smtplib.SMTP, code: int) -> None:
    """What ``sendmail`` does after a refusal: drop the connection on 421, else reset it."""
    if code == 421:
        smtp.close()
        return
    with suppress(smtplib.SMTPServerDisconnected):
        smtp.rset()


@contextmanager
def _quick_commits() -> Iterator[None]:
    """On PostgreSQL, let this session's commits return before their WAL reaches the disk
    (``synchronous_commit = off``) while a batch is being sent.

    Each "sent" mark is its own commit, written before the next message's content goes out,
    so a worker killed mid-batch can double at most the one message in flight.
    Waiting for the disk on each of those commits would cost more than the SMTP exchange.
    Without that wait a commit is still visible to every other session at once and survives
    any crash of the worker; only a crash of the database server itself can lose the commits
    of its last fraction of a second (three times ``wal_writer_delay``, 0.6 s by default).
    Those rows go back to where they were: claimed rows to the queue, sent messages to
    "sending", to be sent again after the claim timeout — at least once, never lost, and
    never an inconsistent database."""
    quick = connection.vendor == "postgresql"
    if quick:
        with connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit TO off")
    try:
        yield
    finally:
        if quick and not connection.needs_rollback:
            try:
                with connection.cursor() as cursor:
                    cursor.execute("RESET synchronous_commit")
            except DatabaseError:
                log.warning("Could not reset synchronous_commit", exc_info=True)


def _mark_sent(pk: int, claim_token: str, *, sequence: int) -> None:
    """``_mine([pk], claim_token).update(status=SENT, …)`` as one fixed statement: this runs
    once per message, and compiling the queryset each time would cost about as much as the
    database round trip."""
    with connection.cursor() as cursor:
        cursor.execute(_MARK_SENT_SQL, [Status.SENT, timezone.now(), sequence, pk, Status.SENDING, claim_token])


_MARK_SENT_PQ = (
    f"UPDATE {ReminderDelivery._meta.db_table} SET status = '{Status.SENT}', sent_at = $1::timestamptz, "  # noqa: S608  # nosec B608 (names and constants from the model, values bound)
    f"sent_sequence = $2::integer, last_error = '', next_attempt_at = NULL "
    f"WHERE id = $3::bigint AND status = '{Status.SENDING}' AND claim_token = $4::text"
).encode()
_MARK_SENT_SQL = (
    f"UPDATE {ReminderDelivery._meta.db_table} SET status = %s, sent_at = %s, sent_sequence = %s, "  # noqa: S608  # nosec B608 (names from the model, values bound)
    "last_error = '', next_attempt_at = NULL WHERE id = %s AND status = %s AND claim_token = %s"
)


def _cannot_connect(exc: BaseException) -> bool:
    return isinstance(exc, (ConnectionRefusedError, TimeoutError, smtplib.SMTPConnectError)) or (
        isinstance(exc, OSError) and not isinstance(exc, smtplib.SMTPException)
    )


def _fail(pks: list[int], claim_token: str, error: str) -> None:
    _mine(pks, claim_token).update(status=Status.FAILED, last_error=error[:2000], next_attempt_at=None)


def _retry_or_fail(
    transient: list[tuple[ReminderDelivery, str]], claim_token: str, now: dt.datetime, result: SendResult,
) -> None:
    """Queue transient failures again after their backoff; after the last attempt, fail them."""
    max_attempts = settings.REMINDERS_MAX_ATTEMPTS
    by_delay: dict[float, list[tuple[int, str]]] = defaultdict(list)
    for row, error in transient:
        if row.attempts >= max_attempts:
            _fail([row.pk], claim_token, f"{error} (gave up after {row.attempts} attempts)")
            result.failed.append(row.pk)
        else:
            by_delay[round(retry_delay(row.attempts), 3)].append((row.pk, error))
    for delay, items in by_delay.items():
        at = now + dt.timedelta(seconds=delay)
        for pk, error in items:
            _mine([pk], claim_token).update(status=Status.QUEUED, next_attempt_at=at, enqueued_at=now,
                                            last_error=error[:2000])
        result.retry[delay] = [pk for pk, _ in items]
