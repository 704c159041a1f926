"""The nightly retention job (schedule in ``CELERY_BEAT_SCHEDULE``)."""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(acks_late=True, ignore_result=True)
def apply_retention() -> int:
    """Apply every program's retention; safe to run twice (the second run removes nothing).
    Returns how many programs it applied."""
    return len(services.retention_apply())
