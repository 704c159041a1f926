"""Backups that can be restored: the database to one file, and that file back into a database.

PostgreSQL goes through its own client tools: ``pg_dump --format=custom`` writes the file and
``pg_restore`` reads it (the tools' major version must be the server's or newer). The embedded
SQLite database is copied with SQLite's online backup API, which gives a consistent copy even
while the app writes. Each function takes a Django ``DATABASES`` entry, so that a test can restore
into a fresh database beside the one it backed up; ``table_checksums`` says whether two databases
hold the same rows.

Backups hold everyone's private data: their folder is made readable by its owner only, and each
file is created mode 0600 before anything is written into it.
"""

from __future__ import annotations

import datetime
import hashlib
import os
import shutil
import sqlite3
import subprocess  # nosec B404
from contextlib import closing
from pathlib import Path
from typing import Any

from django.utils import timezone

POSTGRESQL = "postgresql"
SQLITE = "sqlite"


class BackupError(Exception):
    """The backup or restore could not be made; the message says why, in plain words."""


def vendor_of(database: dict) -> str:
    engine = database["ENGINE"]
    if engine.endswith("postgresql"):
        return POSTGRESQL
    if engine.endswith("sqlite3"):
        return SQLITE
    raise BackupError(f"Backups are made of PostgreSQL and SQLite databases only, not {engine}.")


def postgres_tool(name: str) -> str:
    """The path of ``pg_dump`` or ``pg_restore``, or a BackupError saying it is missing."""
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} is not installed (Debian: apt-get install postgresql-client).")
    return path


def _libpq_environment(database: dict) -> dict[str, str]:
    """Connection settings for the client tools, in their environment: a password never shows up
    in the process list."""
    env = dict(os.environ)
    for variable, key in (("PGHOST", "HOST"), ("PGPORT", "PORT"), ("PGUSER", "USER"),
                          ("PGPASSWORD", "PASSWORD"), ("PGDATABASE", "NAME")):
        if database.get(key):
            env[variable] = str(database[key])
    if database.get("OPTIONS", {}).get("sslmode"):
        env["PGSSLMODE"] = database["OPTIONS"]["sslmode"]
    return env


def _run(args: list[str], database: dict) -> None:
    # The PostgreSQL client tools, with an argument list of ours and no shell.
    done = subprocess.run(  # noqa: S603  # nosec B603
        args, env=_libpq_environment(database), capture_output=True, text=True, check=False,
    )
    if done.returncode != 0:
        raise BackupError(f"{Path(args[0]).name} failed: {done.stderr.strip() or done.returncode}")


def backup_name(database: dict, now: datetime.datetime | None = None) -> str:
    """``mentorprogram-20260301T021500Z.dump`` (PostgreSQL) or ``….sqlite3``: UTC, sortable."""
    stamp = (now or timezone.now()).astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    suffix = ".dump" if vendor_of(database) == POSTGRESQL else ".sqlite3"
    return f"mentorprogram-{stamp}{suffix}"


def _create_private(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        raise BackupError(f"{path} exists already; a backup never overwrites another.") from None


def backup_database(*, database: dict, directory: Path, now: datetime.datetime | None = None) -> Path:
    """Write a backup of ``database`` into ``directory`` under a timestamped name and return its path."""
    path = Path(directory) / backup_name(database, now)
    if vendor_of(database) == POSTGRESQL:
        pg_dump = postgres_tool("pg_dump")
        _create_private(path)
        try:
            _run([pg_dump, "--format=custom", "--no-password", f"--file={path}"], database)
            _run([postgres_tool("pg_restore"), "--list", str(path)], database)  # readable, whole
        except BackupError:
            path.unlink(missing_ok=True)
            raise
        return path
    source = Path(database["NAME"])
    if not source.is_file():
        raise BackupError(f"There is no SQLite database at {source}.")
    _create_private(path)
    try:
        with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(path)) as dst:
            src.backup(dst)
            if dst.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise BackupError(f"The copy at {path} failed SQLite's integrity check.")
    except (sqlite3.Error, BackupError):
        path.unlink(missing_ok=True)
        raise
    return path


def restore_database(*, database: dict, path: Path) -> None:
    """Replace what ``database`` holds with the backup at ``path``: every table of the backup is
    dropped and created again (PostgreSQL, in one transaction: all or nothing), or the SQLite file
    is overwritten page by page. Stop the web, worker and beat processes first."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"There is no backup at {path}.")
    if vendor_of(database) == POSTGRESQL:
        _run([postgres_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--no-privileges",
              "--single-transaction", "--exit-on-error", "--no-password", f"--dbname={database['NAME']}",
              str(path)], database)
        return
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as src:
            if src.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise BackupError(f"{path} is not a whole SQLite database.")
            with closing(sqlite3.connect(database["NAME"])) as dst:
                src.backup(dst)
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{path} is not an SQLite database ({error}).") from None


def _connect(database: dict) -> Any:
    if vendor_of(database) == POSTGRESQL:
        import psycopg

        return psycopg.connect(
            host=database.get("HOST") or None, port=database.get("PORT") or None,
            user=database.get("USER") or None, password=database.get("PASSWORD") or None,
            dbname=database["NAME"], sslmode=database.get("OPTIONS", {}).get("sslmode"),
        )
    return sqlite3.connect(f"file:{database['NAME']}?mode=ro", uri=True)


def table_checksums(database: dict) -> dict[str, tuple[int, str]]:
    """Every table's row count and an md5 of its rows in a fixed order, plus every sequence's
    position on PostgreSQL (a restore that lost them would hand out ids already taken)."""
    result: dict[str, tuple[int, str]] = {}
    connection = _connect(database)
    try:
        cursor = connection.cursor()
        if vendor_of(database) == POSTGRESQL:
            cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
            for (table,) in cursor.fetchall():
                quoted = '"' + table.replace('"', '""') + '"'
                # A table name from the catalog, quoted: not input.
                rows_md5 = "coalesce(md5(string_agg(t::text, E'\\n' ORDER BY t::text)), '')"
                cursor.execute(f"SELECT count(*), {rows_md5} FROM {quoted} AS t")  # noqa: S608  # nosec B608
                result[table] = tuple(cursor.fetchone())
            cursor.execute("SELECT schemaname || '.' || sequencename, coalesce(last_value, 0) FROM pg_sequences "
                           "WHERE schemaname = 'public'")
            for name, value in cursor.fetchall():
                result[f"sequence {name}"] = (value, "")
            return result
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        for (table,) in cursor.fetchall():
            quoted = '"' + table.replace('"', '""') + '"'
            rows = sorted(repr(row) for row in cursor.execute(f"SELECT * FROM {quoted}"))  # noqa: S608  # nosec B608
            result[table] = (len(rows), hashlib.md5("\n".join(rows).encode(), usedforsecurity=False).hexdigest())
        return result
    finally:
        connection.close()
