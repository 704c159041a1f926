"""Exactly once, against a real SMTP server (and, where the task matters, a Celery worker on
Redis): a lost worker's claim is taken back by the next dispatch and sent once, a live claim is
left alone, a 451 is tried again after its backoff, a 550 fails with the server's words, an
unreachable server is given up on, and two dispatchers at once send one email per nudge."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection

from accountability import nudges, tasks
from accountability.models import Nudge
from mentorprogram.models import Membership
from tests.factories import make_member
from tests.factories.accountability import AccountabilityPlanFactory, NudgeFactory, PlanItemFactory
from tests.migrated_data import restore_migrated_data
from tests.reminders.live import (
    free_port,
    point_mail_at,
    redis_app,
    require_redis,
    smtp_sink,
    thread_worker,
    wait_until,
)

pytestmark = pytest.mark.services

Status = Nudge.Status
NOW = dt.datetime(2026, 3, 31, 18, 0, tzinfo=dt.UTC)  # 31 March in Los Angeles
# Workers in other threads only see committed data.
COMMITTED = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture(scope="module", autouse=True)
def _leave_the_migrated_data(django_db_setup, django_db_blocker):
    """The committed tests end by emptying the tables; put back what the migrations made."""
    yield
    with django_db_blocker.unblock():
        restore_migrated_data(flush=False)


@pytest.fixture
def sink(settings):
    with smtp_sink() as sink:
        point_mail_at(settings, sink.port)
        yield sink


def overdue_for(program, mentor, *, due_on: dt.date = dt.date(2026, 3, 20)):
    plan = AccountabilityPlanFactory(program=program, mentor=mentor)
    return PlanItemFactory(plan=plan, title="Finish the self-paced mentor training", due_on=due_on)


def dispatch_and_send(now: dt.datetime) -> list[int]:
    """One dispatcher tick whose nudges are sent in this thread as soon as it commits."""
    return nudges.nudges_dispatch(now=now, enqueue=lambda pk: nudges.nudge_send(nudge_id=pk, now=now))


def test_a_nudge_left_sending_by_a_lost_worker_is_sent_once_by_the_next_dispatch(
    program, mentor, sink, settings, django_capture_on_commit_callbacks,
):
    item = overdue_for(program, mentor)
    lost = NudgeFactory(program=program, person=mentor, key=f"item:{item.pk}", sending=True,
                        claimed_at=NOW - dt.timedelta(seconds=settings.REMINDERS_CLAIM_TIMEOUT + 60))
    with django_capture_on_commit_callbacks(execute=True):
        assert dispatch_and_send(NOW) == [lost.pk]
    with django_capture_on_commit_callbacks(execute=True):
        assert dispatch_and_send(NOW + dt.timedelta(hours=1)) == []
    assert sink.recipients() == {mentor.email: 1}
    assert sink.accepted[0]["Message-ID"] == f"<nudge-{lost.pk}@example.org>"
    lost.refresh_from_db()
    assert (lost.status, lost.attempts, lost.error, lost.claimed_at) == (Status.SENT, 2, "", NOW)
    # The lost worker, should it wake up, no longer holds the claim: its outcome writes nothing.
    assert not Nudge.objects.filter(pk=lost.pk, status=Status.SENDING, claim_token="worker-1").exists()


def test_a_fresh_claim_is_left_to_its_worker(program, mentor, sink, django_capture_on_commit_callbacks):
    item = overdue_for(program, mentor)
    busy = NudgeFactory(program=program, person=mentor, key=f"item:{item.pk}", sending=True,
                        claimed_at=NOW - dt.timedelta(minutes=5))
    with django_capture_on_commit_callbacks(execute=True):
        assert dispatch_and_send(NOW) == []
    assert nudges.nudge_send(nudge_id=busy.pk, now=NOW).status is None
    assert sink.accepted == []
    busy.refresh_from_db()
    assert (busy.status, busy.claim_token, busy.attempts) == (Status.SENDING, "worker-1", 1)


def test_a_451_is_tried_again_after_its_backoff_and_the_email_goes_out_once(program, mentor, sink, settings):
    overdue_for(program, mentor)
    sink.refuse_first_share = 1.0  # 451 to the first attempt of every message, then accept it
    (pk,) = nudges.nudges_dispatch(now=NOW)
    first = nudges.nudge_send(nudge_id=pk, now=NOW)
    base = settings.REMINDERS_RETRY_BASE_SECONDS
    assert first.status == Status.PENDING and base <= first.retry_in <= 1.2 * base
    nudge = Nudge.objects.get()
    assert nudge.error == "The mail server answered 451 4.3.0 Please try again later"
    assert nudge.next_attempt_at == NOW + dt.timedelta(seconds=first.retry_in)
    assert nudges.nudges_dispatch(now=NOW) == []  # not before its time …
    assert nudges.nudge_send(nudge_id=pk, now=NOW).status is None
    later = NOW + dt.timedelta(seconds=first.retry_in)
    assert nudges.nudge_send(nudge_id=pk, now=later).sent  # … then once
    assert nudges.nudge_send(nudge_id=pk, now=later).status is None
    assert nudges.nudges_dispatch(now=later) == []
    assert sink.recipients() == {mentor.email: 1} and len(sink.answered_451) == 1
    nudge.refresh_from_db()
    assert (nudge.status, nudge.attempts, nudge.error, nudge.next_attempt_at) == (Status.SENT, 2, "", None)


def test_a_refused_address_fails_at_once_with_the_servers_words(program, mentor, sink,
                                                                 django_capture_on_commit_callbacks):
    overdue_for(program, mentor)
    sink.refused_addresses = {mentor.email}
    with django_capture_on_commit_callbacks(execute=True):
        (pk,) = dispatch_and_send(NOW)
    with django_capture_on_commit_callbacks(execute=True):
        assert dispatch_and_send(NOW + dt.timedelta(hours=1)) == []  # a failed nudge waits for a coordinator
    assert sink.accepted == []
    nudge = Nudge.objects.get(pk=pk)
    assert (nudge.status, nudge.attempts, nudge.next_attempt_at) == (Status.FAILED, 1, None)
    assert nudge.error == "The mail server refused the address: 550 5.1.1 No such mailbox here"


def test_an_unreachable_mail_server_is_tried_again_then_the_nudge_fails_saying_why(program, mentor, settings):
    point_mail_at(settings, free_port())  # nothing listens there
    settings.REMINDERS_MAX_ATTEMPTS = 2
    overdue_for(program, mentor)
    (pk,) = nudges.nudges_dispatch(now=NOW)
    first = nudges.nudge_send(nudge_id=pk, now=NOW)
    assert first.status == Status.PENDING
    assert Nudge.objects.get().error.startswith("Could not talk to the mail server: ConnectionRefusedError")
    later = NOW + dt.timedelta(seconds=first.retry_in)
    assert nudges.nudges_dispatch(now=later) == [pk]  # the hourly task would pick it up too
    assert nudges.nudge_send(nudge_id=pk, now=later) == nudges.SendOutcome(Status.FAILED)
    nudge = Nudge.objects.get()
    assert (nudge.status, nudge.attempts) == (Status.FAILED, 2)
    assert "ConnectionRefusedError" in nudge.error and nudge.error.endswith("(gave up after 2 attempts)")


@COMMITTED
def test_the_send_task_queues_itself_again_after_a_451_and_the_email_goes_out_once(program, mentor, today, sink,
                                                                                   settings):
    require_redis()
    settings.REMINDERS_RETRY_BASE_SECONDS = 0.2
    overdue_for(program, mentor, due_on=today - dt.timedelta(days=3))
    sink.refuse_first_share = 1.0
    with redis_app() as app, thread_worker(app):
        assert tasks.dispatch_nudges() == 1
        assert wait_until(lambda: Nudge.objects.filter(status=Status.SENT).exists())
        assert tasks.dispatch_nudges() == 0
        sink.wait_for(2, timeout=1)
    assert sink.recipients() == {mentor.email: 1} and len(sink.answered_451) == 1
    assert Nudge.objects.values_list("status", "attempts", "error").get() == (Status.SENT, 2, "")


@COMMITTED
def test_two_dispatchers_at_once_send_one_email_per_nudge(program, sink):
    mentors = [make_member(program, Membership.Role.MENTOR, email=f"mentor{i}@medicine.example.org")
               for i in range(8)]
    for mentor in mentors:
        overdue_for(program, mentor)
    together = threading.Barrier(2)
    errors: list[BaseException] = []

    def tick():
        try:
            together.wait(10)
            dispatch_and_send(NOW)
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
    assert set(Nudge.objects.values_list("status", "attempts")) == {(Status.SENT, 1)}
