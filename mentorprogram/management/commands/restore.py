"""``manage.py restore FILE`` (``make restore FILE=…``): replace the database with a backup."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections

from toolbox import backups


class Command(BaseCommand):
    help = ("Replace everything in the database with a backup made by `manage.py backup`. Stop the web, "
            "worker and beat processes first.")

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="The backup: a .dump (PostgreSQL) or .sqlite3 file.")
        parser.add_argument("--noinput", "--no-input", action="store_false", dest="interactive",
                            help="Do not ask for confirmation.")

    def handle(self, *args, file: Path, interactive: bool, **options):
        database = connections[DEFAULT_DB_ALIAS].settings_dict
        if not file.is_file():
            raise CommandError(f"There is no backup at {file}.")
        if interactive:
            answer = input(f"This replaces everything in the database {database['NAME']} with {file}.\n"
                           "Type 'yes' to go on: ")
            if answer.strip().lower() != "yes":
                raise CommandError("Nothing was restored.")
        connections.close_all()  # ours must not hold the tables pg_restore drops, nor the SQLite file
        try:
            backups.restore_database(database=database, path=file)
        except backups.BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(self.style.SUCCESS(f"Restored {file}."))
