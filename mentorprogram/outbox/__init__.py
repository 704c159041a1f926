"""The outbox: every automatic email of the project, sent exactly once as far as a system can
promise it (README, "Exactly once").

* Each email is one ``OutboundEmail`` row, unique per kind and dedupe key, recorded in the same
  transaction as what it is about; its send task is queued only once that transaction commits.
* A sender claims its rows with one conditional UPDATE (queued → sending, with a token of its
  own) and writes each outcome only while the claim is still its own, so a duplicate,
  redelivered or concurrent task sends nothing twice.
* The message is built when it is sent, by the composer its kind registered
  (``composers.register``); one connection of Django's configured email backend carries a batch.
* 5xx answers are final; 4xx answers and network trouble are retried with backoff. A mail server
  that received the whole message but whose answer never came counts as having accepted it.
* A batch stops between two messages before its time limit and gives the rest back; the
  dispatcher's sweep hands out again what a killed worker held, or what the broker lost, once
  its claim timeout has passed.
"""

from __future__ import annotations

from .composers import Composed, Skip, register
from .queueing import outbox_enqueue, outbox_queue, outbox_resend, outbox_sweep, publish
from .sending import SendResult, claim, outbox_send

__all__ = [
    "Composed", "SendResult", "Skip", "claim", "outbox_enqueue", "outbox_queue", "outbox_resend", "outbox_send",
    "outbox_sweep", "publish", "register",
]
