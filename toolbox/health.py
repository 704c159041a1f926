"""Liveness of the two things every request and task depends on."""

from __future__ import annotations

from django.conf import settings
from django.db import connection
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
