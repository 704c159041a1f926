"""``manage.py preflight`` and ``deploy/entrypoint.sh web`` refuse a configuration that would
serve 500s or keep state on one process: DEBUG on, no static manifest, a per-process cache,
migrations not applied."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

ENTRYPOINT = Path(settings.BASE_DIR) / "deploy" / "entrypoint.sh"
MANIFEST_STORAGE = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
}
REDIS_CACHE = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                           "LOCATION": "redis://127.0.0.1:6379/6"}}


@pytest.fixture
def production(settings, tmp_path):
    settings.DEBUG = False
    settings.STORAGES = MANIFEST_STORAGE
    settings.STATIC_ROOT = tmp_path / "static"
    settings.CACHES = REDIS_CACHE
    return settings


def refusal() -> str:
    with pytest.raises(CommandError) as raised:
        call_command("preflight")
    return str(raised.value)


@pytest.mark.django_db
def test_it_refuses_debug_and_a_per_process_cache(settings, tmp_path):
    settings.DEBUG = True
    settings.STORAGES = MANIFEST_STORAGE
    settings.STATIC_ROOT = tmp_path
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    message = refusal()
    assert "DEBUG is on" in message
    assert "private to each process" in message


@pytest.mark.django_db
def test_it_refuses_to_start_without_the_static_manifest_then_starts_once_collected(production):
    assert "manifest (staticfiles.json) is missing" in refusal()

    call_command("collectstatic", interactive=False, verbosity=0)
    assert (Path(production.STATIC_ROOT) / "staticfiles.json").exists()
    call_command("preflight")


@pytest.mark.django_db
def test_it_refuses_unapplied_migrations(production, monkeypatch):
    from django.db.migrations.executor import MigrationExecutor

    monkeypatch.setattr(MigrationExecutor, "migration_plan", lambda self, targets: [("pending", False)])
    assert "1 migrations are not applied yet" in refusal()


def test_it_keeps_gunicorn_from_starting_when_the_manifest_is_missing(tmp_path):
    env = {
        **os.environ, "DEBUG": "0", "SECRET_KEY": "x" * 60, "ALLOWED_HOSTS": "example.org",
        "STATIC_ROOT": str(tmp_path / "empty"), "CACHE_URL": "redis://127.0.0.1:6379/6",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}", "GUNICORN_BIND": "127.0.0.1:9",
        "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}",
    }
    done = subprocess.run([str(ENTRYPOINT), "web"], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode != 0
    assert "manifest (staticfiles.json) is missing" in done.stderr
    assert "Booting worker" not in done.stderr + done.stdout  # gunicorn never started


def test_it_names_its_commands_when_given_an_unknown_one():
    done = subprocess.run([str(ENTRYPOINT), "serve"], capture_output=True, text=True, timeout=30)
    assert done.returncode == 64
    assert "migrate|collectstatic|preflight|web|worker|beat" in done.stderr
