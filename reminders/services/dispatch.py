"""The dispatcher: which member gets which reminder, update or cancellation notice, and when.

It only ever *inserts* deliveries and their outbox emails, guarded by unique constraints, so
any number of ticks, concurrent or not, make one row per meeting × person × lead (or × SEQUENCE
for notices), and it queues the rows it inserted after its transaction commits. Claims of lost
workers and task messages the broker lost are the outbox's sweep's (mentorprogram/outbox/).
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
import zoneinfo
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from community.models import Meeting
from mentorprogram.models import OutboundEmail
from mentorprogram.outbox import outbox_enqueue, outbox_queue, outbox_resend

from ..models import ReminderDelivery
from ..selectors import recipient_memberships, recipients_by_program

log = logging.getLogger(__name__)

Status = ReminderDelivery.Status
Kind = ReminderDelivery.Kind

MAX_LEAD_DAYS = 60


def lead_due_at(meeting: Meeting, lead_days: int) -> dt.datetime:
    """When a lead's reminder is due: the meeting's local wall-clock time ``lead_days`` days
    earlier, so a noon meeting is reminded at noon even across a daylight-saving change."""
    local = meeting.starts_at.astimezone(meeting.series.zone)
    wall = local.replace(tzinfo=None) - dt.timedelta(days=lead_days)
    return wall.replace(tzinfo=meeting.series.zone)


@dataclass
class DispatchResult:
    created: int = 0
    queued_ids: list[int] = field(default_factory=list)
    """The outbox ids queued."""

    def as_dict(self) -> dict:
        return {"created": self.created, "queued": len(self.queued_ids)}


@dataclass
class _Received:
    """What one person already has for one meeting."""

    leads: set[int] = field(default_factory=set)
    notices: set[tuple[str, int]] = field(default_factory=set)
    max_sent_sequence: int | None = None
    pending: bool = False
    reachable: bool = True


def _meetings_to_consider(now: dt.datetime) -> list[Meeting]:
    already_invited = ReminderDelivery.objects.filter(meeting=OuterRef("pk"), email__status=Status.SENT)
    return list(
        Meeting.objects.filter(starts_at__gt=now, status__in=[Meeting.Status.SCHEDULED, Meeting.Status.CANCELLED])
        .filter(Q(starts_at__lte=now + dt.timedelta(days=MAX_LEAD_DAYS + 1)) | Exists(already_invited))
        .select_related("series__program")
    )


def _received(meeting_ids: list[int]) -> dict[int, dict[int, _Received]]:
    """meeting id → user id → what they already have, in one query."""
    result: dict[int, dict[int, _Received]] = defaultdict(dict)
    rows = ReminderDelivery.objects.filter(meeting_id__in=meeting_ids).values_list(
        "meeting_id", "user_id", "kind", "lead_days", "sequence", "email__status", "sent_sequence",
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


def dedupe_key(delivery: ReminderDelivery) -> str:
    """The outbox key of a delivery: the same meeting × person × lead (or kind × SEQUENCE)."""
    if delivery.kind == Kind.REMINDER:
        return f"{delivery.meeting_id}:{delivery.user_id}:lead:{delivery.lead_days}"
    return f"{delivery.meeting_id}:{delivery.user_id}:{delivery.kind}:{delivery.sequence}"


def _record(new: list[ReminderDelivery], *, now: dt.datetime, token: str) -> None:
    """Insert the deliveries and their outbox emails; rows that exist already are left alone."""
    emails = outbox_enqueue([
        OutboundEmail(kind=OutboundEmail.Kind.MEETING, dedupe_key=dedupe_key(d), user_id=d.user_id,
                      program_id=d.meeting.series.program_id, context={"meeting": d.meeting_id})
        for d in new
    ], now=now, dispatch_token=token)
    for delivery in new:
        delivery.created_at = now
        delivery.email = emails[dedupe_key(delivery)]
    ReminderDelivery.objects.bulk_create(new, ignore_conflicts=True)


def reminders_dispatch(*, now: dt.datetime | None = None) -> DispatchResult:
    """One dispatcher tick: record the deliveries that are due and queue them once the
    transaction commits."""
    now = now or timezone.now()
    token = uuid.uuid4().hex
    result = DispatchResult()
    with transaction.atomic():
        _record(plan_deliveries(now=now), now=now, token=token)
        result.queued_ids = outbox_queue(dispatch_token=token)
        result.created = len(result.queued_ids)
    return result


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
        _record([ReminderDelivery(meeting=meeting, user_id=user_id, kind=Kind.REMINDER,
                                  lead_days=ReminderDelivery.MANUAL_LEAD) for user_id in sorted(user_ids)],
                now=now, token=token)
        return len(outbox_queue(dispatch_token=token))


def deliveries_resend(*, deliveries: QuerySet[ReminderDelivery], now: dt.datetime | None = None) -> int:
    """Give failed deliveries a fresh set of attempts and queue them."""
    return outbox_resend(emails=OutboundEmail.objects.filter(reminder_delivery__in=deliveries), now=now)
