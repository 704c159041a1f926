"""Liveness of what requests and tasks depend on: the database, the cache and the broker."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from kombu import Connection


def database_ok() -> tuple[bool, str]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any failure means "not answering"
        return False, exc.__class__.__name__
    return True, "ok"


def broker_ok(timeout: float = 2.0) -> tuple[bool, str]:
    options = dict(getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {}))
    try:
        with Connection(settings.CELERY_BROKER_URL, connect_timeout=timeout, transport_options=options) as conn:
            conn.ensure_connection(max_retries=1, timeout=timeout)
            # A file-system "connection" always succeeds; opening a channel checks its folders.
            conn.default_channel.close()
    except Exception as exc:
        return False, exc.__class__.__name__
    return True, "ok"


def cache_ok() -> tuple[bool, str]:
    """The cache itself, not the per-process stand-in the site falls back on while Redis is down."""
    try:
        if hasattr(cache, "ping"):
            cache.ping()
        else:
            key = f"healthz:{uuid.uuid4().hex}"
            cache.set(key, 1, 5)
            if cache.get(key) != 1:
                return False, "not kept"
            cache.delete(key)
    except Exception as exc:
        return False, exc.__class__.__name__
    return True, "ok"


@require_GET
@never_cache
def healthz(request):
    """JSON, always: 200 when the database, the cache and the broker answer, else 503 naming the one
    that does not. ``HealthzMiddleware`` serves it before sessions and sign-in are looked at."""
    checks = {"database": database_ok(), "cache": cache_ok(), "broker": broker_ok()}
    status = 200 if all(ok for ok, _ in checks.values()) else 503
    return JsonResponse({name: state for name, (_, state) in checks.items()}, status=status)
