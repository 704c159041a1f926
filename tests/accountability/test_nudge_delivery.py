"""Nudges through the outbox, against a real SMTP server (and, where the task matters, a Celery
worker on Redis): a lost worker's claim is taken back by the sweep and sent once, a live claim is
left alone, a 451 is tried again after its backoff, a 550 fails with the server's words, an
unreachable server is given up on, and two dispatchers at once send one email per nudge."""

from __future__ import annotations

import datetime as dt
import threading
import uuid

import pytest
from django.db import connection, transaction

from accountability import nudges, tasks
from accountability.models import Nudge
from mentorprogram.models import Membership, OutboundEmail
from mentorprogram.outbox import outbox_send, outbox_sweep, queueing
from tests.factories import make_member
from tests.factories.accountability import AccountabilityPlanFactory, NudgeFactory, PlanItemFactory
from tests.reminders.live import (
    redis_app,
    require_redis,
    thread_worker,
    wait_until,
)

pytestmark = [pytest.mark.services, pytest.mark.usefixtures("leave_the_migrated_data")]

Status = Nudge.Status
NOW = dt.datetime(2026, 3, 31, 18, 0, tzinfo=dt.UTC)  # 31 March in Los Angeles
# Workers in other threads only see committed data.
COMMITTED = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def overdue_for(program, mentor, *, due_on: dt.date = dt.date(2026, 3, 20)):
    plan = AccountabilityPlanFactory(program=program, mentor=mentor)
    return PlanItemFactory(plan=plan, title="Finish the self-paced mentor training", due_on=due_on)


def send(ids, now):
    return outbox_send(ids=ids, claim_token=uuid.uuid4().hex, now=now)


@pytest.fixture
def send_at(monkeypatch):
    """Batches queued after commit are sent in this thread at once, at the given time."""
    clock = {"now": NOW}

    def publish(batches, countdown=None):
        transaction.on_commit(lambda: [send(ids, clock["now"]) for ids in batches])

    monkeypatch.setattr(queueing, "publish", publish)
    return clock


def test_a_nudge_left_sending_by_a_lost_worker_is_sent_once_by_the_next_sweep(
    program, mentor, sink, settings, send_at, django_capture_on_commit_callbacks,
):
    item = overdue_for(program, mentor)
    lost = NudgeFactory(program=program, person=mentor, key=f"item:{item.pk}", sending=True,
                        email__claimed_at=NOW - dt.timedelta(seconds=settings.REMINDERS_CLAIM_TIMEOUT + 60)).email
    with django_capture_on_commit_callbacks(execute=True):
        assert nudges.nudges_dispatch(now=NOW) == []  # recorded already
        assert outbox_sweep(now=NOW)["recovered"] == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert outbox_sweep(now=NOW + dt.timedelta(hours=1))["queued"] == 0
    assert sink.recipients() == {mentor.email: 1}
    assert sink.accepted[0]["Message-ID"] == f"<nudge.{lost.pk}@127.0.0.1>"
    lost.refresh_from_db()
    assert (lost.status, lost.attempts, lost.last_error, lost.claimed_at) == (Status.SENT, 2, "", NOW)
    # The lost worker, should it wake up, no longer holds the claim: its outcome writes nothing.
    assert not OutboundEmail.objects.filter(pk=lost.pk, status=Status.SENDING, claim_token="worker-1").exists()


def test_a_fresh_claim_is_left_to_its_worker(program, mentor, sink, send_at, django_capture_on_commit_callbacks):
    item = overdue_for(program, mentor)
    busy = NudgeFactory(program=program, person=mentor, key=f"item:{item.pk}", sending=True,
                        email__claimed_at=NOW - dt.timedelta(minutes=5)).email
    with django_capture_on_commit_callbacks(execute=True):
        assert outbox_sweep(now=NOW)["queued"] == 0
    assert send([busy.pk], NOW).as_dict()["sent"] == 0
    assert sink.accepted == []
    busy.refresh_from_db()
    assert (busy.status, busy.claim_token, busy.attempts) == (Status.SENDING, "worker-1", 1)


def test_a_451_is_tried_again_after_its_backoff_and_the_email_goes_out_once(program, mentor, sink, settings):
    overdue_for(program, mentor)
    sink.refuse_first_share = 1.0  # 451 to the first attempt of every message, then accept it
    (pk,) = nudges.nudges_dispatch(now=NOW)
    first = send([pk], NOW)
    [(retry_in, [retried])] = first.retry.items()
    base = settings.REMINDERS_RETRY_BASE_SECONDS
    assert retried == pk and base <= retry_in <= 1.2 * base
    email = OutboundEmail.objects.get()
    assert email.last_error == "The mail server answered 451 4.3.0 Please try again later"
    assert email.next_attempt_at == NOW + dt.timedelta(seconds=retry_in)
    assert send([pk], NOW).as_dict()["sent"] == 0  # not before its time …
    later = NOW + dt.timedelta(seconds=retry_in)
    assert send([pk], later).sent == [pk]  # … then once
    assert send([pk], later).as_dict()["sent"] == 0
    assert sink.recipients() == {mentor.email: 1} and len(sink.answered_451) == 1
    email.refresh_from_db()
    assert (email.status, email.attempts, email.last_error, email.next_attempt_at) == (Status.SENT, 2, "", None)


def test_a_refused_address_fails_at_once_with_the_servers_words(program, mentor, sink, send_at,
                                                                 django_capture_on_commit_callbacks):
    overdue_for(program, mentor)
    sink.refused_addresses = {mentor.email}
    with django_capture_on_commit_callbacks(execute=True):
        (pk,) = nudges.nudges_dispatch(now=NOW)
    with django_capture_on_commit_callbacks(execute=True):
        assert nudges.nudges_dispatch(now=NOW + dt.timedelta(hours=1)) == []  # a failed nudge waits for a coordinator
        assert outbox_sweep(now=NOW + dt.timedelta(hours=1))["queued"] == 0
    assert sink.accepted == []
    email = OutboundEmail.objects.get(pk=pk)
    assert (email.status, email.attempts, email.next_attempt_at) == (Status.FAILED, 1, None)
    assert email.last_error == "The mail server refused the address: 550 5.1.1 No such mailbox here"


def test_an_unreachable_mail_server_is_tried_again_then_the_nudge_fails_saying_why(program, mentor, settings,
                                                                                   unreachable_mail_server):
    settings.REMINDERS_MAX_ATTEMPTS = 2
    overdue_for(program, mentor)
    (pk,) = nudges.nudges_dispatch(now=NOW)
    [(retry_in, _)] = send([pk], NOW).retry.items()
    assert OutboundEmail.objects.get().last_error.startswith(
        "Could not talk to the mail server: ConnectionRefusedError")
    later = NOW + dt.timedelta(seconds=retry_in)
    assert send([pk], later).failed == [pk]
    email = OutboundEmail.objects.get()
    assert (email.status, email.attempts) == (Status.FAILED, 2)
    assert "ConnectionRefusedError" in email.last_error and email.last_error.endswith("(gave up after 2 attempts)")


@COMMITTED
def test_the_send_task_queues_itself_again_after_a_451_and_the_email_goes_out_once(program, mentor, today, sink,
                                                                                   settings):
    require_redis()
    settings.REMINDERS_RETRY_BASE_SECONDS = 0.2
    overdue_for(program, mentor, due_on=today - dt.timedelta(days=3))
    sink.refuse_first_share = 1.0
    with redis_app() as app, thread_worker(app):
        assert tasks.dispatch_nudges() == 1
        assert wait_until(lambda: OutboundEmail.objects.filter(status=Status.SENT).exists())
        assert tasks.dispatch_nudges() == 0
        sink.wait_for(2, timeout=1)
    assert sink.recipients() == {mentor.email: 1} and len(sink.answered_451) == 1
    assert OutboundEmail.objects.values_list("status", "attempts", "last_error").get() == (Status.SENT, 2, "")


@COMMITTED
def test_two_dispatchers_at_once_send_one_email_per_nudge(program, sink, send_at):
    mentors = [make_member(program, Membership.Role.MENTOR, email=f"mentor{i}@medicine.example.org")
               for i in range(8)]
    for mentor in mentors:
        overdue_for(program, mentor)
    together = threading.Barrier(2)
    errors: list[BaseException] = []

    def tick():
        try:
            together.wait(10)
            nudges.nudges_dispatch(now=NOW)
        except BaseException as exc:  # noqa: BLE001 — reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    ticks = [threading.Thread(target=tick) for _ in range(2)]
    for t in ticks:
        t.start()
    for t in ticks:
        t.join(60)
    assert errors == []
    assert sink.recipients() == {m.email: 1 for m in mentors}
    assert set(OutboundEmail.objects.values_list("status", "attempts")) == {(Status.SENT, 1)}
    assert Nudge.objects.count() == 8
