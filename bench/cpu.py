#!/usr/bin/env python3
"""CPU per cold request, in-process: a steadier figure than wrk's on a busy machine.

For each page of ``bench/pages.py`` (or those named with ``--page``), N distinct signed-in people
(sessions made as the page benchmark makes them) each ask once with Django's test client, the
cache emptied before each request, under production settings. Prints the median and mean
``time.process_time()`` per request (this process's CPU only: PostgreSQL's own work is not in it),
the query count, and with ``--profile`` cProfile's top functions over the round.

Needs a database already seeded (``seed_demo --mentors 1000 --force``) named by DATABASE_URL;
BENCH_CACHE_URL (default locmem) names the cache. Run: ``python bench/cpu.py --people 50``.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import pages  # noqa: E402

ENV = {**pages.ENV, "DATABASE_URL": os.environ["DATABASE_URL"],
       "CACHE_URL": os.environ.get("BENCH_CACHE_URL", "locmemcache://bench")}


def sessions(who: str, count: int) -> list[str]:
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    keys = []
    for user in pages.people(who, count):
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.update(pages.signed_in_steps(user))
        session.create()
        keys.append(session.session_key)
    return keys


def _counting(counted: list):
    """A database wrapper that notes each query's SQL: cheaper than Django's debug cursor
    (``CaptureQueriesContext``), which renders every query with its values and would add its own
    cost, about a tenth of a bare page, to what is measured."""
    def wrapper(execute, sql, params, many, context):
        counted.append(sql)
        return execute(sql, params, many, context)

    return wrapper


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=30)
    parser.add_argument("--page", action="append", help="a label of bench/pages.py's PAGES (repeatable)")
    parser.add_argument("--profile", action="store_true", help="also count Python calls per request (--top: list them)")
    parser.add_argument("--top", type=int, default=0)
    parser.add_argument("--url", action="append", help="another page, as a mentor (repeatable)")
    parser.add_argument("--own", help="profile only the functions whose file matches this pattern")
    parser.add_argument("--sql", type=int, default=0, help="print the last request's queries, cut to this length")
    args = parser.parse_args()

    os.environ.update(ENV)
    import django

    django.setup()
    from django.conf import settings
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client

    pages.resolve_pages()
    chosen = [p for p in pages.PAGES if not args.page or p.label in args.page]
    for url in args.url or []:
        chosen.append(pages.Page(url, "", "mentor", url=url))
    keys = {who: sessions(who, args.people + 1) for who in {p.who for p in chosen}}
    print(f"{'page':<20}{'people':>7}{'median ms':>10}{'mean ms':>9}{'queries':>8}"
          + (f"{'calls':>10}" if args.profile else ""))
    for page in chosen:
        client = Client(HTTP_HOST="127.0.0.1")
        client.cookies[settings.SESSION_COOKIE_NAME] = keys[page.who][-1]
        assert client.get(page.url).status_code == 200  # templates, URL resolvers, code loaded
        timings, profiler = [], cProfile.Profile(time.process_time) if args.profile else None
        queries = None
        for key in keys[page.who][:args.people]:
            client.cookies.clear()  # the same client (its handler loads the middleware once), a new person
            client.cookies[settings.SESSION_COOKIE_NAME] = key
            cache.clear()
            counted = []
            with connection.execute_wrapper(_counting(counted)):
                if profiler:
                    profiler.enable()
                start = time.process_time()
                response = client.get(page.url)
                timings.append(time.process_time() - start)
                if profiler:
                    profiler.disable()
            assert response.status_code == 200, (page.label, response.status_code)
            queries = len(counted)
        if args.sql:
            for sql in counted:
                print(f"  {sql[:args.sql]}")
        calls = ""
        if profiler:  # a steadier yardstick than time on a busy machine: Python calls per request
            calls = f"{sum(v[1] for v in pstats.Stats(profiler).stats.values()) // args.people:>10}"
        print(f"{page.label:<20}{args.people:>7}{statistics.median(timings) * 1000:>10.1f}"
              f"{statistics.mean(timings) * 1000:>9.1f}{queries:>8}{calls}", flush=True)
        if profiler and args.top:
            out = io.StringIO()
            stats = pstats.Stats(profiler, stream=out)
            stats.sort_stats("cumulative").print_stats(args.own or "", args.top)
            if not args.own:
                stats.sort_stats("tottime").print_stats(args.top)
            print(out.getvalue())
    return 0


if __name__ == "__main__":
    sys.exit(main())
