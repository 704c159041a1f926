"""How long the outbox waits before the next attempt at an email (mentorprogram/outbox/): a 4xx
answer or network trouble is tried again with exponential backoff, up to REMINDERS_MAX_ATTEMPTS;
a 5xx answer is final (``outbox.sending.classify``)."""

from __future__ import annotations

import random

from django.conf import settings


def retry_delay(attempts: int) -> float:
    """Exponential backoff: base, 2 × base, 4 × base … capped, with a little jitter."""
    delay = settings.REMINDERS_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0)
    return min(delay, settings.REMINDERS_RETRY_MAX_SECONDS) * random.uniform(1.0, 1.2)  # noqa: S311 (jitter)
