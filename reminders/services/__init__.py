"""Writes for reminders: the dispatcher (``dispatch``) decides who gets which email, the sender
(``sending``) claims deliveries, talks to the mail server and records the outcome.

Exactly once, as far as it can be had (README, "Reminders in production"):

* The dispatcher only ever *inserts* deliveries, guarded by unique constraints, so any number
  of ticks, concurrent or not, make one row per meeting × person × lead (or × SEQUENCE for
  notices). It queues the rows it inserted after its transaction commits.
* A sender claims rows with one conditional UPDATE (queued → sending, with its own claim
  token) and sends only the rows that carry its token, so a duplicate or redelivered task
  finds nothing to do; it marks each row sent once the server has accepted it.
* A worker killed mid-batch leaves rows in ``sending``. Once their claim is older than
  REMINDERS_CLAIM_TIMEOUT (longer than the task time limit, so their worker is certainly
  gone) they are claimed again — by the redelivered task or by the dispatcher's sweep. Of
  those rows only the one in flight at the kill can have reached the server; it is sent again
  (at least once, with the same Message-ID) rather than dropped, because a lost reminder is
  worse than a rare duplicate that receiving servers may fold by Message-ID.
"""

from .dispatch import (
    MAX_LEAD_DAYS,
    DispatchResult,
    deliveries_resend,
    lead_due_at,
    meeting_send_reminders_now,
    plan_deliveries,
    reminders_dispatch,
)
from .sending import MarkFailed, SendResult, claim, deliveries_send

__all__ = [
    "MAX_LEAD_DAYS", "DispatchResult", "MarkFailed", "SendResult", "claim", "deliveries_resend", "deliveries_send",
    "lead_due_at", "meeting_send_reminders_now", "plan_deliveries", "reminders_dispatch",
]
