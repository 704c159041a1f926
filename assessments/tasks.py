"""Periodic assessment tasks (schedule in ``CELERY_BEAT_SCHEDULE``). The emails are sent by the
outbox's task (mentorprogram.tasks.send_emails)."""

from __future__ import annotations

from celery import shared_task

from mentorprogram.task_base import TransactionAwareTask

from . import follow_ups


@shared_task(base=TransactionAwareTask, acks_late=True, ignore_result=True)
def invite_follow_ups() -> int:
    """Daily: record and queue an invitation for each follow-up that has fallen due (once per due date)."""
    return len(follow_ups.follow_up_invitations_dispatch())
