from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG", "ALLOWED_HOSTS"}}
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env={**clean, **env},
        capture_output=True, text=True, timeout=120,
    )


def test_it_refuses_to_start_in_production_without_a_secret_key():
    result = run_manage("check", DEBUG="0", ALLOWED_HOSTS="example.org")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


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
