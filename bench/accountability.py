"""Benchmark: the coordinators' compliance table at 10 and 1,000 mentors.

Seeds the demo program (``seed_demo --mentors N``) in the configured database, then prints,
for the page and for its CSV, the median time of several requests and the SQL query count,
which must not grow with the number of mentors. Run: ``python bench/accountability.py``.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mentorprogram.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402

from demo.seeders import core  # noqa: E402
from mentorprogram.models import Membership, User  # noqa: E402

REPEATS = 7


def measure(client: Client, url: str) -> tuple[float, int]:
    client.get(url, HTTP_HOST="127.0.0.1")  # warm caches (session, templates)
    queries = []
    with connection.execute_wrapper(lambda execute, sql, *args: (queries.append(sql), execute(sql, *args))[1]):
        response = client.get(url, HTTP_HOST="127.0.0.1")
    assert response.status_code == 200, response.status_code
    timings = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        client.get(url, HTTP_HOST="127.0.0.1")
        timings.append(time.perf_counter() - start)
    return statistics.median(timings) * 1000, len(queries)


def run(sizes=(10, 1000)) -> list[str]:
    lines = [f"{'compliance table':<28}{'mentors':>8}{'median ms':>11}{'queries':>9}"]
    for size in sizes:
        call_command("migrate", verbosity=0)
        call_command("seed_demo", mentors=size, force=True, stdout=open(os.devnull, "w"))  # noqa: SIM115
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")  # fresh bulk inserts: give the planner real row counts
        program = core.seed_program()
        mentors = Membership.objects.filter(program=program, role="mentor", status="active").count()
        client = Client()
        client.force_login(User.objects.get(email="coordinator@example.org"))
        for label, name in (("page", "accountability:compliance"), ("CSV", "accountability:compliance_csv")):
            ms, queries = measure(client, reverse(name, args=[program.slug]))
            lines.append(f"{label:<28}{mentors:>8}{ms:>11.1f}{queries:>9}")
    return lines


if __name__ == "__main__":
    print("\n".join(run()))
