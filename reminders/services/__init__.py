"""Writes for reminders: the dispatcher (``dispatch``) decides who gets which email and records
it in the outbox; the composer (``sending``) builds the messages when the outbox sends them.

Exactly once, as far as it can be had (README, "Exactly once"): the dispatcher only ever
*inserts* deliveries and their outbox emails, guarded by unique constraints, so any number of
ticks, concurrent or not, make one row per meeting × person × lead (or × SEQUENCE for notices);
the outbox claims, sends, retries and recovers them (mentorprogram/outbox/).
"""

from .dispatch import (
    MAX_LEAD_DAYS,
    DispatchResult,
    dedupe_key,
    deliveries_resend,
    lead_due_at,
    meeting_send_reminders_now,
    plan_deliveries,
    reminders_dispatch,
)
from .sending import MeetingComposer

__all__ = [
    "MAX_LEAD_DAYS", "DispatchResult", "MeetingComposer", "dedupe_key", "deliveries_resend", "lead_due_at",
    "meeting_send_reminders_now", "plan_deliveries", "reminders_dispatch",
]
