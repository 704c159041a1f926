"""Periodic work of the Mentor Community. Schedules live in CELERY_BEAT_SCHEDULE (settings)."""

from __future__ import annotations

import logging

from celery import shared_task

from .models import MeetingSeries
from .services import series_materialise

log = logging.getLogger(__name__)


@shared_task(acks_late=True)
def materialise_series(series_id: int) -> dict | None:
    """Keep one series' meetings made twelve months ahead. Safe to run any number of times."""
    series = MeetingSeries.objects.filter(pk=series_id).first()
    if series is None:
        return None
    result = series_materialise(series=series)
    return {"created": result.created, "updated": result.updated, "cancelled": result.cancelled}


@shared_task(acks_late=True)
def materialise_all_series() -> dict:
    """The daily horizon keeper. A series that fails is logged and skipped; the rest go on."""
    totals = {"series": 0, "created": 0, "failed": 0}
    for series_id in MeetingSeries.objects.filter(is_active=True).values_list("pk", flat=True):
        try:
            result = materialise_series(series_id)
        except Exception:
            log.exception("Could not make the meetings of series %s", series_id)
            totals["failed"] += 1
            continue
        totals["series"] += 1
        totals["created"] += result["created"] if result else 0
    return totals
