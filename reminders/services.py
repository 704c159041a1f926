"""Writes for reminders: the dispatcher that decides who gets which email, and the sender
that claims deliveries, talks to the mail server and records the outcome.

Exactly once, as far as it can be had (README, "Reminders in production"):

* The dispatcher only ever *inserts* deliveries, guarded by unique constraints, so any number
  of ticks, concurrent or not, make one row per meeting × person × lead (or × SEQUENCE for
  notices). It queues the rows it inserted after its transaction commits.
* A sender claims rows with one conditional UPDATE (queued → sending, with its own claim
  token) and sends only the rows that carry its token, so a duplicate or redelivered task
  finds nothing to do. It sends in id order over one connection and marks each row sent once
  the server has accepted it, before the next message's content goes out (the mark's round
  trip overlaps the next envelope's; see ``_Mailer``).
* A worker killed mid-batch leaves rows in ``sending``. Once their claim is older than
  REMINDERS_CLAIM_TIMEOUT (longer than the task time limit, so their worker is certainly
  gone) they are claimed again — by the redelivered task or by the dispatcher's sweep. Of
  those rows only the one in flight at the kill can have reached the server; it is sent again
  (at least once, with the same Message-ID) rather than dropped, because a lost reminder is
  worse than a rare duplicate that receiving servers may fold by Message-ID.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import select
import smtplib
import uuid
import zoneinfo
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from functools import partial

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.core.mail.message import sanitize_address
from django.db import DatabaseError, connection, transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone

from community.models import AgendaItem, Meeting
from mentorprogram.mail import classify_smtp_error, retry_delay

from .emails import MeetingMail, effective_kind
from .models import ReminderDelivery
from .selectors import recipient_memberships, recipients_by_program

log = logging.getLogger(__name__)

Status = ReminderDelivery.Status
Kind = ReminderDelivery.Kind
MAX_LEAD_DAYS = 60
STALE_QUEUE = dt.timedelta(minutes=30)
"""A queued row whose message has not been taken this long after it was due is queued again
(its message was lost: the broker was flushed, or the process died before publishing)."""


def lead_due_at(meeting: Meeting, lead_days: int) -> dt.datetime:
    """When a lead's reminder is due: the meeting's local wall-clock time ``lead_days`` days
    earlier, so a noon meeting is reminded at noon even across a daylight-saving change."""
    local = meeting.starts_at.astimezone(meeting.series.zone)
    wall = local.replace(tzinfo=None) - dt.timedelta(days=lead_days)
    return wall.replace(tzinfo=meeting.series.zone)


# --- dispatch -------------------------------------------------------------------------------

@dataclass
class DispatchResult:
    created: int = 0
    requeued: int = 0
    recovered: int = 0
    queued_ids: list[int] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"created": self.created, "requeued": self.requeued, "recovered": self.recovered,
                "queued": len(self.queued_ids)}


@dataclass
class _Received:
    """What one person already has for one meeting."""

    leads: set[int] = field(default_factory=set)
    notices: set[tuple[str, int]] = field(default_factory=set)
    max_sent_sequence: int | None = None
    pending: bool = False
    reachable: bool = True


def _meetings_to_consider(now: dt.datetime) -> list[Meeting]:
    already_invited = ReminderDelivery.objects.filter(meeting=OuterRef("pk"), status=Status.SENT)
    return list(
        Meeting.objects.filter(starts_at__gt=now, status__in=[Meeting.Status.SCHEDULED, Meeting.Status.CANCELLED])
        .filter(Q(starts_at__lte=now + dt.timedelta(days=MAX_LEAD_DAYS + 1)) | Exists(already_invited))
        .select_related("series__program")
    )


def _received(meeting_ids: list[int]) -> dict[int, dict[int, _Received]]:
    """meeting id → user id → what they already have, in one query."""
    result: dict[int, dict[int, _Received]] = defaultdict(dict)
    rows = ReminderDelivery.objects.filter(meeting_id__in=meeting_ids).values_list(
        "meeting_id", "user_id", "kind", "lead_days", "sequence", "status", "sent_sequence",
        "user__reminders_opt_out", "user__is_active",
    )
    for meeting_id, user_id, kind, lead, sequence, status, sent_sequence, opt_out, active in rows:
        got = result[meeting_id].setdefault(user_id, _Received())
        if kind == Kind.REMINDER:
            got.leads.add(lead)
        else:
            got.notices.add((kind, sequence))
        if status == Status.SENT and (got.max_sent_sequence is None or sent_sequence > got.max_sent_sequence):
            got.max_sent_sequence = sent_sequence
        got.pending = got.pending or status in (Status.QUEUED, Status.SENDING)
        got.reachable = active and not opt_out
    return result


def plan_deliveries(*, now: dt.datetime) -> list[ReminderDelivery]:
    """The deliveries due now that do not exist yet, in three queries whatever the numbers.

    Reminders: for each scheduled meeting that has not started and each recipient, the latest
    lead whose time has come — only the latest, so a tick after an outage sends one late
    reminder, not a burst — provided the person was a member on the day it fell due (someone
    who joins late gets the leads still ahead). Notices: a person whose last email carried an
    older SEQUENCE than the meeting's gets a change notice, or a cancellation."""
    meetings = _meetings_to_consider(now)
    if not meetings:
        return []
    recipients = recipients_by_program({m.series.program_id for m in meetings})
    received = _received([m.pk for m in meetings])
    new: list[ReminderDelivery] = []
    for meeting in meetings:
        program = meeting.series.program
        people = recipients.get(program.pk, {})
        already = received.get(meeting.pk, {})
        zone = zoneinfo.ZoneInfo(program.time_zone)
        reminded_now: set[int] = set()
        if meeting.status == Meeting.Status.SCHEDULED:
            dues = [(lead, due) for lead in program.reminder_lead_days if (due := lead_due_at(meeting, lead)) <= now]
            for user_id, joined_on in people.items():
                eligible = [lead for lead, due in dues if due.astimezone(zone).date() >= joined_on]
                if not eligible:
                    continue
                lead = min(eligible)
                got = already.get(user_id)
                if got is None or lead not in got.leads:
                    new.append(ReminderDelivery(meeting=meeting, user_id=user_id, kind=Kind.REMINDER, lead_days=lead))
                    reminded_now.add(user_id)
        cancelled = meeting.status == Meeting.Status.CANCELLED
        kind = Kind.CANCELLATION if cancelled else Kind.UPDATE
        for user_id, got in already.items():
            if got.max_sent_sequence is None or user_id in reminded_now:
                continue
            if got.max_sent_sequence >= meeting.sequence or got.pending or not got.reachable:
                continue
            if not cancelled and user_id not in people:
                continue  # changes go to members; a cancellation reaches everyone who was invited
            if (kind, meeting.sequence) not in got.notices:
                new.append(ReminderDelivery(meeting=meeting, user_id=user_id, kind=kind, sequence=meeting.sequence))
    return new


def reminders_dispatch(*, now: dt.datetime | None = None) -> DispatchResult:
    """One dispatcher tick: record the deliveries that are due, take back claims of lost
    workers and lost messages, and queue all of them once the transaction commits."""
    now = now or timezone.now()
    token = uuid.uuid4().hex
    result = DispatchResult()
    with transaction.atomic():
        stale_claim = now - dt.timedelta(seconds=settings.REMINDERS_CLAIM_TIMEOUT)
        result.recovered = ReminderDelivery.objects.filter(status=Status.SENDING, claimed_at__lt=stale_claim).update(
            status=Status.QUEUED, enqueued_at=now, dispatch_token=token, next_attempt_at=None,
            last_error="Its worker was lost while sending; queued again.",
        )
        result.requeued = ReminderDelivery.objects.filter(
            Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lt=now - STALE_QUEUE),
            Q(enqueued_at__isnull=True) | Q(enqueued_at__lt=now - STALE_QUEUE),
            status=Status.QUEUED,
        ).update(enqueued_at=now, dispatch_token=token)
        new = plan_deliveries(now=now)
        for delivery in new:
            delivery.created_at = delivery.enqueued_at = now
            delivery.dispatch_token = token
        ReminderDelivery.objects.bulk_create(new, ignore_conflicts=True)
        result.queued_ids = _queue_rows(token)
        result.created = len(result.queued_ids) - result.recovered - result.requeued
    return result


def _queue_rows(dispatch_token: str) -> list[int]:
    """Queue, after commit, the queued rows stamped with this token, in batches by meeting."""
    rows = list(
        ReminderDelivery.objects.filter(dispatch_token=dispatch_token, status=Status.QUEUED)
        .order_by("meeting_id", "pk").values_list("meeting_id", "pk")
    )
    batches: list[list[int]] = []
    size = settings.REMINDERS_BATCH_SIZE
    by_meeting: dict[int, list[int]] = defaultdict(list)
    for meeting_id, pk in rows:
        by_meeting[meeting_id].append(pk)
    for ids in by_meeting.values():
        batches += [ids[i:i + size] for i in range(0, len(ids), size)]
    if batches:
        transaction.on_commit(partial(_publish, batches))
    return [pk for _, pk in rows]


def _publish(batches: list[list[int]], countdown: float | None = None) -> None:
    from .tasks import send_deliveries

    for ids in batches:
        send_deliveries.apply_async(args=[ids], countdown=countdown)


def meeting_send_reminders_now(*, meeting: Meeting, now: dt.datetime | None = None) -> int:
    """A coordinator's "send reminders now": one extra reminder to every recipient who has not
    had one from this button for this meeting. Pressing it again sends nothing new."""
    now = now or timezone.now()
    if meeting.status != Meeting.Status.SCHEDULED:
        raise ValidationError(f"This meeting is {meeting.get_status_display().lower()}; no reminders go out.")
    if meeting.starts_at <= now:
        raise ValidationError("This meeting has already started.")
    token = uuid.uuid4().hex
    user_ids = set(recipient_memberships([meeting.series.program_id]).values_list("user_id", flat=True))
    with transaction.atomic():
        ReminderDelivery.objects.bulk_create(
            [ReminderDelivery(meeting=meeting, user_id=user_id, kind=Kind.REMINDER,
                              lead_days=ReminderDelivery.MANUAL_LEAD, created_at=now, enqueued_at=now,
                              dispatch_token=token) for user_id in sorted(user_ids)],
            ignore_conflicts=True,
        )
        return len(_queue_rows(token))


def deliveries_resend(*, deliveries: QuerySet[ReminderDelivery], now: dt.datetime | None = None) -> int:
    """Give failed deliveries a fresh set of attempts and queue them."""
    now = now or timezone.now()
    token = uuid.uuid4().hex
    with transaction.atomic():
        deliveries.filter(status=Status.FAILED).update(
            status=Status.QUEUED, attempts=0, next_attempt_at=None, enqueued_at=now, dispatch_token=token,
            last_error="",
        )
        return len(_queue_rows(token))


# --- sending --------------------------------------------------------------------------------

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
