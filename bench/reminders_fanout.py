"""Reminder fan-out through the outbox: one meeting to N members into a local SMTP sink, against a
plain smtplib loop sending the same number of pre-rendered messages to the same sink.

    python bench/reminders_fanout.py [--members 2000 5000]

The fan-out goes the way production's does: the dispatcher records the deliveries and their
outbox rows, a Celery worker claims each batch, builds each message with Django's
EmailMultiAlternatives (the outbox's subclass, whose parts are copies of shared ones) and hands
it over one connection of the project's SMTP backend (Django's own, subclassed to learn whether a
failure came after the whole message and to write it with the outbox's generator), recording
each one as sent. It prints, per size, the rate, its ratio to the plain loop (target: at least 35%) and
the time from the dispatcher tick to the last delivery recorded.

The plain loop sends the very messages the reminders carry (each member's own, rendered before
the clock starts), so the ratio measures what dispatching, queueing, claiming, building and
recording cost on top of handing those bytes to the server. It runs three times before and
three times after the fan-out, and the median run counts (all are printed). For comparison with
earlier runs it also prints the rate of the same loop with a 1 kB stand-in message. The sink
(aiosmtpd) runs in a process of its own, as a mail server does, so neither client shares an
interpreter lock with it. The dispatcher's query count is measured with a tenth of the members
and with all of them.

Runs on PostgreSQL, as production does: it (re)creates the database ``mentorprogram_bench_fanout``
on the server at BENCH_POSTGRES (default: the server of BENCH_DATABASE_URL when that is a
PostgreSQL URL, else postgres://postgres@127.0.0.1:5432) and drops it at the end. Without a
PostgreSQL server, or with a SQLite BENCH_DATABASE_URL, it runs on a throw-away SQLite file and
says so (SQLite writes every "sent" mark to disk and splits bulk inserts into batches, so
neither the rate nor the query count means much there). With Redis at REMINDERS_BENCH_REDIS_URL
(default redis://127.0.0.1:6379/8; only a queue of the benchmark's own is used there) the sends
go through a real Celery worker; without it, the same task code runs in this process."""

from __future__ import annotations

import argparse
import multiprocessing
import os
import smtplib
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
DB_NAME = os.environ.get("BENCH_FANOUT_DB_NAME", "mentorprogram_bench_fanout")
RAW_RUNS = 3
"""Runs of the plain loop before the fan-out, and again after it."""
RAW_SAMPLE = 2000
"""Messages per run of the plain loop (the first ones; a rate needs no more)."""
sys.path.insert(0, str(BASE_DIR))


class CountingSink:
    """An aiosmtpd handler that accepts everything and counts it in shared memory."""

    def __init__(self, counter):
        self.counter = counter

    async def handle_DATA(self, server, session, envelope):
        with self.counter.get_lock():
            self.counter.value += 1
        return "250 OK"


class Sink:
    """The local aiosmtpd server, in a process of its own — as a mail server is — so that it
    shares a CPU core but not an interpreter lock with whichever client is being timed."""

    def __init__(self):
        context = multiprocessing.get_context("spawn")
        self.counter = context.Value("l", 0)
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.stop_event = context.Event()
        self.process = context.Process(target=_serve, args=(self.port, self.counter, self.stop_event), daemon=True)
        self.process.start()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with smtplib.SMTP("127.0.0.1", self.port, timeout=1):
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("the SMTP sink did not start")

    @property
    def count(self) -> int:
        return self.counter.value

    @count.setter
    def count(self, value: int) -> None:
        self.counter.value = value

    def stop(self) -> None:
        self.stop_event.set()
        self.process.join(10)


def _serve(port: int, counter, stop_event) -> None:
    from aiosmtpd.controller import Controller

    controller = Controller(CountingSink(counter), hostname="127.0.0.1", port=port)
    controller.start()
    stop_event.wait()
    controller.stop()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, nargs="+", default=[2000, 5000])
    parser.add_argument("--one", action="store_true", help=argparse.SUPPRESS)  # a single size, this process
    args = parser.parse_args()
    if len(args.members) > 1 or not args.one:
        # Each size in a fresh process and a fresh database.
        import subprocess

        failed = 0
        for n in args.members:
            failed += subprocess.call([sys.executable, __file__, "--one", "--members", str(n)]) != 0  # noqa: S603
        sys.exit(1 if failed else 0)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["DATABASE_URL"], drop_database = _database()
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    try:
        _run(args.members[0])
    finally:
        drop_database()


def _database():
    """(URL of a new, empty database, function that drops it again)."""
    import psycopg

    given = os.environ.get("BENCH_DATABASE_URL", "")
    if given and not given.startswith("postgres"):
        return f"sqlite:///{tempfile.mkdtemp(prefix='reminders-bench-')}/bench.sqlite3", lambda: None
    server = os.environ.get("BENCH_POSTGRES") or (
        given.rsplit("/", 1)[0] if given else "postgres://postgres@127.0.0.1:5432")
    server = server.rstrip("/")
    try:
        with psycopg.connect(f"{server}/postgres", autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{DB_NAME}"')
    except psycopg.OperationalError as exc:
        print(f"  (no PostgreSQL at {server}: {exc}; running on SQLite)".replace("\n", " "))
        return f"sqlite:///{tempfile.mkdtemp(prefix='reminders-bench-')}/bench.sqlite3", lambda: None

    def drop() -> None:
        from django.db import connections

        connections.close_all()
        with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')

    return f"{server}/{DB_NAME}", drop


def _run(members: int) -> None:
    sink = Sink()
    port = sink.port

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    settings.DEBUG = False  # as in production: no query log kept by every database cursor
    settings.EMAIL_BACKEND = "mentorprogram.outbox.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""

    small = max(members // 10, 1)
    meeting, users = _seed(members, members=small)
    dispatch_queries = {small: _dispatch_queries()}
    _add_members(meeting, users[small:])
    dispatch_queries[len(users)] = _dispatch_queries()

    messages = _prerender(meeting, users)
    standins = _standins(users)
    raw_rates = [_raw_loop(port, messages[:RAW_SAMPLE], sink) for _ in range(RAW_RUNS)]
    standin_rates = [_raw_loop(port, standins[:RAW_SAMPLE], sink)]

    from django.db import connection

    from mentorprogram.models import OutboundEmail
    from reminders import services

    sink.count = 0
    mode, elapsed = _send_through_worker(services, sink, len(users))
    received = sink.count
    rate = len(users) / elapsed
    sent = OutboundEmail.objects.filter(status="sent").count()
    # The plain loops run again afterwards and their median counts: on a shared machine whose
    # load drifts, the runs on both sides of the fan-out are the best estimate of what the plain
    # loop would have done in its place. All runs are printed.
    raw_rates += [_raw_loop(port, messages[:RAW_SAMPLE], sink) for _ in range(RAW_RUNS)]
    standin_rates.append(_raw_loop(port, standins[:RAW_SAMPLE], sink))
    raw_rate, standin_rate = statistics.median(raw_rates), statistics.median(standin_rates)
    sink.stop()
    size = sum(len(data) for _, data in messages) // len(messages)
    database = "PostgreSQL" if connection.vendor == "postgresql" else connection.vendor
    print(f"reminders fan-out: {len(users)} members on {database}, {received} messages received,"
          f" {sent} deliveries sent")
    print(f"  plain smtplib loop, the same messages pre-rendered ({size / 1000:.1f} kB each):"
          f" {raw_rate:8.0f} messages/s")
    print(f"    (the median of {', '.join(f'{r:.0f}' for r in raw_rates)}: runs before and after the fan-out)")
    print(f"  dispatch + send ({mode}): {rate:8.0f} messages/s  ({elapsed:.2f} s)")
    print(f"  ratio: {rate / raw_rate:.0%} of the plain loop (target: at least 35%)")
    print(f"  from the dispatcher tick to the last delivery recorded: {elapsed:.2f} s for {len(users)} members")
    print(f"  for comparison, the plain loop with a 1 kB stand-in message: {standin_rate:8.0f} messages/s"
          f" (reminders reach {rate / standin_rate:.0%} of it)")
    counts = ", ".join(f"{count} at {n} members" for n, count in dispatch_queries.items())
    print(f"  dispatcher queries: {counts}"
          f" ({'the same' if len(set(dispatch_queries.values())) == 1 else 'NOT the same'} for any number of members)")


def _dispatch_queries() -> int:
    """How many queries one dispatcher tick makes; the deliveries it records are removed again."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from mentorprogram.models import OutboundEmail
    from reminders import services

    with CaptureQueriesContext(connection) as queries:
        services.reminders_dispatch()
    OutboundEmail.objects.all().delete()
    return len(queries.captured_queries)


def _seed(n: int, *, members: int):
    """A program, a meeting tomorrow and ``n`` mentors in three time zones, the first
    ``members`` of them members of the program."""
    import datetime as dt

    from django.utils import timezone

    from community.models import AgendaItem, Meeting, MeetingSeries, ResourcePerson
    from courses.models import Reading
    from mentorprogram.models import Program, User

    program = Program.objects.create(name="Bench Mentoring", slug="bench", community_name="Bench Mentor Circle")
    User.objects.bulk_create(
        [User(email=f"mentor{i:05d}@bench.example.org", display_name=f"Dr. Mentor {i}", password="!",  # noqa: S106 (unusable)
              time_zone=("America/Los_Angeles", "America/New_York", "Europe/London")[i % 3]) for i in range(n)]
    )
    users = list(User.objects.filter(email__endswith="@bench.example.org").order_by("email"))
    start = (timezone.now() + dt.timedelta(hours=20)).replace(second=0, microsecond=0)
    series = MeetingSeries.objects.create(program=program, first_date=start.date(), start_time=dt.time(12),
                                          place="Alway Building, room M114")
    meeting = Meeting.objects.create(
        series=series, occurrence_start=start, starts_at=start, ends_at=start + dt.timedelta(hours=1),
        place=series.place,
        reading=Reading.objects.create(
            program=program, title="Giving feedback that a junior colleague can use",
            citation="Alvarez M. Giving feedback that a junior colleague can use. Faculty Notes. 2024;3:12-15.",
            url="https://example.org/readings/useful-feedback",
        ),
        presenter=ResourcePerson.objects.create(program=program, name="Dr. Miriam Alvarez"),
    )
    AgendaItem.objects.create(meeting=meeting, position=1, text="Round table: one thing that worked")
    AgendaItem.objects.create(meeting=meeting, position=2, text="Discussion of the reading")
    _add_members(meeting, users[:members])
    return meeting, users


def _add_members(meeting, users) -> None:
    import datetime as dt

    from mentorprogram.models import Membership

    Membership.objects.bulk_create([Membership(user=u, program=meeting.series.program, role="mentor",
                                               joined_on=dt.date(2025, 1, 1)) for u in users])


def _prerender(meeting, users) -> list[tuple[str, bytes]]:
    """Each member's reminder as (recipient, bytes), as the worker will send it."""
    from reminders.emails import MeetingMail
    from reminders.models import ReminderDelivery

    mail = MeetingMail(meeting=meeting, kind="reminder", agenda=list(meeting.agenda_items.select_related("topic")))
    return [(user.email, mail.message(ReminderDelivery(pk=10**9 + i, meeting=meeting, user=user, lead_days=1))
             .message().as_bytes(linesep="\r\n")) for i, user in enumerate(users)]


def _standins(users) -> list[tuple[str, bytes]]:
    from email.message import EmailMessage
    from email.policy import SMTP

    messages = []
    for user in users:
        msg = EmailMessage()
        msg["From"], msg["To"], msg["Subject"] = "noreply@example.org", user.email, "Reminder"
        msg.set_content("Hello,\n\nThe Mentor Community meets tomorrow at noon.\n" * 20)
        messages.append((user.email, msg.as_bytes(policy=SMTP)))
    return messages


def _raw_loop(port: int, messages: list[tuple[str, bytes]], sink) -> float:
    sink.count = 0
    started = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port) as smtp:
        for address, data in messages:
            smtp.sendmail("noreply@example.org", [address], data)
    rate = len(messages) / (time.perf_counter() - started)
    assert sink.count == len(messages)
    sink.count = 0
    return rate


def _send_through_worker(services, sink, expected: int) -> tuple[str, float]:
    """Dispatch and send; (how, seconds from the dispatcher tick until every message is sent
    and recorded). Starting and stopping the worker are left out of the time."""
    url = os.environ.get("REMINDERS_BENCH_REDIS_URL", "redis://127.0.0.1:6379/8")
    try:
        import redis

        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except Exception:
        from django.conf import settings

        from mentorprogram.models import OutboundEmail
        from mentorprogram.outbox import outbox_send

        started = time.perf_counter()
        result = services.reminders_dispatch()
        ids = result.queued_ids
        size = settings.REMINDERS_BATCH_SIZE
        for i in range(0, len(ids), size):
            outbox_send(ids=ids[i:i + size], claim_token=f"bench-{i}")
        elapsed = time.perf_counter() - started
        assert OutboundEmail.objects.filter(status="sent").count() == expected
        return "in this process, no Redis", elapsed
    from celery import Celery
    from celery.contrib.testing.worker import start_worker

    import mentorprogram.tasks  # noqa: F401
    import reminders.tasks  # noqa: F401
    from mentorprogram.models import OutboundEmail

    queue = f"reminders-bench-{os.getpid()}"
    app = Celery("reminders-bench", set_as_current=True)
    app.config_from_object("django.conf:settings", namespace="CELERY")
    app.conf.update(broker_url=url, worker_hijack_root_logger=False, task_default_queue=queue)
    app.set_default()
    app.finalize(auto=True)
    with start_worker(app, pool="solo", concurrency=1, perform_ping_check=False, loglevel="WARNING"):
        started = time.perf_counter()
        services.reminders_dispatch()
        deadline = time.monotonic() + 600
        while sink.count < expected and time.monotonic() < deadline:
            time.sleep(0.01)
        while OutboundEmail.objects.filter(status="sent").count() < expected and time.monotonic() < deadline:
            time.sleep(0.01)  # the clock stops once every message is recorded as sent
        elapsed = time.perf_counter() - started
    redis.Redis.from_url(url).delete(queue)
    return "one Celery worker, Redis", elapsed


if __name__ == "__main__":
    main()
