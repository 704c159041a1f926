"""The dispatcher: which member gets which reminder, update or cancellation notice, and when.

It only ever *inserts* deliveries, guarded by unique constraints, so any number of ticks,
concurrent or not, make one row per meeting × person × lead (or × SEQUENCE for notices), and it
queues the rows it inserted after its transaction commits.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
import zoneinfo
from collections import defaultdict
from dataclasses import dataclass, field
from functools import partial

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from community.models import Meeting

from ..models import ReminderDelivery
from ..selectors import recipient_memberships, recipients_by_program

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
    from ..tasks import send_deliveries

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
