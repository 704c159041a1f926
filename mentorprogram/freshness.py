"""Stamps that change with every write to the database, so pages may keep what they read in
the cache and know when it went stale.

Every INSERT, UPDATE or DELETE that Django sends (ORM, bulk operations and ``update()`` included,
from web requests, tasks and commands alike) sets a new stamp for the table it writes, and the
*global* stamp, in the shared cache — and again when its transaction commits, so a reader that
cached the old rows between the write and the commit does not keep them.

A value is cached with the stamps it was read under and used only while they are unchanged:

* by default the global stamp, which any write moves (the dashboard, the community page and the
  program report read from nearly every app);
* with ``tables=``, the stamps of just those tables (the signed-in user: its row and memberships),
  so that writes elsewhere leave it alone.

Writes to tables that no cached value reads — email delivery bookkeeping, the beat schedule, the
admin log — move only their own stamp, so that a reminder fan-out does not empty every cache.
Values also carry a short time-to-live, which bounds staleness for what the stamps cannot see:
edits made outside Django, and the passage of time itself (the next meeting becoming the last).
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable, Iterable
from typing import Any

from django.core.cache import cache
from django.db import transaction

STAMP_KEY = "freshness:stamp"
"""The global stamp: moved by a write to any table but the quiet ones."""
ANY_TABLE_KEY = "freshness:stamp:*"
"""Moved by ``bump()`` with no table, and by writes whose table cannot be read from the SQL:
every table-scoped value checks it too."""
_IGNORED_TABLES = frozenset({"django_session"})  # sessions have their own store and expiry
QUIET_TABLES = frozenset({
    "reminders_reminderdelivery", "accountability_nudge", "django_admin_log",
    "django_celery_beat_periodictask", "django_celery_beat_periodictasks",
})
_WRITE = re.compile(r'\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+[`"]?(\w+)', re.IGNORECASE)
_WRITE_VERBS = ("INSERT", "UPDATE", "DELETE")


def table_key(table: str) -> str:
    return f"freshness:stamp:{table}"


def bump(*tables: str) -> None:
    """Mark stale what was read from these tables (and, unless all are quiet, every value kept
    under the global stamp). With no table: everything cached so far."""
    stamp = uuid.uuid4().hex
    keys = [table_key(t) for t in tables] if tables else [ANY_TABLE_KEY]
    if not tables or any(t not in QUIET_TABLES for t in tables):
        keys.append(STAMP_KEY)
    cache.set_many(dict.fromkeys(keys, stamp), None)


def _written_table(sql: str) -> str | None:
    """The table a write statement changes; "" for a write whose table we cannot read; None for
    a read (or a write to an ignored table)."""
    head = sql.lstrip()[:120]
    if head[:6].upper() not in _WRITE_VERBS:
        return None
    match = _WRITE.match(head)
    table = match.group(1) if match else ""
    return None if table in _IGNORED_TABLES else table


class _CommitBump:
    """The one commit hook of a transaction: bumps every table it wrote, once, after commit."""

    def __init__(self) -> None:
        self.tables: set[str] = set()

    def __call__(self) -> None:
        _bump_written(self.tables)


def _bump_written(tables: Iterable[str]) -> None:
    tables = set(tables)
    if "" in tables:
        bump()
    else:
        bump(*tables)


def watch_writes(execute, sql, params, many, context):
    """Database execute wrapper: a write moves its table's stamp now, and again at commit."""
    result = execute(sql, params, many, context)
    table = _written_table(sql)
    if table is not None:
        _bump_written([table])
        connection = context["connection"]
        if connection.in_atomic_block:
            hook = next((entry[1] for entry in connection.run_on_commit if isinstance(entry[1], _CommitBump)), None)
            if hook is None:
                hook = _CommitBump()
                transaction.on_commit(hook, using=connection.alias)
            hook.tables.add(table)
    return result


def install(sender=None, connection=None, **kwargs) -> None:
    """``connection_created`` receiver: watch this connection's writes."""
    if watch_writes not in connection.execute_wrappers:
        connection.execute_wrappers.append(watch_writes)


def cached(key: str, compute: Callable[[], Any], *, timeout: int,
           tables: Iterable[str] | None = None) -> tuple[Any, float]:
    """The value cached under ``key`` if no write touched what it depends on since it was stored
    (any table, or only ``tables``) and it is younger than ``timeout`` seconds, else ``compute()``
    stored afresh. Returns (value, computed-at timestamp). One cache round trip on a hit."""
    stamp_keys = [STAMP_KEY] if tables is None else [ANY_TABLE_KEY, *(table_key(t) for t in tables)]
    found = cache.get_many([*stamp_keys, key])
    stamps = tuple(found.get(k) for k in stamp_keys)
    entry = found.get(key)
    if entry is not None and None not in stamps and entry[0] == stamps:
        return entry[2], entry[1]
    if None in stamps:
        for k in stamp_keys:
            cache.add(k, uuid.uuid4().hex, None)
        found = cache.get_many(stamp_keys)
        stamps = tuple(found.get(k) for k in stamp_keys)
    value = compute()
    at = time.time()
    cache.set(key, (stamps, at, value), timeout)
    return value, at
