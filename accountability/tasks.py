"""Periodic nudges (schedule in ``CELERY_BEAT_SCHEDULE``). The emails are sent by the outbox's
task (mentorprogram.tasks.send_emails)."""

from __future__ import annotations

from celery import shared_task

from mentorprogram.task_base import TransactionAwareTask

from . import feedback, nudges


@shared_task(base=TransactionAwareTask, acks_late=True, ignore_result=True)
def dispatch_nudges() -> int:
    """Record the nudges now due and queue their emails (after commit)."""
    return len(nudges.nudges_dispatch())


@shared_task(base=TransactionAwareTask, acks_late=True, ignore_result=True)
def dispatch_feedback_requests() -> int:
    """Record the mentee feedback requests now due and queue their emails (after commit)."""
    return len(feedback.feedback_requests_dispatch())
