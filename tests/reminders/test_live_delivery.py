"""Exactly once, against the real things: a Redis broker, Celery workers and an SMTP server.

Each test asserts on what the SMTP server accepted: every member gets one email per lead,
none lost, none doubled — through repeated and concurrent dispatcher ticks, 451 answers, a
refused address, an unreachable server and a worker killed in the middle of a batch."""

from __future__ import annotations

import datetime as dt
import email
import threading

import icalendar
import pytest
from django.utils import timezone

from community import services as community_services
from mentorprogram.models import Membership, OutboundEmail
from reminders import services
from reminders.models import ReminderDelivery
from tests.factories import make_member
from tests.factories.community import MeetingFactory, MeetingSeriesFactory

from .live import (
    ProcessWorker,
    redis_app,
    thread_worker,
    wait_until,
)

# Workers in other threads and processes only see committed data, hence transaction=True.
pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True, serialized_rollback=True),
              pytest.mark.usefixtures("leave_the_migrated_data")]

Status = ReminderDelivery.Status
UNFINISHED = (Status.QUEUED, Status.SENDING)


def members(program, n: int) -> list:
    people = [make_member(program, Membership.Role.MENTOR, email=f"mentor{i:03d}@medicine.example.org")
              for i in range(n)]
    Membership.objects.filter(program=program).update(joined_on=dt.date(2025, 9, 1))
    return people


def meeting_in(program, hours: float):
    start = (timezone.now() + dt.timedelta(hours=hours)).replace(second=0, microsecond=0)
    return MeetingFactory(series=MeetingSeriesFactory(program=program), starts_at=start, occurrence_start=start,
                          ends_at=start + dt.timedelta(hours=1))


def finished() -> bool:
    return not OutboundEmail.objects.filter(status__in=UNFINISHED).exists()


def invitation(message: email.message.Message) -> icalendar.Event:
    part = next(p for p in message.walk() if p.get_content_type() == "text/calendar")
    return icalendar.Calendar.from_ical(part.get_payload(decode=True)).walk("VEVENT")[0]


def test_it_sends_one_email_per_person_and_lead_however_the_dispatcher_runs(program, redis_db, sink, settings):
    settings.REMINDERS_BATCH_SIZE = 10
    people = members(program, 30)
    meeting = meeting_in(program, hours=20)  # the 1-day lead is due; the 7-day lead was missed
    with redis_app() as app, thread_worker(app):
        services.reminders_dispatch()
        services.reminders_dispatch()
        ticks = [threading.Thread(target=services.reminders_dispatch) for _ in range(2)]
        for tick in ticks:
            tick.start()
        for tick in ticks:
            tick.join()
        assert wait_until(lambda: finished() and len(sink.accepted) >= 30)
        services.reminders_dispatch()
        sink.wait_for(31, timeout=1)
    assert sink.recipients() == {p.email: 1 for p in people}
    assert set(ReminderDelivery.objects.values_list("meeting_id", "lead_days", "email__status")) == {
        (meeting.pk, 1, Status.SENT)}


def test_it_retries_451_answers_with_backoff_and_delivers_each_once(program, redis_db, sink, fast_retries):
    sink.refuse_first_share = 0.3
    people = members(program, 40)
    meeting_in(program, hours=20)
    with redis_app() as app, thread_worker(app):
        services.reminders_dispatch()
        assert wait_until(lambda: finished() and len(sink.accepted) >= 40)
    assert sink.recipients() == {p.email: 1 for p in people}
    retried = OutboundEmail.objects.filter(attempts=2)
    assert 5 <= len(sink.answered_451) == retried.count() <= 20
    assert set(OutboundEmail.objects.values_list("status", "last_error")) == {(Status.SENT, "")}


def test_a_refused_address_fails_for_good_while_the_others_get_theirs(program, redis_db, sink, fast_retries):
    people = members(program, 6)
    sink.refused_addresses = {people[2].email}
    meeting_in(program, hours=20)
    with redis_app() as app, thread_worker(app):
        services.reminders_dispatch()
        assert wait_until(lambda: finished() and len(sink.accepted) >= 5)
    assert sink.recipients() == {p.email: 1 for p in people if p != people[2]}
    failed = OutboundEmail.objects.get(status=Status.FAILED)
    assert failed.user == people[2] and failed.attempts == 1
    assert "550" in failed.last_error and "No such mailbox" in failed.last_error


def test_an_unreachable_mail_server_ends_in_failed_deliveries_that_say_why(program, redis_db, unreachable_mail_server,
                                                                           fast_retries):
    members(program, 3)
    meeting_in(program, hours=20)
    with redis_app() as app, thread_worker(app):
        services.reminders_dispatch()
        assert wait_until(finished, timeout=20)
    rows = list(OutboundEmail.objects.values_list("status", "attempts", "last_error"))
    assert len(rows) == 3
    for status, attempts, error in rows:
        assert (status, attempts) == (Status.FAILED, 3)
        assert "Could not talk to the mail server: ConnectionRefusedError" in error and "gave up after 3" in error


def test_a_moved_then_cancelled_meeting_reaches_those_reminded_with_higher_sequences(program, redis_db, sink):
    people = members(program, 4)
    meeting = meeting_in(program, hours=20)
    with redis_app() as app, thread_worker(app):
        services.reminders_dispatch()
        assert wait_until(lambda: finished() and len(sink.accepted) >= 4)
        community_services.meeting_move(meeting=meeting, starts_at=meeting.starts_at + dt.timedelta(hours=1))
        services.reminders_dispatch()
        assert wait_until(lambda: finished() and len(sink.accepted) >= 8)
        community_services.meeting_cancel(meeting=meeting)
        services.reminders_dispatch()
        assert wait_until(lambda: finished() and len(sink.accepted) >= 12)
        services.reminders_dispatch()
    assert sink.recipients() == {p.email: 3 for p in people}
    seen = sorted((m["To"], str(invitation(m)["SEQUENCE"]), m["Subject"].split(":")[0]) for m in sink.accepted)
    assert seen == sorted((p.email, seq, word) for p in people
                          for seq, word in (("0", "Reminder"), ("1", "Changed"), ("2", "Cancelled")))
    cancels = [m for m in sink.accepted if m["Subject"].startswith("Cancelled")]
    assert {invitation(m)["STATUS"] for m in cancels} == {"CANCELLED"}


def test_a_worker_killed_mid_batch_loses_and_doubles_nothing(program, redis_db, sink, settings, tmp_path):
    settings.REMINDERS_BATCH_SIZE = 40
    people = members(program, 40)
    meeting_in(program, hours=20)
    sink.hold_at = 15  # the server holds the 15th message before answering …
    worker = ProcessWorker(smtp_port=sink.port, log_path=tmp_path / "worker.log")
    worker.start()
    try:
        with redis_app():
            services.reminders_dispatch()
        assert sink.holding.wait(60), (tmp_path / "worker.log").read_text()
        worker.kill()  # … and the worker dies waiting for the answer
        sink.release.set()
        assert len(sink.accepted) == 14
        assert OutboundEmail.objects.filter(status=Status.SENT).count() == 14
        assert OutboundEmail.objects.filter(status=Status.SENDING).count() == 26
        worker.start()  # the broker hands the unacknowledged batch to the new worker
        assert wait_until(lambda: finished() and len(sink.accepted) >= 40, timeout=60), (
            (tmp_path / "worker.log").read_text())
    finally:
        worker.stop()
    assert sink.recipients() == {p.email: 1 for p in people}
    assert set(OutboundEmail.objects.values_list("status", flat=True)) == {Status.SENT}
