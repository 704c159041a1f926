"""The base class of every task that is queued after a write (pretix's TransactionAwareTask)."""

from __future__ import annotations

from celery import Task
from django.db import transaction


class TransactionAwareTask(Task):
    """Queued only once the surrounding transaction commits (and never if it rolls back), so a
    worker never looks for rows that are not there yet. Outside a transaction it is queued at once."""

    abstract = True

    def apply_async(self, args=None, kwargs=None, **options):
        if transaction.get_connection().in_atomic_block:
            transaction.on_commit(lambda: super(TransactionAwareTask, self).apply_async(args, kwargs, **options))
            return None
        return super().apply_async(args, kwargs, **options)
