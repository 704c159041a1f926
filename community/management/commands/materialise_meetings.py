from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from community.models import MeetingSeries
from community.services import HORIZON_MONTHS, series_materialise


class Command(BaseCommand):
    help = "Make the meetings of every active series for the coming months. Safe to run repeatedly."

    def add_arguments(self, parser):
        parser.add_argument("--months", type=int, default=HORIZON_MONTHS, help="How far ahead (default 12).")
        parser.add_argument("--series", type=int, action="append", help="Only this series id (repeatable).")

    def handle(self, *args, months: int, series: list[int] | None, **options):
        if not 1 <= months <= 36:
            raise CommandError("--months must be between 1 and 36.")
        qs = MeetingSeries.objects.filter(is_active=True).select_related("program")
        if series:
            qs = qs.filter(pk__in=series)
        for s in qs:
            result = series_materialise(series=s, months=months)
            self.stdout.write(
                f"{s}: {result.created} created, {result.updated} updated, {result.cancelled} cancelled."
            )
