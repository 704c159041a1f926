"""Reminder tasks. The schedule lives in CELERY_BEAT_SCHEDULE (settings); both tasks take ids,
are acknowledged late and are safe to run twice (see services)."""

from __future__ import annotations

import uuid

from celery import shared_task

from . import services


@shared_task(acks_late=True, ignore_result=True)
def dispatch() -> dict:
    """Every five minutes: record and queue the reminders that are due."""
    return services.reminders_dispatch().as_dict()


@shared_task(bind=True, acks_late=True, ignore_result=True)
def send_deliveries(self, delivery_ids: list[int]) -> dict:
    """Send a batch of deliveries over one connection; queue the transient failures again
    with their backoff. The claim token is new for every run, so a duplicate or redelivered
    message never shares a claim with a run that is still alive."""
    token = f"{self.request.id or 'direct'}:{uuid.uuid4().hex[:12]}"
    result = services.deliveries_send(ids=delivery_ids, claim_token=token)
    for countdown, ids in result.retry.items():
        send_deliveries.apply_async(args=[ids], countdown=countdown)
    return result.as_dict()
