"""Shared by the in-process page benchmarks (``report.py``, ``accountability.py``): seed the demo
program at each size, then time a coordinator's pages with Django's test client.

Each page is timed cold (the cache emptied first, so the session and everything else come from
the database: the worst case a coordinator meets) and on a repeat visit, as the median of several
requests, with the SQL query count of each, which must not grow with the number of mentors. Runs on a throw-away SQLite
database unless BENCH_DATABASE_URL names another.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ["DATABASE_URL"] = os.environ.get(
    "BENCH_DATABASE_URL", f"sqlite:///{tempfile.mkdtemp(prefix='page-bench-')}/bench.sqlite3")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from pages import signed_in_client  # noqa: E402  (bench/pages.py)

from demo.seeders import core  # noqa: E402
from mentorprogram.models import Membership, Program, User  # noqa: E402

REPEATS = 7


def _timed(client: Client, url: str, *, cold: bool) -> tuple[float, int]:
    timings, queries = [], []
    for _ in range(REPEATS):
        if cold:
            cache.clear()
        queries.clear()
        start = time.perf_counter()
        with connection.execute_wrapper(lambda execute, sql, *args: (queries.append(sql), execute(sql, *args))[1]):
            response = client.get(url, HTTP_HOST="127.0.0.1")
        timings.append(time.perf_counter() - start)
        assert response.status_code == 200, response.status_code
    return statistics.median(timings) * 1000, len(queries)


def run(title: str, pages: Callable[[Program], list[tuple[str, str]]], sizes=(10, 1000)) -> list[str]:
    """``pages(program)`` gives (label, url) pairs; returns the table's lines."""
    lines = [f"{title:<24}{'mentors':>8}{'cold ms':>9}{'repeat ms':>11}{'queries':>9}"]
    call_command("migrate", verbosity=0)
    for size in sizes:
        call_command("seed_demo", mentors=size, force=True, stdout=open(os.devnull, "w"))  # noqa: SIM115
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")  # fresh bulk inserts: give the planner real row counts
        program = core.seed_program()
        mentors = Membership.objects.filter(program=program, role="mentor", status="active").count()
        # signed in with a second factor, as production settings ask of coordinators
        client = signed_in_client(User.objects.get(email="coordinator@example.org"))
        for label, url in pages(program):
            client.get(url, HTTP_HOST="127.0.0.1")  # warm the per-process caches (templates)
            cold_ms, cold_queries = _timed(client, url, cold=True)
            repeat_ms, repeat_queries = _timed(client, url, cold=False)
            lines.append(f"{label:<24}{mentors:>8}{cold_ms:>9.1f}{repeat_ms:>11.1f}"
                         f"{f'{cold_queries}/{repeat_queries}':>9}")
    return lines
