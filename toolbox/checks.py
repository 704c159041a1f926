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

