"""System checks for settings that Django's own deployment checklist does not know about."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register

PER_PROCESS_CACHES = (
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
)


@register(Tags.security)
def check_rate_limit_cache(app_configs, **kwargs):
    """Sign-in rate limits are counted in the cache; the dummy cache counts nothing."""
    if settings.CACHES["default"]["BACKEND"] == "django.core.cache.backends.dummy.DummyCache":
        return [Error("The dummy cache disables the sign-in rate limits.",
                      hint="Set CACHE_URL to Redis (or leave the default local-memory cache in development).",
                      id="mentorprogram.E001")]
    return []


@register(Tags.security, deploy=True)
def check_shared_cache(app_configs, **kwargs):
    """In production several workers serve requests; a per-process cache splits every limit."""
    if settings.CACHES["default"]["BACKEND"] in PER_PROCESS_CACHES:
        return [Warning("The cache is per process, so each web worker keeps its own sign-in rate limits "
                        "and cached sessions.",
                        hint="Set CACHE_URL to a shared cache, e.g. redis://host:6379/1.",
                        id="mentorprogram.W001")]
    return []
