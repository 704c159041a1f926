#!/usr/bin/env python3
"""Throughput, latency and SQL query counts of the pages people open most (part of `make bench`).

1. (Re)creates the PostgreSQL database ``mentorprogram_bench``, migrates it and loads the demo
   data with 10 extra mentors; counts each page's SQL queries, cold (right after a write, so
   nothing of it is cached) and on a repeat visit; grows the data to 1,000 mentors and counts
   again (the counts must be equal).
2. Starts gunicorn (5 workers, production settings, sessions in Redis) on a free loopback port
   and drives each page with wrk at 32 connections.
3. Prints requests/s, p50 and p99 latency, throughput relative to a bare constant view, and the
   query counts. Exits non-zero when a page's query count grows with the data.

A feature adds its page to ``PAGES`` below. Environment: ``BENCH_POSTGRES`` (server URL,
default postgres://postgres@127.0.0.1:5432), ``BENCH_CACHE_URL`` (default redis://127.0.0.1:6379/2;
emptied at the start, so give the benchmark a Redis database of its own), ``BENCH_SECONDS`` (per
page, default 10), ``BENCH_CONNECTIONS`` (default 32).
"""

from __future__ import annotations

import http.client
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = ROOT / ".venv" / "bin"
POSTGRES = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432").rstrip("/")
DB_NAME = os.environ.get("BENCH_DB_NAME", "mentorprogram_bench")
CACHE_URL = os.environ.get("BENCH_CACHE_URL", "redis://127.0.0.1:6379/2")
SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "32"))
WORKERS = 5
SMALL, LARGE = 10, 1000
TARGET_RATIO, TARGET_P99_MS = 0.25, 100.0


@dataclass
class Page:
    label: str
    url_name: str
    who: str | None = None  # demo account to sign in as: "mentor", "coordinator", "faculty"
    of_program: bool = False  # the URL takes the demo program's slug
    url: str | None = None
    note: str = ""
    queries: dict[int, str] = field(default_factory=dict)  # mentors -> "cold/repeat" query counts
    result: dict | None = None


PAGES = [
    Page("bare view (constant)", "bench_bare"),
    Page("mentor dashboard", "dashboard:home", who="mentor"),
    Page("community page", "community:detail", who="mentor", of_program=True),
    Page("coordinator report", "reports:program", who="coordinator", of_program=True),
]

ENV = {
    "DATABASE_URL": f"{POSTGRES}/{DB_NAME}",
    "CACHE_URL": CACHE_URL,
    "DEBUG": "0",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
    "SECURE_SSL_REDIRECT": "0",
    "STATICFILES_BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage",
    "CONN_MAX_AGE": "600",
    "CELERY_BROKER_URL": os.environ.get("BENCH_BROKER_URL", "memory://"),
    "BENCH_ENDPOINTS": "1",
    "LOG_LEVEL": "WARNING",
    "PYTHONWARNINGS": "ignore:No directory at",
    "DJANGO_SETTINGS_MODULE": "mentorprogram.settings",
}


def say(message: str) -> None:
    print(f"== {message}", flush=True)


def fail(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr)
    sys.exit(2)


def check_services() -> None:
    if shutil.which("wrk") is None:
        fail("wrk is not installed (make bench installs it: apt-get install wrk)")
    import psycopg
    import redis

    try:
        psycopg.connect(f"{POSTGRES}/postgres", connect_timeout=3).close()
    except psycopg.Error as exc:
        fail(f"PostgreSQL does not answer at {POSTGRES}: {exc}")
    try:
        redis.Redis.from_url(CACHE_URL, socket_connect_timeout=3).ping()
    except redis.RedisError as exc:
        fail(f"Redis does not answer at {CACHE_URL}: {exc}")


def recreate_database() -> None:
    import psycopg

    with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DB_NAME}"')


def setup_django() -> None:
    os.environ.update(ENV)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def resolve_pages() -> None:
    from django.urls import reverse

    from demo.seeders.core import DEMO_PROGRAM_SLUG

    for page in PAGES:
        page.url = reverse(page.url_name, kwargs={"slug": DEMO_PROGRAM_SLUG} if page.of_program else {})


def signed_in_client(who: str | None):
    from django.test import Client

    from mentorprogram.models import User

    client = Client()
    if who:
        client.force_login(User.objects.get(email=f"{who}@example.org"))
    return client


def count_queries(mentors: int) -> None:
    """Each page's queries when nothing of it is cached (right after a write) and on a repeat visit."""
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for page in PAGES:
        if page.url is None:
            continue
        client = signed_in_client(page.who)
        client.get(page.url)  # warm the per-process caches, as on a running server
        cache.clear()  # a first visit: no session, user or page in the cache
        with CaptureQueriesContext(connection) as cold:
            client.get(page.url)
        with CaptureQueriesContext(connection) as warm:
            response = client.get(page.url)
        if response.status_code != 200:
            page.note = f"answered {response.status_code}, not 200"
            page.url = None
            continue
        page.queries[mentors] = f"{len(cold)}/{len(warm)}"


def seed(mentors: int) -> None:
    from django.core.management import call_command

    call_command("seed_demo", force=True, mentors=mentors, stdout=open(os.devnull, "w"))  # noqa: SIM115


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(port: int) -> subprocess.Popen:
    command = [str(VENV_BIN / "gunicorn"), "mentorprogram.wsgi", "--bind", f"127.0.0.1:{port}",
               "--workers", str(WORKERS), "--log-level", "warning", "--access-logfile", os.devnull]
    server = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **ENV})  # noqa: S603
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if get_status(port, "/bench/bare", None) == 200:
                return server
        except OSError:  # refused, reset or timed out while the workers boot
            time.sleep(0.5)
    stop(server)
    fail("gunicorn did not answer within 60 s")


def stop(server: subprocess.Popen) -> None:
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()


def session_cookie(who: str | None) -> str | None:
    from django.conf import settings

    if who is None:
        return None
    client = signed_in_client(who)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def to_ms(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def run_wrk(url: str, cookie: str | None, seconds: int) -> dict:
    command = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{seconds}s", "--latency", "--timeout", "5s"]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    out = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout  # noqa: S603
    percentiles = dict(re.findall(r"^\s+(50|99)(?:\.0+)?%\s+(\S+)", out, re.M))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50": to_ms(percentiles["50"]),
        "p99": to_ms(percentiles["99"]),
        "non_2xx": int(bad.group(1)) if bad else 0,
        "errors": errors.group(1) if errors else "",
    }


def get_status(port: int, path: str, cookie: str | None) -> int:
    """One GET on loopback, redirects not followed (a redirect to sign-in is a wrong answer)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path, headers={"Cookie": cookie} if cookie else {})
        return conn.getresponse().status
    finally:
        conn.close()


def benchmark(port: int) -> None:
    for page in PAGES:
        if page.url is None:
            continue
        url, cookie = f"http://127.0.0.1:{port}{page.url}", session_cookie(page.who)
        try:
            status = get_status(port, page.url, cookie)
        except OSError as exc:
            fail(f"{url} did not answer: {exc}")
        if status != 200:
            page.note = f"gunicorn answered {status}, not 200"
            continue
        run_wrk(url, cookie, 2)  # warm every worker
        page.result = run_wrk(url, cookie, SECONDS)
        say(f"{page.label}: {page.result['rps']:.0f} requests/s")


def report() -> int:
    bare = PAGES[0].result["rps"] if PAGES[0].result else None
    print()
    print(f"gunicorn {WORKERS} workers (sync), PostgreSQL, sessions and cache in Redis; "
          f"wrk {CONNECTIONS} connections, {SECONDS} s per page; {os.cpu_count()} CPUs")
    print("SQL@n: queries at n mentors, as cold/repeat (cold: right after a write, nothing cached)")
    header = f"{'page':<24} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'vs bare':>8} " \
             f"{'SQL@' + str(SMALL):>8} {'SQL@' + str(LARGE):>9}"
    print(header)
    print("-" * len(header))
    grew = []
    for page in PAGES:
        q_small, q_large = page.queries.get(SMALL, "–"), page.queries.get(LARGE, "–")
        if page.result is None:
            print(f"{page.label:<24} {'skipped: ' + page.note}")
            continue
        r = page.result
        ratio = f"{r['rps'] / bare:.0%}" if bare else "–"
        line = (f"{page.label:<24} {r['rps']:>8.0f} {r['p50']:>8.1f} {r['p99']:>8.1f} {ratio:>8} "
                f"{q_small:>8} {q_large:>9}")
        if r["rps"] < 1:
            line += "  (almost no request finished within wrk's 5 s timeout)"
        elif r["non_2xx"] or r["errors"]:
            line += f"  ({r['non_2xx']} non-2xx; {r['errors'] or 'no socket errors'})"
        print(line)
        if q_small != q_large:
            grew.append(page.label)
    dashboard = next(p for p in PAGES if p.label == "mentor dashboard").result
    if dashboard and bare:
        ok = dashboard["rps"] / bare >= TARGET_RATIO and dashboard["p99"] < TARGET_P99_MS
        print(f"\ndashboard target (≥ {TARGET_RATIO:.0%} of bare, p99 < {TARGET_P99_MS:.0f} ms): "
              f"{'met' if ok else 'MISSED'}")
    if grew:
        print(f"query count grows with the data on: {', '.join(grew)}")
        return 1
    return 0


def main() -> int:
    check_services()
    say(f"database {DB_NAME}: recreate, migrate, seed {SMALL} mentors")
    recreate_database()
    setup_django()
    from django.core.cache import cache
    from django.core.management import call_command

    cache.clear()  # this benchmark's own Redis database
    call_command("migrate", verbosity=0)
    seed(SMALL)
    resolve_pages()
    count_queries(SMALL)
    say(f"seed {LARGE} mentors")
    seed(LARGE)
    count_queries(LARGE)

    port = free_port()
    say(f"gunicorn with {WORKERS} workers on 127.0.0.1:{port}")
    server = start_gunicorn(port)
    try:
        benchmark(port)
    finally:
        stop(server)
    return report()


if __name__ == "__main__":
    sys.exit(main())
