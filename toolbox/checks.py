"""System checks for settings that Django's own deployment checklist does not know about."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security)
def check_rate_limit_cache(app_configs, **kwargs):
    """Sign-in rate limits are counted in the cache; the dummy cache counts nothing."""
    if settings.CACHES["default"]["BACKEND"] == "django.core.cache.backends.dummy.DummyCache":
        return [Error("The dummy cache disables the sign-in rate limits.",
                      hint="Set CACHE_URL to Redis (or leave the default local-memory cache in development).",
                      id="mentorprogram.E001")]
    return []



@register()
def check_outbox_claim_timeout(app_configs, **kwargs):
    """A claim that times out while its task may still be sending lets a second worker send the
    same emails: the claim timeout must outlast the task's hard time limit."""
    hard = settings.CELERY_TASK_TIME_LIMIT
    if hard and hard >= settings.REMINDERS_CLAIM_TIMEOUT:
        return [Error(
            f"REMINDERS_CLAIM_TIMEOUT ({settings.REMINDERS_CLAIM_TIMEOUT:g} s) must be longer than "
            f"CELERY_TASK_TIME_LIMIT ({hard:g} s), or a batch still being sent is handed to a second worker "
            "and its emails go out twice.",
            hint="Raise REMINDERS_CLAIM_TIMEOUT (default 600) or lower the task time limit.",
            id="mentorprogram.E002")]
    return []
