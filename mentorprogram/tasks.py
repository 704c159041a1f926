"""Background jobs of the core: invitation emails."""

from __future__ import annotations

from celery import shared_task
from django.utils.dateparse import parse_datetime

from . import onboarding


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=60, max_retries=5)
def send_invitation(membership_id: int, base_url: str, requested_at: str) -> bool:
    """Send one invitation email; a duplicate or redelivered message sends nothing."""
    return onboarding.invitation_send(
        membership_id=membership_id, base_url=base_url, requested_at=parse_datetime(requested_at)
    )
