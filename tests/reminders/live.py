"""The real things the live tests (outbox, reminders, nudges) run against: a Redis broker, Celery
workers (in a thread, or as a separate process that can be killed) and an SMTP server on a free
port — and the fixtures those tests share, which a test module takes by importing them.

None is mocked: the tests assert on what the SMTP server received.

Safe under pytest-xdist: each worker process uses its own Redis database (the base one plus the
worker's number, ``PYTEST_XDIST_WORKER``), its own test database (pytest-django's suffix), ports
the kernel hands out and that are held or retried so no two workers share one, and files only
under its tests' ``tmp_path``."""

from __future__ import annotations

import asyncio
import contextlib
import email
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import zlib
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from aiosmtpd.controller import Controller
from celery import Celery
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.db import connection

import accountability.tasks  # noqa: F401  (registered before a worker builds its task table)
import mentorprogram.tasks  # noqa: F401
import reminders.tasks  # noqa: F401
from tests.migrated_data import restore_migrated_data


def xdist_worker_index() -> int:
    """0 without pytest-xdist; n for its worker ``gwn``."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    return int(worker[2:]) if worker.startswith("gw") and worker[2:].isdigit() else 0


def per_worker_redis_url(base: str) -> str:
    """The Redis database of this test process: ``base``'s own, plus the xdist worker's number
    (so ``redis://…/10`` is db 10 for ``gw0`` and db 11 for ``gw1``)."""
    index = xdist_worker_index()
    if not index:
        return base
    parts = urlsplit(base)
    db = int(parts.path.strip("/") or 0)
    return urlunsplit(parts._replace(path=f"/{db + index}"))


# When the project itself is configured for Redis (CI), the live tests use that database: a task
# published by code that holds the project's own app then reaches the test workers too.
REDIS_URL = per_worker_redis_url(os.environ.get("REMINDERS_TEST_REDIS_URL") or (
    settings.CELERY_BROKER_URL if settings.CELERY_BROKER_URL.startswith("redis") else "redis://127.0.0.1:6379/8"
))
if "CELERY_BROKER_URL" in os.environ:
    # Celery reads this variable before any app's own broker_url: point it at this process's
    # database too, or every xdist worker would publish to the same one.
    os.environ["CELERY_BROKER_URL"] = REDIS_URL
BASE_DIR = Path(settings.BASE_DIR)


def require_redis():
    """A clean Redis database for the test. In CI a missing Redis fails the test."""
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.exceptions.ConnectionError as exc:
        if os.environ.get("CI"):
            pytest.fail(f"CI runs these tests against Redis at {REDIS_URL}, which did not answer: {exc}")
        pytest.skip(f"needs Redis at {REDIS_URL} (set REMINDERS_TEST_REDIS_URL); it did not answer: {exc}")
    client.flushdb()  # this test database only
    return client


class Sink:
    """An SMTP server that keeps what it accepts. It can answer 451 to a share of messages the
    first time it sees them, refuse addresses with 550, hold the n-th message until told, take
    ``data_delay`` seconds over every message, answer the n-th messages' final 250 only after
    ``late_seconds`` (``late_at``: it has them already), or hang at RCPT of the n-th message
    (``hang_rcpt_at``) for ``hang_seconds``."""

    def __init__(self):
        self.data_delay = 0.0
        self.late_at: set[int] = set()
        self.late_seconds = 0.0
        self.hang_rcpt_at: int | None = None
        self.hang_seconds = 0.0
        self._rcpts = 0
        self.accepted: list[email.message.Message] = []
        self.refuse_first_share = 0.0
        self.refused_addresses: set[str] = set()
        self.hold_at: int | None = None
        self.holding = threading.Event()
        self.release = threading.Event()
        self.answered_451: set[str] = set()
        self._seen = 0
        self._lock = threading.Lock()
        self.controller = None

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        with self._lock:
            self._rcpts += 1
            hang = self._rcpts == self.hang_rcpt_at
        if hang:
            await asyncio.sleep(self.hang_seconds)
        if address in self.refused_addresses:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content)
        message_id = message["Message-ID"]
        with self._lock:
            self._seen += 1
            hold = self._seen == self.hold_at
        if hold:
            self.holding.set()
            while not self.release.is_set():
                await asyncio.sleep(0.01)
            if server.transport is None or server.transport.is_closing():
                return "421 The client went away"  # never acknowledged, so never delivered
        share = self.refuse_first_share
        if share and message_id not in self.answered_451 and zlib.crc32(message_id.encode()) % 100 < share * 100:
            self.answered_451.add(message_id)
            return "451 4.3.0 Please try again later"
        if self.data_delay:
            await asyncio.sleep(self.data_delay)
        with self._lock:
            self.accepted.append(message)
            late = len(self.accepted) in self.late_at
        if late:
            await asyncio.sleep(self.late_seconds)  # it has the message; only the answer is late
        return "250 OK"

    @property
    def port(self) -> int:
        return self.controller.port

    def recipients(self) -> Counter:
        return Counter(m["To"] for m in self.accepted)

    def wait_for(self, count: int, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while len(self.accepted) < count and time.monotonic() < deadline:
            time.sleep(0.05)


def free_port() -> int:
    """A port the kernel chose at random among the free ones (another process may take it before
    it is bound: ``smtp_sink`` then takes another)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def smtp_sink():
    sink = Sink()
    for attempt in range(5):
        sink.controller = Controller(sink, hostname="127.0.0.1", port=free_port())
        try:
            sink.controller.start()
            break
        except OSError:  # another test process bound it between the probe and now
            if attempt == 4:
                raise
    try:
        yield sink
    finally:
        sink.release.set()
        sink.controller.stop()


@contextlib.contextmanager
def closed_port():
    """A port where nothing listens, held bound (not listening) for as long as the test needs it,
    so that no other test process's SMTP sink can start there meanwhile: connecting is refused."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        yield s.getsockname()[1]


def point_mail_at(settings_fixture, port: int) -> None:
    settings_fixture.EMAIL_BACKEND = "mentorprogram.outbox.smtp.EmailBackend"
    settings_fixture.EMAIL_HOST = "127.0.0.1"
    settings_fixture.EMAIL_PORT = port
    settings_fixture.EMAIL_USE_TLS = settings_fixture.EMAIL_USE_SSL = False
    settings_fixture.EMAIL_HOST_USER = settings_fixture.EMAIL_HOST_PASSWORD = ""
    settings_fixture.EMAIL_TIMEOUT = 5


@contextlib.contextmanager
def redis_app(**conf):
    """A Celery app like the project's, on the test Redis database, made current so that the
    project's tasks publish to it (``conf``: more Celery settings, e.g. time limits)."""
    from celery import _state

    previous = _state.get_current_app()
    app = Celery("mentorprogram-tests", set_as_current=False)
    app.config_from_object("django.conf:settings", namespace="CELERY")
    app.conf.update(broker_url=REDIS_URL, broker_transport_options={"visibility_timeout": 3600},
                    worker_hijack_root_logger=False, task_always_eager=False, **conf)
    app.set_current()
    app.set_default()
    app.finalize(auto=True)
    try:
        yield app
    finally:
        app.close()
        previous.set_current()
        previous.set_default()


@contextlib.contextmanager
def thread_worker(app):
    with start_worker(app, pool="solo", concurrency=1, perform_ping_check=False, shutdown_timeout=10,
                      loglevel="WARNING"):
        yield


def database_url() -> str:
    """The URL of the database this test runs on, for a worker in another process."""
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class ProcessWorker:
    """``celery worker`` in its own process, on the test database and Redis."""

    def __init__(self, *, smtp_port: int, log_path: Path, pool: str = "solo", env: dict | None = None):
        self.pool = pool
        self.env = {
            **os.environ,
            "DATABASE_URL": database_url(),
            "CELERY_BROKER_URL": REDIS_URL,
            "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
            "EMAIL_TIMEOUT": "5",
            "REMINDERS_CLAIM_TIMEOUT": "1",
            "REMINDERS_RETRY_BASE_SECONDS": "0.2",
            "REMINDERS_TEST_WORKER": "1",
            "DJANGO_SETTINGS_MODULE": "config.settings",
            **(env or {}),
        }
        self.log_path = log_path
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "celery", "-A", "tests.reminders.worker_app", "worker", "--pool", self.pool,
             "--concurrency", "1", "--loglevel", "INFO", "--without-gossip", "--without-mingle",
             "--without-heartbeat", "-n", f"reminders-test-{time.monotonic_ns()}@%h"],
            cwd=BASE_DIR, env=self.env, stdout=log, stderr=subprocess.STDOUT,
        )

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()


def wait_until(predicate, timeout: float = 30, interval: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()


# The fixtures the live test modules share; a module takes them by importing them.

@pytest.fixture(scope="module")
def leave_the_migrated_data(django_db_setup, django_db_blocker):
    """Tests that commit end by emptying the tables; once a module's tests are done, put back what
    the migrations made (the topic library, the default instruments…) so that the next module —
    and a reused test database — find it. Use with ``pytest.mark.usefixtures``."""
    yield
    with django_db_blocker.unblock():
        restore_migrated_data(flush=False)


@pytest.fixture
def redis_db():
    return require_redis()


@pytest.fixture
def sink(settings):
    """A real SMTP server, and the project's email backend pointed at it."""
    with smtp_sink() as sink:
        point_mail_at(settings, sink.port)
        yield sink


@pytest.fixture
def unreachable_mail_server(settings):
    """The email backend pointed at a port where nothing listens."""
    with closed_port() as port:
        point_mail_at(settings, port)
        yield port


@pytest.fixture
def fast_retries(settings):
    settings.REMINDERS_RETRY_BASE_SECONDS = 0.2
    settings.REMINDERS_RETRY_MAX_SECONDS = 1
    settings.REMINDERS_MAX_ATTEMPTS = 3
