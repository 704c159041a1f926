from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from demo.seeders import core, seeder_modules


class Command(BaseCommand):
    help = "Create (or bring up to date) the demo program, its accounts and data. Safe to run repeatedly."

    def add_arguments(self, parser):
        parser.add_argument(
            "--mentors", type=int, default=core.DEFAULT_EXTRA_MENTORS,
            help=f"Add N more demo mentors with realistic data (default {core.DEFAULT_EXTRA_MENTORS}, enough for "
                 "every figure of the program report to show; 1000 for benchmarks; 0 for none).",
        )
        parser.add_argument("--force", action="store_true", help="Run even with DEBUG off.")

    def handle(self, *args, mentors: int, force: bool, **options):
        if not settings.DEBUG and not force:
            raise CommandError("DEBUG is off: the demo accounts have a published password. Use --force to seed anyway.")
        if mentors < 0:
            raise CommandError("--mentors must be zero or more.")
        program = core.seed_program()
        people = core.seed_people(program)
        extra = core.seed_extra_mentors(program, mentors) if mentors else []
        self.stdout.write(f"Program “{program.name}”: {len(people)} demo accounts, {len(extra)} extra mentors.")
        for module in seeder_modules():
            self.stdout.write(module.seed(program=program, people=people, mentors=extra))
        self.stdout.write(self.style.SUCCESS(f"Demo data ready (password “{core.DEMO_PASSWORD}”)."))
