"""Periodic nudges (schedule in ``CELERY_BEAT_SCHEDULE``). Tasks take ids, call the service and
are safe to run twice: the sender's claim decides who sends (see ``nudges``)."""

from __future__ import annotations

from celery import shared_task

from . import nudges


def queue_send(nudge_id: int) -> None:
    send_nudge.delay(nudge_id)


@shared_task(acks_late=True, ignore_result=True)
def dispatch_nudges() -> int:
    """Record the nudges now due and queue one send task per claimable nudge (after commit)."""
    return len(nudges.nudges_dispatch(enqueue=queue_send))


@shared_task(acks_late=True, ignore_result=True)
def send_nudge(nudge_id: int) -> str | None:
    """Send one nudge; after a transient failure, queue this task again for when its backoff ends."""
    outcome = nudges.nudge_send(nudge_id=nudge_id)
    if outcome.retry_in is not None:
        send_nudge.apply_async(args=[nudge_id], countdown=outcome.retry_in)
    return outcome.status
