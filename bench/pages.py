#!/usr/bin/env python3
"""Throughput, latency and SQL query counts of the pages people open most (part of `make bench`),
measured *cold*: as real traffic comes, many different people each opening a page once.

1. (Re)creates the PostgreSQL database ``mentorprogram_bench``, migrates it and loads the demo
   data with 10 extra mentors; counts each page's SQL queries on a first visit with the cache
   emptied; grows the data to 1,000 mentors and counts again (the counts must be equal).
2. Makes a session for each of the 1,000 mentors (and as many for the coordinator), then serves
   a raw WSGI callable (``bench/raw_wsgi.py``, no Django) and the app side by side, with the same
   gunicorn configuration (5 sync workers, production settings).
3. For each page: drives the raw callable for half of ``BENCH_SECONDS`` (the yardstick, taken
   right before the page, so that a machine whose speed drifts during the run is compared with
   itself), then the page with wrk at 32 connections through ``bench/cold.lua`` for
   ``BENCH_SECONDS``: every request carries the next person's session cookie (the people take
   turns; nothing is kept per person, so a second turn is as cold as the first), after the cache
   has been emptied. Then a short *warm* run, one person asking again and again, for comparison.
4. Prints requests/s, p50 and p99 latency, the cold throughput as a share of the raw WSGI
   callable's measured beside it, and the query counts. Exits non-zero when a query count grows
   with the data.

A feature adds its page to ``PAGES`` below. Environment: ``BENCH_POSTGRES`` (server URL,
default postgres://postgres@127.0.0.1:5432), ``BENCH_DB_NAME``, ``BENCH_CACHE_URL`` (default
redis://127.0.0.1:6379/2; emptied, so give the benchmark a Redis database of its own),
``BENCH_SECONDS`` (each cold run's length, default 10; the raw callable and the warm runs take half),
``BENCH_CONNECTIONS`` (default 32), ``BENCH_PEOPLE`` (sessions per cold round, default 1000).
"""

from __future__ import annotations

import http.client
import itertools
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = ROOT / ".venv" / "bin"
POSTGRES = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432").rstrip("/")
DB_NAME = os.environ.get("BENCH_DB_NAME", "mentorprogram_bench")
CACHE_URL = os.environ.get("BENCH_CACHE_URL", "redis://127.0.0.1:6379/2")
SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "32"))
PEOPLE = int(os.environ.get("BENCH_PEOPLE", "1000"))
THREADS = 2
WORKERS = 5
SMALL, LARGE = 10, 1000
MAX_QUERIES = 12  # cold, for every page but the dashboard and the report
TARGET_RATIO, TARGET_P99_MS = 0.03, 300.0  # cold, for the dashboard, community page and assessment list
TARGETED = ("mentor dashboard", "community page", "assessment list")


@dataclass
class Page:
    label: str
    url_name: str
    who: str  # "mentor": each of the demo mentors in turn; "coordinator": the demo coordinator
    of_program: bool = False  # the URL takes the demo program's slug
    max_queries: int | None = MAX_QUERIES
    people: int = PEOPLE  # sessions in a cold round
    url: str | None = None
    note: str = ""
    queries: dict[int, int] = field(default_factory=dict)  # mentors -> cold query count
    cold: dict | None = None
    warm: dict | None = None
    raw: dict | None = None  # the raw WSGI callable, measured right before this page

    @property
    def ratio(self) -> float:
        return self.cold["rps"] / self.raw["rps"]


PAGES = [
    Page("mentor dashboard", "dashboard:home", "mentor", max_queries=None),
    Page("community page", "community:detail", "mentor", of_program=True),
    Page("assessment list", "assessments:list", "mentor"),
    Page("member directory", "community:members", "mentor", of_program=True),
    Page("training catalog", "courses:catalog", "mentor"),
    Page("mentee list", "accountability:mentee_list", "mentor"),
    Page("plan page", "accountability:home", "mentor"),
    Page("compliance table", "accountability:compliance", "coordinator", of_program=True, people=200),
    Page("coordinator report", "reports:program", "coordinator", of_program=True, max_queries=15, people=200),
    Page("coordinator home", "dashboard:home", "coordinator", people=200),
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
    "DJANGO_SETTINGS_MODULE": "config.settings",
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


def people(who: str, count: int):
    """The demo coordinator, or ``count`` of the demo mentors."""
    from mentorprogram.models import User

    if who == "coordinator":
        return [User.objects.get(email="coordinator@example.org")] * count
    return list(User.objects.filter(email__startswith="mentor0").order_by("email")[:count])


def signed_in_steps(user) -> dict:
    """allauth's record of a sign-in with a password and a second factor, which production
    settings ask of coordinators before their pages open."""
    now = time.time()
    return {"account_authentication_methods_user": str(user.pk),
            "account_authentication_methods": [{"method": "password", "at": now, "email": user.email},
                                               {"method": "mfa", "at": now, "type": "totp"}]}


def signed_in_client(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    session = client.session
    session.update(signed_in_steps(user))
    session.save()
    return client


def count_queries(mentors: int) -> None:
    """Each page's queries on a first visit by someone new, with the cache emptied."""
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    visitors = {who: itertools.cycle(people(who, 2 * len(PAGES))) for who in ("mentor", "coordinator")}
    for page in PAGES:
        if page.url is None:
            continue
        signed_in_client(next(visitors[page.who])).get(page.url)  # a running server's templates, URL resolvers
        client = signed_in_client(next(visitors[page.who]))
        cache.clear()
        with CaptureQueriesContext(connection) as cold:
            response = client.get(page.url)
        if response.status_code != 200:
            page.note = f"answered {response.status_code}, not 200"
            page.url = None
            continue
        page.queries[mentors] = len(cold)


def seed(mentors: int) -> None:
    from django.core.management import call_command
    from django.db import connection

    call_command("seed_demo", force=True, mentors=mentors, stdout=open(os.devnull, "w"))  # noqa: SIM115
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # fresh bulk inserts: give the planner real row counts


def session_cookies(who: str, count: int) -> Path:
    """A file of ``count`` session cookies, one signed-in person (or session) a line."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    lines = []
    for user in people(who, count):
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.update(signed_in_steps(user))
        session.create()
        lines.append(f"{settings.SESSION_COOKIE_NAME}={session.session_key}")
    path = Path(tempfile.mkstemp(prefix=f"bench-{who}-", suffix=".txt")[1])
    path.write_text("\n".join(lines) + "\n")
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(app: str, port: int, probe: str) -> subprocess.Popen:
    """The same gunicorn configuration for the raw callable and the app."""
    command = [str(VENV_BIN / "gunicorn"), app, "--bind", f"127.0.0.1:{port}", "--workers", str(WORKERS),
               "--log-level", "warning", "--access-logfile", os.devnull]
    server = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **ENV})  # noqa: S603
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if get_status(port, probe, None) == 200:
                return server
        except OSError:  # refused, reset or timed out while the workers boot
            time.sleep(0.5)
    stop(server)
    fail(f"gunicorn ({app}) did not answer within 60 s")


def stop(server: subprocess.Popen) -> None:
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()


def to_ms(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def run_wrk(url: str, *, seconds: int, cookie: str | None = None, cookies: Path | None = None) -> dict:
    """``cookies``: a cold round through cold.lua (each request with the next person's session)."""
    command = ["wrk", f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{seconds}s", "--latency", "--timeout", "10s"]
    env = dict(os.environ)
    if cookies is not None:
        command += ["-s", str(ROOT / "bench" / "cold.lua")]
        env.update(BENCH_COOKIES=str(cookies), BENCH_PATH=urlsplit(url).path, BENCH_THREADS=str(THREADS))
    elif cookie:
        command += ["-H", f"Cookie: {cookie}"]
    out = subprocess.run([*command, url], capture_output=True, text=True, check=True, env=env).stdout  # noqa: S603
    percentiles = dict(re.findall(r"^\s+(50|99)(?:\.0+)?%\s+(\S+)", out, re.M))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "requests": int(re.search(r"(\d+) requests in", out).group(1)),
        "p50": to_ms(percentiles["50"]),
        "p99": to_ms(percentiles["99"]),
        "non_2xx": int(bad.group(1)) if bad else 0,
        "errors": errors.group(1) if errors else "",
    }


def get_status(port: int, path: str, cookie: str | None) -> int:
    """One GET on loopback, redirects not followed (a redirect to sign-in is a wrong answer)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        conn.request("GET", path, headers={"Cookie": cookie} if cookie else {})
        return conn.getresponse().status
    finally:
        conn.close()


def settle(port: int) -> None:
    """Wait until the requests wrk left queued when it stopped are answered, so that they do not
    count against the next measurement."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        start = time.monotonic()
        get_status(port, "/bench/bare", None)
        if time.monotonic() - start < 0.2:
            return
        time.sleep(0.5)


def benchmark_pages() -> None:
    from django.core.cache import cache

    cookie_files = {who: session_cookies(who, max(p.people for p in PAGES if p.who == who))
                    for who in {p.who for p in PAGES}}
    raw_port, port = free_port(), free_port()
    say(f"a raw WSGI callable on 127.0.0.1:{raw_port} and the app on 127.0.0.1:{port}, "
        f"each under gunicorn ({WORKERS} workers)")
    raw_server = start_gunicorn("bench.raw_wsgi:application", raw_port, "/")
    server = start_gunicorn("config.wsgi", port, "/bench/bare")
    raw_url = f"http://127.0.0.1:{raw_port}/"
    try:
        run_wrk(raw_url, seconds=2)
        for page in PAGES:
            if page.url is None:
                continue
            url = f"http://127.0.0.1:{port}{page.url}"
            lines = cookie_files[page.who].read_text().splitlines()
            status = get_status(port, page.url, lines[0])
            if status != 200:
                page.note = f"gunicorn answered {status}, not 200"
                continue
            run_wrk(url, seconds=2, cookie=lines[-1])  # every worker has loaded its templates and code
            settle(port)
            page.raw = run_wrk(raw_url, seconds=max(3, SECONDS // 2))
            round_file = Path(tempfile.mkstemp(prefix="bench-round-", suffix=".txt")[1])
            round_file.write_text("\n".join(lines[:page.people]) + "\n")
            cache.clear()
            page.cold = run_wrk(url, seconds=SECONDS, cookies=round_file)
            round_file.unlink()
            settle(port)
            page.warm = run_wrk(url, seconds=max(3, SECONDS // 2), cookie=lines[0])
            settle(port)
            say(f"{page.label}: cold {page.cold['rps']:.0f} requests/s ({page.cold['requests']} requests, "
                f"{page.people} people), warm {page.warm['rps']:.0f}; raw WSGI just before "
                f"{page.raw['rps']:.0f}")
    finally:
        stop(server)
        stop(raw_server)
        for path in cookie_files.values():
            path.unlink()


def report() -> int:
    print()
    print(f"gunicorn {WORKERS} workers (sync), PostgreSQL, production settings, cache in Redis; "
          f"wrk {CONNECTIONS} connections; {os.cpu_count()} CPUs")
    raws = [p.raw["rps"] for p in PAGES if p.raw]
    if raws:
        print(f"raw WSGI callable (same gunicorn), measured before each page: {min(raws):.0f}–{max(raws):.0f} "
              "requests/s; each page's share is of the figure taken just before it")
    print(f"cold: {SECONDS} s of requests, each with the next of N people's sessions (in turn), cache emptied "
          "first; warm: one person again and again; SQL@n: cold queries at n mentors")
    header = (f"{'page':<20} {'people':>6} {'reqs':>6} {'cold r/s':>9} {'p50 ms':>7} {'p99 ms':>7} {'raw r/s':>8} "
              f"{'vs raw':>7} {'warm r/s':>9} {'SQL@' + str(SMALL):>7} {'SQL@' + str(LARGE):>8}")
    print(header)
    print("-" * len(header))
    failures = []
    for page in PAGES:
        q_small, q_large = page.queries.get(SMALL, "–"), page.queries.get(LARGE, "–")
        if page.cold is None:
            print(f"{page.label:<20} skipped: {page.note}")
            continue
        c, w = page.cold, page.warm
        line = (f"{page.label:<20} {page.people:>6} {c['requests']:>6} {c['rps']:>9.0f} {c['p50']:>7.1f} "
                f"{c['p99']:>7.1f} {page.raw['rps']:>8.0f} {page.ratio:>7.1%} {w['rps']:>9.0f} {q_small:>7} "
                f"{q_large:>8}")
        if c["non_2xx"] or c["errors"]:
            line += f"  ({c['non_2xx']} non-2xx; {c['errors'] or 'no socket errors'})"
        print(line)
        if q_small != q_large:
            failures.append(f"{page.label}: the query count grows with the data")
        if page.max_queries is not None and isinstance(q_large, int) and q_large > page.max_queries:
            failures.append(f"{page.label}: {q_large} queries cold (at most {page.max_queries})")
    print()
    for page in PAGES:
        if page.label in TARGETED and page.cold:
            ok = page.ratio >= TARGET_RATIO and page.cold["p99"] < TARGET_P99_MS
            print(f"{page.label} target (cold ≥ {TARGET_RATIO:.0%} of raw WSGI, p99 < {TARGET_P99_MS:.0f} ms): "
                  f"{'met' if ok else 'MISSED'}")
    for failure in failures:
        print(failure)
    return 1 if failures else 0


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
    benchmark_pages()
    return report()


if __name__ == "__main__":
    sys.exit(main())
