"""A backup is only as good as its restore: back the demo data up, restore it into a fresh
database and into the one it came from, and compare every table's rows.

On PostgreSQL (CI) this runs pg_dump and pg_restore; on SQLite it copies the file with SQLite's
backup API. Without pg_dump the PostgreSQL case skips, except under CI=true, where it fails."""

from __future__ import annotations

import contextlib
import io
import os
import re
import shutil
import stat
import uuid
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from accountability.models import Mentee
from mentorprogram.models import User
from toolbox import backups

IN_CI = os.environ.get("CI") == "true"


def _require_client_tools() -> None:
    if connection.vendor != "postgresql":
        return
    missing = [tool for tool in ("pg_dump", "pg_restore") if shutil.which(tool) is None]
    if missing:
        reason = f"{' and '.join(missing)} not installed: the PostgreSQL backup cannot be tested here"
        if IN_CI:
            pytest.fail(reason)
        pytest.skip(reason)


@contextlib.contextmanager
def fresh_database(source: dict, tmp_path: Path):
    """An empty database beside the test database, with a name of its own, dropped afterwards."""
    if connection.vendor != "postgresql":
        yield {**source, "NAME": str(tmp_path / "fresh.sqlite3")}
        return
    import psycopg

    name = f"restore_check_{uuid.uuid4().hex[:12]}"
    admin = psycopg.connect(host=source.get("HOST") or None, port=source.get("PORT") or None,
                            user=source.get("USER") or None, password=source.get("PASSWORD") or None,
                            dbname="postgres", autocommit=True)
    try:
        admin.execute(f'CREATE DATABASE "{name}"')
        yield {**source, "NAME": name}
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def _backup(directory: Path) -> Path:
    out = io.StringIO()
    call_command("backup", directory=directory, stdout=out)
    return Path(out.getvalue().strip())


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # puts back the migrated rows
def test_the_demo_data_round_trips_through_a_backup(tmp_path):
    _require_client_tools()
    call_command("seed_demo", mentors=2, force=True, stdout=io.StringIO())
    source = dict(connection.settings_dict)
    expected = backups.table_checksums(source)
    assert expected["mentorprogram_user"][0] >= 5 and expected["accountability_menteemeeting"][0] > 0

    path = _backup(tmp_path / "backups")

    suffix = "dump" if connection.vendor == "postgresql" else "sqlite3"
    assert re.fullmatch(rf"mentorprogram-\d{{8}}T\d{{6}}Z\.{suffix}", path.name)
    assert path.parent == tmp_path / "backups"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600  # everyone's private data: its owner's only
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700

    # 1. Into a fresh database: every table, its row count and its rows' checksum are the same.
    with fresh_database(source, tmp_path) as target:
        backups.restore_database(database=target, path=path)
        restored = backups.table_checksums(target)
    assert restored.keys() == expected.keys()
    assert restored == expected

    # 2. Over the database it came from, after a loss: `manage.py restore` brings every row back.
    Mentee.objects.all().delete()
    User.objects.filter(email="mentor@example.org").update(display_name="Changed after the backup")
    assert backups.table_checksums(source) != expected
    call_command("restore", path, interactive=False, stdout=io.StringIO())
    assert backups.table_checksums(source) == expected
    assert User.objects.get(email="mentor@example.org").display_name != "Changed after the backup"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # puts back the migrated rows
def test_restore_asks_first_and_changes_nothing_without_a_yes(tmp_path, monkeypatch, mentor):
    _require_client_tools()
    path = _backup(tmp_path)
    User.objects.filter(pk=mentor.pk).update(display_name="Kept")
    monkeypatch.setattr("builtins.input", lambda prompt: "no")

    with pytest.raises(CommandError, match="Nothing was restored"):
        call_command("restore", path, stdout=io.StringIO())

    assert User.objects.get(pk=mentor.pk).display_name == "Kept"


def test_restore_refuses_a_file_that_is_not_there(tmp_path, db):
    with pytest.raises(CommandError, match="There is no backup at"):
        call_command("restore", tmp_path / "missing.dump", interactive=False)


def test_a_backup_never_overwrites_another(tmp_path, db):
    _require_client_tools()
    now = backups.timezone.now()
    database = dict(connection.settings_dict)
    existing = tmp_path / backups.backup_name(database, now)
    existing.write_text("an older backup")

    with pytest.raises(backups.BackupError, match="exists already"):
        backups.backup_database(database=database, directory=tmp_path, now=now)

    assert existing.read_text() == "an older backup"


def test_a_missing_pg_dump_is_named(monkeypatch):
    monkeypatch.setattr(backups.shutil, "which", lambda name: None)
    with pytest.raises(backups.BackupError, match="pg_dump is not installed"):
        backups.postgres_tool("pg_dump")
