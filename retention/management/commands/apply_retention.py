"""``manage.py apply_retention``: what the nightly task does, now, with a line per program.

``--dry-run`` says what would be removed and removes nothing (the run happens in a transaction
that is rolled back), e.g. before a superuser shortens a program's retention periods."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.db import transaction

from retention import services
from retention.models import COUNTED_KINDS


class Command(BaseCommand):
    help = "Apply every program's retention periods now (the nightly task does the same)."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true",
                            help="Say what would be removed; remove nothing and record no run.")

    def handle(self, *args, dry_run: bool, **options):
        with transaction.atomic():
            before = {run.pk: {kind: getattr(run, kind) for kind, _ in COUNTED_KINDS}
                      for run in services.RetentionRun.objects.all()}
            runs = services.retention_apply()
            for run in runs:
                earlier = before.get(run.pk, {})
                removed = [f"{label} {getattr(run, kind) - earlier.get(kind, 0)}" for kind, label in COUNTED_KINDS
                           if getattr(run, kind) - earlier.get(kind, 0)]
                if removed:
                    tail = " — a dry run: nothing was removed" if dry_run else ""
                    self.stdout.write(f"{run.program}: {'; '.join(removed)}{tail}.")
                else:
                    self.stdout.write(f"{run.program}: nothing is due.")
            if dry_run:
                transaction.set_rollback(True)
