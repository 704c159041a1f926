"""Periodic nudges (schedule in ``CELERY_BEAT_SCHEDULE``). Tasks take ids and call the service."""

from __future__ import annotations

from celery import shared_task

from . import nudges


@shared_task(acks_late=True, ignore_result=True)
def dispatch_nudges() -> int:
    """Record the nudges now due and queue one send task per pending nudge (after commit)."""
    return len(nudges.nudges_dispatch(enqueue=lambda pk: send_nudge.delay(pk)))


@shared_task(acks_late=True, ignore_result=True, max_retries=0)
def send_nudge(nudge_id: int) -> bool:
    return nudges.nudge_send(nudge_id=nudge_id)
