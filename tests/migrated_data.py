"""Putting back the rows the migrations made (topics, default instruments, the seed catalog…)
after tests that empty the tables: live-server and real-worker tests commit, so they end with a
flush that takes those rows with them."""

from __future__ import annotations

from django.apps import apps
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection


def restore_migrated_data(*, flush: bool = True) -> None:
    """Reload the state the test run serialized after migrating, then move every sequence past
    the reloaded ids (PostgreSQL's flush restarts them at 1, and the rows come back with their ids)."""
    contents = getattr(connection, "_test_serialized_contents", None)
    if not contents:
        return
    if flush:
        call_command("flush", verbosity=0, interactive=False, inhibit_post_migrate=True)
    connection.creation.deserialize_db_from_string(contents)
    statements = connection.ops.sequence_reset_sql(no_style(), apps.get_models(include_auto_created=True))
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)
