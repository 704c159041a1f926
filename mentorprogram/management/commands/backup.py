"""``manage.py backup`` (``make backup``): the database to one timestamped file under BACKUP_DIR."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections

from toolbox import backups


class Command(BaseCommand):
    help = ("Back the database up to one file: pg_dump's custom format on PostgreSQL, a consistent copy "
            "of the file on SQLite. Prints the file's path.")

    def add_arguments(self, parser):
        parser.add_argument("--directory", type=Path, default=None,
                            help="Where to write it (default: BACKUP_DIR, var/backups/).")

    def handle(self, *args, directory: Path | None, **options):
        database = connections[DEFAULT_DB_ALIAS].settings_dict
        try:
            path = backups.backup_database(database=database, directory=directory or settings.BACKUP_DIR)
        except backups.BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(str(path))
