"""A stamp that changes with every write to the database, so pages may keep what they read in
the cache and know when it went stale.

Every INSERT, UPDATE or DELETE that Django sends (ORM, bulk operations and ``update()`` included,
from web requests, tasks and commands alike) sets a new stamp in the shared cache, and again when
its transaction commits. A cached value stored with the stamp it was read under is used only
while the stamp is unchanged, so a change shows on the next request. Values also carry a short
time-to-live, which bounds staleness for what the stamp cannot see: edits made outside Django,
and the passage of time itself (the next meeting becoming the last one).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.db import transaction

STAMP_KEY = "freshness:stamp"
_WRITES = ("INSERT", "UPDATE", "DELETE")
_IGNORED_TABLES = ("django_session",)


def bump() -> None:
    """Mark everything cached so far as stale."""
    cache.set(STAMP_KEY, uuid.uuid4().hex, None)


def _is_write(sql: str) -> bool:
    head = sql.lstrip()[:80]
    return head[:6].upper() in _WRITES and not any(table in head for table in _IGNORED_TABLES)


def watch_writes(execute, sql, params, many, context):
    """Database execute wrapper: a write makes a new stamp now and again at commit, so a reader
    that cached the old rows between the write and the commit does not keep them (one commit hook
    per transaction, however many rows it writes)."""
    result = execute(sql, params, many, context)
    if _is_write(sql):
        bump()
        connection = context["connection"]
        if connection.in_atomic_block and not any(entry[1] is bump for entry in connection.run_on_commit):
            transaction.on_commit(bump, using=connection.alias)
    return result


def install(sender=None, connection=None, **kwargs) -> None:
    """``connection_created`` receiver: watch this connection's writes."""
    if watch_writes not in connection.execute_wrappers:
        connection.execute_wrappers.append(watch_writes)


def cached(key: str, compute: Callable[[], Any], *, timeout: int) -> tuple[Any, float]:
    """The value cached under ``key`` if no write happened since it was stored and it is younger
    than ``timeout`` seconds, else ``compute()`` stored afresh. Returns (value, computed-at
    timestamp). One cache round trip on a hit."""
    import time

    found = cache.get_many([STAMP_KEY, key])
    stamp = found.get(STAMP_KEY)
    entry = found.get(key)
    if stamp is not None and entry is not None and entry[0] == stamp:
        return entry[2], entry[1]
    if stamp is None:
        stamp = uuid.uuid4().hex
        cache.add(STAMP_KEY, stamp, None)
        stamp = cache.get(STAMP_KEY, stamp)
    value = compute()
    at = time.time()
    cache.set(key, (stamp, at, value), timeout)
    return value, at
