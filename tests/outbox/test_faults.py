"""The outbox against the real things when they misbehave: a real SMTP server that is slow,
answers late or hangs, real Celery workers on Redis (in a thread, or a separate process killed
with SIGKILL), time limits reached mid-batch, and the broker's queue emptied mid-fan-out.

Every test counts what the SMTP server accepted per recipient: each person exactly one email."""

from __future__ import annotations

import datetime as dt
import re
import time

import pytest
from django.utils import timezone

from mentorprogram import onboarding
from mentorprogram.models import Membership, OutboundEmail
from mentorprogram.outbox import outbox_sweep
from reminders import services
from tests.reminders.live import (
    REDIS_URL,
    ProcessWorker,
    redis_app,
    thread_worker,
    wait_until,
)
from tests.reminders.test_live_delivery import meeting_in, members

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True, serialized_rollback=True),
              pytest.mark.usefixtures("leave_the_migrated_data")]

Status = OutboundEmail.Status


def finished() -> bool:
    return not OutboundEmail.objects.filter(status__in=(Status.QUEUED, Status.SENDING)).exists()


def statuses() -> set[str]:
    return set(OutboundEmail.objects.values_list("status", flat=True))


LIMITS = {"task_soft_time_limit": 2, "task_time_limit": 5}
LIMIT_ENV = {"CELERY_TASK_SOFT_TIME_LIMIT": "2", "CELERY_TASK_TIME_LIMIT": "5", "REMINDERS_CLAIM_TIMEOUT": "6",
             "OUTBOX_TIME_MARGIN": "0.5"}


def test_a_slow_server_makes_batches_stop_before_their_time_limit_and_nothing_is_lost_or_doubled(
    program, redis_db, sink, settings, tmp_path,
):
    """A batch that would outlast its soft time limit stops between two messages and gives the
    rest back; nothing is marked failed, nothing is sent twice."""
    settings.REMINDERS_BATCH_SIZE = 16
    people = members(program, 16)
    meeting_in(program, hours=20)
    sink.data_delay = 0.25  # 16 messages take 4 s; the soft limit is 2 s
    worker = ProcessWorker(smtp_port=sink.port, log_path=tmp_path / "worker.log", pool="prefork",
                           env={**LIMIT_ENV, "EMAIL_TIMEOUT": "5"})
    worker.start()
    try:
        with redis_app(**LIMITS):
            services.reminders_dispatch()
        assert wait_until(lambda: finished() and len(sink.accepted) >= 16, timeout=60), (
            (tmp_path / "worker.log").read_text())
    finally:
        worker.stop()
    assert sink.recipients() == {p.email: 1 for p in people}
    assert statuses() == {Status.SENT}
    assert set(OutboundEmail.objects.values_list("attempts", "last_error")) == {(1, "")}
    log = (tmp_path / "worker.log").read_text()
    assert re.search(r"'released': [1-9]", log), log  # a batch stopped short and gave the rest back


@pytest.mark.parametrize("where", ["after the message", "before the message"])
def test_a_server_that_hangs_past_the_soft_time_limit_loses_and_doubles_nothing(
    program, redis_db, sink, settings, tmp_path, where,
):
    """The soft time limit strikes while the server is silent: after it had the whole message the
    message counts as sent; before (at RCPT) it goes back to the queue. Never an SMTP failure."""
    settings.REMINDERS_BATCH_SIZE = 8
    people = members(program, 8)
    meeting_in(program, hours=20)
    if where == "after the message":
        sink.late_at, sink.late_seconds = {3}, 4
    else:
        sink.hang_rcpt_at, sink.hang_seconds = 3, 4
    env = {**LIMIT_ENV, "EMAIL_TIMEOUT": "10", "OUTBOX_TIME_MARGIN": "0"}
    worker = ProcessWorker(smtp_port=sink.port, log_path=tmp_path / "worker.log", pool="prefork", env=env)
    worker.start()
    try:
        with redis_app(**LIMITS):
            services.reminders_dispatch()
        assert wait_until(lambda: finished() and len(sink.accepted) >= 8, timeout=60), (
            (tmp_path / "worker.log").read_text())
        time.sleep(1)  # nothing more arrives
    finally:
        worker.stop()
    assert sink.recipients() == {p.email: 1 for p in people}
    assert statuses() == {Status.SENT}
    assert not OutboundEmail.objects.exclude(last_error="").exclude(last_error__contains="counts as sent").exists()


def test_a_late_250_counts_as_sent_and_is_not_sent_again(program, redis_db, sink, settings):
    """The server's final answer comes after EMAIL_TIMEOUT: it had the message, so the email is
    sent, not retried (the old sender sent each of those twice)."""
    settings.EMAIL_TIMEOUT = 1
    settings.REMINDERS_RETRY_BASE_SECONDS = 0.2
    people = members(program, 10)
    meeting_in(program, hours=20)
    sink.late_at, sink.late_seconds = {3, 7}, 1.5
    with redis_app() as app, thread_worker(app):
        services.reminders_dispatch()
        assert wait_until(lambda: finished() and len(sink.accepted) >= 10, timeout=60)
        time.sleep(1)
    assert sink.recipients() == {p.email: 1 for p in people}
    assert statuses() == {Status.SENT}
    late = OutboundEmail.objects.exclude(last_error="")
    assert late.count() == 2 and all("counted as sent" in e.last_error for e in late)


def test_a_broker_emptied_mid_fan_out_loses_nothing_once_the_sweep_runs(program, redis_db, sink, settings):
    """The broker's queue is emptied (as when Redis restarts without its data) while a fan-out is
    under way: the next sweep after the claim timeout hands out what was lost, and only that."""
    import redis

    settings.REMINDERS_BATCH_SIZE = 5
    people = members(program, 40)
    meeting_in(program, hours=20)
    sink.data_delay = 0.03
    client = redis.Redis.from_url(REDIS_URL)
    with redis_app() as app, thread_worker(app):
        services.reminders_dispatch()
        assert wait_until(lambda: len(sink.accepted) >= 5, timeout=30)
        for key in client.keys("celery*"):  # the queue, in this test's own Redis database only
            client.delete(key)
        assert wait_until(lambda: not OutboundEmail.objects.filter(status=Status.SENDING).exists(), timeout=30)
        time.sleep(0.5)
        lost = OutboundEmail.objects.filter(status=Status.QUEUED).count()
        assert lost > 0 and len(sink.accepted) < 40  # the emptied queue took batches with it
        assert outbox_sweep()["queued"] == 0  # not before the claim timeout
        later = timezone.now() + dt.timedelta(seconds=settings.REMINDERS_CLAIM_TIMEOUT + 1)
        assert outbox_sweep(now=later)["requeued"] == lost
        assert wait_until(lambda: finished() and len(sink.accepted) >= 40, timeout=60)
    assert sink.recipients() == {p.email: 1 for p in people}
    assert statuses() == {Status.SENT}


def test_a_worker_killed_mid_import_leaves_nobody_uninvited_and_nobody_invited_twice(
    program, coordinator, redis_db, sink, settings, tmp_path,
):
    settings.REMINDERS_BATCH_SIZE = 30
    rows = "email,name,role,department\n" + "".join(
        f"new{i:02d}@med.example.edu,Person {i},mentor,Medicine\n" for i in range(30))
    sink.hold_at = 12  # the server holds the 12th invitation before answering …
    worker = ProcessWorker(smtp_port=sink.port, log_path=tmp_path / "worker.log")
    worker.start()
    try:
        with redis_app():
            result = onboarding.import_apply(user=coordinator, program=program,
                                             rows=onboarding.read_csv(rows.encode()), base_url="https://x.test")
        assert len(result.invited_membership_ids) == 30
        assert sink.holding.wait(60), (tmp_path / "worker.log").read_text()
        worker.kill()  # … and the worker dies waiting for the answer
        sink.release.set()
        assert len(sink.accepted) == 11
        worker.start()
        assert wait_until(lambda: finished() and len(sink.accepted) >= 30, timeout=60), (
            (tmp_path / "worker.log").read_text())
    finally:
        worker.stop()
    assert sink.recipients() == {f"new{i:02d}@med.example.edu": 1 for i in range(30)}
    assert statuses() == {Status.SENT}
    assert not Membership.objects.filter(program=program, role="mentor", invited_at__isnull=True).exists()
