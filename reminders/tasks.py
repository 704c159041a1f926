"""Reminder tasks. The schedule lives in CELERY_BEAT_SCHEDULE (settings); the emails themselves
are sent by the outbox's task (mentorprogram.tasks.send_emails)."""

from __future__ import annotations

from celery import shared_task

from mentorprogram.models import OutboundEmail
from mentorprogram.outbox import publish
from mentorprogram.task_base import TransactionAwareTask

from . import services
from .models import ReminderDelivery


@shared_task(base=TransactionAwareTask, acks_late=True, ignore_result=True)
def dispatch() -> dict:
    """Every five minutes: record and queue the reminders that are due."""
    return services.reminders_dispatch().as_dict()


@shared_task(base=TransactionAwareTask, acks_late=True, ignore_result=True)
def send_deliveries(delivery_ids: list[int]) -> int:
    """Hand a batch queued before reminders went through the outbox to the outbox's task."""
    ids = list(ReminderDelivery.objects.filter(pk__in=delivery_ids, email__status=OutboundEmail.Status.QUEUED)
               .values_list("email_id", flat=True))
    if ids:
        publish([ids])
    return len(ids)
