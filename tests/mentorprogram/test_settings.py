from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG", "ALLOWED_HOSTS", "VAR_DIR"}}
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env={**clean, **env},
        capture_output=True, text=True, timeout=120,
    )


PRINT_KEY = "from django.conf import settings; print(settings.SECRET_KEY)"


def files_in(folder):
    return sorted(p.name for p in folder.iterdir() if p.is_file())  # the broker's folders aside


def test_it_refuses_to_start_in_production_without_a_secret_key(tmp_path):
    result = run_manage("check", DEBUG="0", ALLOWED_HOSTS="example.org", VAR_DIR=str(tmp_path))
    assert result.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY must be set" in result.stderr
    assert list(tmp_path.iterdir()) == []  # and makes no key of its own


def test_it_makes_a_random_development_key_once_and_keeps_it_private(tmp_path):
    var = tmp_path / "var"  # not there yet, as on a fresh clone
    first = run_manage("shell", "--no-imports", "-c", PRINT_KEY, DEBUG="1", VAR_DIR=str(var))
    second = run_manage("shell", "--no-imports", "-c", PRINT_KEY, DEBUG="1", VAR_DIR=str(var))
    assert first.returncode == 0, first.stderr
    key = first.stdout.strip()
    assert second.stdout.strip() == key
    assert len(key) >= 50
    assert (var / "secret_key").read_text().strip() == key
    assert (var / "secret_key").stat().st_mode & 0o777 == 0o600
    assert files_in(var) == ["secret_key"]
    # Neither this key nor any other is written in the code: a fresh clone makes a different one.
    in_repo = subprocess.run(["git", "grep", "-l", "-F", key], cwd=ROOT, capture_output=True, text=True)
    assert in_repo.stdout == ""
    other = run_manage("shell", "--no-imports", "-c", PRINT_KEY, DEBUG="1", VAR_DIR=str(tmp_path / "elsewhere"))
    assert other.stdout.strip() != key


def test_processes_starting_together_agree_on_one_development_key(tmp_path):
    var = tmp_path / "var"
    clean = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG", "VAR_DIR"}}
    starts = [subprocess.Popen([sys.executable, "manage.py", "shell", "--no-imports", "-c", PRINT_KEY], cwd=ROOT,
                               env={**clean, "DEBUG": "1", "VAR_DIR": str(var)},
                               stdout=subprocess.PIPE, text=True) for _ in range(4)]
    keys = {process.communicate(timeout=120)[0].strip() for process in starts}
    assert len(keys) == 1 and len(keys.pop()) >= 50
    assert files_in(var) == ["secret_key"]


def test_it_uses_the_secret_key_given_in_development_and_writes_none(tmp_path):
    result = run_manage("shell", "--no-imports", "-c", PRINT_KEY, DEBUG="1", VAR_DIR=str(tmp_path),
                        SECRET_KEY="k" * 60)
    assert result.stdout.strip() == "k" * 60
    assert files_in(tmp_path) == []


def test_no_secret_key_is_written_in_the_code():
    found = subprocess.run(["git", "grep", "-n", "-E", r"SECRET_KEY\s*=\s*[\"']|development-only-key", "--",
                            "*.py", ":!tests/"], cwd=ROOT, capture_output=True, text=True)
    assert found.stdout == ""


def test_it_passes_the_deployment_checklist_in_production():
    result = run_manage(
        "check", "--deploy", "--fail-level", "WARNING",
        DEBUG="0", ALLOWED_HOSTS="example.org", SECRET_KEY="x7!kQ2_long-random-production-key-for-the-test-0123456789",
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


def test_it_refuses_the_dummy_cache_which_would_switch_rate_limits_off():
    result = run_manage("check", CACHE_URL="dummycache://")
    assert result.returncode != 0
    assert "mentorprogram.E001" in result.stderr
