"""Background jobs of the core: the outbox's send task and its sweep, invitations, and copies of
people's data.

Every task here takes ids, is acknowledged late and is queued only after the transaction that
recorded its rows commits (``TransactionAwareTask``)."""

from __future__ import annotations

import logging
import time
import uuid

from celery import shared_task
from django.conf import settings
from django.utils.dateparse import parse_datetime

from . import onboarding, outbox
from .task_base import TransactionAwareTask


def _deadline(task, started: float) -> float | None:
    """The last moment a send task begins a message: its soft time limit less a margin."""
    limits = task.request.timelimit or (None, None)
    soft = limits[1] or task.soft_time_limit or task.app.conf.task_soft_time_limit
    if not soft:
        return None
    return started + soft - min(settings.OUTBOX_TIME_MARGIN, soft / 4)


log = logging.getLogger(__name__)


@shared_task(base=TransactionAwareTask, bind=True, acks_late=True, ignore_result=True)
def send_emails(self, email_ids: list[int]) -> dict:
    """Send a batch of outbox rows over one connection; queue the transient failures again with
    their backoff, and what the batch had no time for at once. The claim token is new for every
    run, so a duplicate or redelivered message never shares a claim with a run still alive."""
    started = time.monotonic()
    token = f"{self.request.id or 'direct'}:{uuid.uuid4().hex[:12]}"
    result = outbox.outbox_send(ids=email_ids, claim_token=token, deadline=_deadline(self, started))
    for countdown, ids in result.retry.items():
        send_emails.apply_async(args=[ids], countdown=countdown)
    if result.released:
        send_emails.apply_async(args=[result.released])
    log.info("outbox batch %s", result.as_dict(), extra={"outbox": result.as_dict()})
    return result.as_dict()


@shared_task(base=TransactionAwareTask, acks_late=True, ignore_result=True)
def sweep_outbox() -> dict:
    """Every minute: hand out again the emails of lost workers and lost task messages."""
    return outbox.outbox_sweep()


@shared_task(base=TransactionAwareTask, acks_late=True, ignore_result=True)
def send_invitation(membership_id: int, base_url: str, requested_at: str) -> bool:
    """Record one invitation in the outbox (messages queued before invitations went through it)."""
    return onboarding.invitation_send(
        membership_id=membership_id, base_url=base_url, requested_at=parse_datetime(requested_at)
    )


@shared_task(base=TransactionAwareTask, acks_late=True, ignore_result=True)
def build_data_export(export_id: int) -> bool:
    """Make a person's copy of their data and record the email that offers it. A copy that cannot be
    made is marked failed (the person may ask again), never retried in a loop."""
    from .models import DataExport
    from .privacy.export import data_export_build

    try:
        return data_export_build(export_id=export_id)
    except Exception:
        log.exception("data export %s failed", export_id)
        DataExport.objects.filter(pk=export_id, status=DataExport.Status.PENDING).update(
            status=DataExport.Status.FAILED)
        return False


@shared_task(base=TransactionAwareTask, acks_late=True, ignore_result=True)
def purge_data_exports() -> int:
    """Hourly: copies of people's data whose links have expired are deleted."""
    from .privacy.export import data_export_purge

    return data_export_purge()
