"""``manage.py preflight``: refuse to serve unless this is a production configuration.

``deploy/entrypoint.sh web`` runs it before gunicorn starts. It fails (exit status 1) when
``DEBUG`` is on, when the static files' manifest is missing (with ``DEBUG`` off every page that
links a static file would be a 500), when migrations are not applied yet, when the cache is
private to each process (sessions, flash messages and rate limits must be shared by every web
node), or when Django's deployment checklist reports an error."""

from __future__ import annotations

from django.conf import settings
from django.contrib.staticfiles.storage import ManifestFilesMixin, staticfiles_storage
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor

PER_PROCESS_CACHES = (
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
)


def problems() -> list[str]:
    found = []
    if settings.DEBUG:
        found.append("DEBUG is on: set DEBUG=0 in production.")
    if isinstance(staticfiles_storage, ManifestFilesMixin):
        if not staticfiles_storage.read_manifest():
            found.append(
                f"The static files' manifest ({staticfiles_storage.manifest_name}) is missing from "
                f"STATIC_ROOT ({settings.STATIC_ROOT}): run `entrypoint.sh collectstatic` with DEBUG=0 first."
            )
    elif not settings.DEBUG:
        found.append("The static files storage keeps no manifest: leave STATICFILES_BACKEND at its production default.")
    backend = settings.CACHES["default"]["BACKEND"]
    if backend in PER_PROCESS_CACHES:
        found.append(f"The cache ({backend}) is private to each process: set CACHE_URL to Redis so that every "
                     "web node shares sessions, flash messages and rate limits.")
    try:
        connection = connections[DEFAULT_DB_ALIAS]
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except Exception as exc:  # the database does not answer, or refuses us
        found.append(f"The database did not answer: {exc.__class__.__name__}: {exc}")
    else:
        if pending:
            found.append(f"{len(pending)} migrations are not applied yet: run `entrypoint.sh migrate` first.")
    return found


class Command(BaseCommand):
    help = "Refuse to start unless DEBUG is off, static files are collected, migrations applied and the cache shared."

    requires_system_checks = []  # run below, with the deployment checklist

    def handle(self, *args, **options):
        call_command("check", deploy=True, fail_level="ERROR", stdout=self.stdout, stderr=self.stderr)
        found = problems()
        if found:
            raise CommandError("preflight refused to start:\n  - " + "\n  - ".join(found))
        self.stdout.write("preflight: production configuration ok")
