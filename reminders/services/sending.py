"""How the outbox builds meeting emails: the composer of ``OutboundEmail.Kind.MEETING``.

The outbox claims, sends and records (mentorprogram/outbox/); this module only loads a batch's
deliveries, renders what their recipients share once per meeting and time zone, and says which
ones are no longer due."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from community.models import AgendaItem, Meeting
from mentorprogram.models import OutboundEmail
from mentorprogram.outbox import Composed, Skip

from ..emails import MeetingMail, effective_kind
from ..models import ReminderDelivery
from ..selectors import recipient_memberships

Kind = ReminderDelivery.Kind


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


class MeetingComposer:
    """Reminders, change notices and cancellations, in a fixed number of queries per batch."""

    def prepare(self, emails: list[OutboundEmail], now: dt.datetime):
        deliveries = list(ReminderDelivery.objects.filter(email_id__in=[e.pk for e in emails]).select_related("user"))
        meetings = Meeting.objects.select_related("series__program", "presenter", "reading").in_bulk(
            {d.meeting_id for d in deliveries})
        by_email: dict[int, ReminderDelivery] = {}
        by_meeting: dict[int, list[int]] = defaultdict(list)
        for delivery in deliveries:
            delivery.meeting = meetings[delivery.meeting_id]  # one object per meeting, shared by its rows
            by_email[delivery.email_id] = delivery
            by_meeting[delivery.meeting_id].append(delivery.pk)
        members = set(recipient_memberships({m.series.program_id for m in meetings.values()}).filter(
            user_id__in={d.user_id for d in deliveries}).values_list("program_id", "user_id"))
        agendas: dict[int, list[AgendaItem]] = defaultdict(list)
        for item in AgendaItem.objects.filter(meeting_id__in=list(meetings)).select_related("topic"):
            agendas[item.meeting_id].append(item)
        for meeting_id, pks in by_meeting.items():
            # The SEQUENCE these emails carry; the dispatcher reads it only from the sent ones.
            ReminderDelivery.objects.filter(pk__in=pks).update(sent_sequence=meetings[meeting_id].sequence)
        mails: dict[tuple[int, str], MeetingMail] = {}

        def build(email: OutboundEmail) -> Composed:
            delivery = by_email.get(email.pk)
            if delivery is None:
                raise Skip("Nothing to remind of: its delivery was removed.")
            reason = _skip_reason(delivery, now, members)
            if reason:
                raise Skip(reason)
            kind = effective_kind(delivery.kind, delivery.meeting)
            mail = mails.get((delivery.meeting_id, kind))
            if mail is None:
                mail = mails[(delivery.meeting_id, kind)] = MeetingMail(
                    meeting=delivery.meeting, kind=kind, agenda=agendas[delivery.meeting_id])
            return Composed(mail.message(delivery), unsubscribe="reminders")

        return build
