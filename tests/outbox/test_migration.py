"""Moving each reminder delivery's and nudge's delivery state to the outbox loses nothing:
every old row becomes one OutboundEmail with the same status, attempts, error, claim and times,
and the outbox then sends what was still waiting and leaves alone what was not."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from accountability.models import Nudge
from mentorprogram.models import Membership, OutboundEmail
from mentorprogram.outbox import claim
from reminders.models import ReminderDelivery
from tests.factories.community import MeetingFactory, MeetingSeriesFactory
from tests.factories.core import OutboundEmailFactory

# Migrating commits, so the test runs outside a transaction and the migrated rows are put back after.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

BEFORE_THE_OUTBOX = [
    ("mentorprogram", "0004_membership_awaiting_acceptance"),
    ("reminders", "0001_initial"),
    ("accountability", "0002_nudge_claim_and_retries"),
]


def migrate(targets=None):
    """Migrate to ``targets`` (default: the latest) and return the models as they are there."""
    executor = MigrationExecutor(connection)
    targets = targets or executor.loader.graph.leaf_nodes()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def test_every_old_delivery_and_nudge_becomes_one_outbound_email_with_its_state(program, mentor, other_mentor):
    now = timezone.now().replace(microsecond=0)
    meeting = MeetingFactory(series=MeetingSeriesFactory(program=program), starts_at=now + dt.timedelta(days=3))
    invited = Membership.objects.filter(user=other_mentor, program=program)
    invited.update(status=Membership.Status.INVITED, invited_at=now - dt.timedelta(days=1))
    try:
        old = migrate(BEFORE_THE_OUTBOX)
        Delivery, OldNudge = old.get_model("reminders", "ReminderDelivery"), old.get_model("accountability", "Nudge")
        common = {"meeting_id": meeting.pk, "created_at": now - dt.timedelta(days=2)}
        delivered = Delivery.objects.create(
            **common, user_id=mentor.pk, lead_days=7, status="sent", attempts=1, sent_sequence=0,
            sent_at=now - dt.timedelta(days=2)).pk
        waiting = Delivery.objects.create(
            **common, user_id=mentor.pk, lead_days=1, status="queued", enqueued_at=now - dt.timedelta(minutes=3)).pk
        held = Delivery.objects.create(
            **common, user_id=other_mentor.pk, lead_days=1, status="sending", attempts=2,
            claim_token="celery-1:abc", claimed_at=now - dt.timedelta(minutes=1)).pk
        refused = Delivery.objects.create(
            **common, user_id=other_mentor.pk, kind="update", sequence=1, status="failed", attempts=5,
            last_error="The mail server refused the address: 550 5.1.1 No such mailbox").pk
        nudged = OldNudge.objects.create(program_id=program.pk, person_id=mentor.pk, kind="item_overdue",
                                         key="item:7", status="sent", sent_at=now - dt.timedelta(hours=5)).pk
        pending = OldNudge.objects.create(program_id=program.pk, person_id=mentor.pk, kind="item_overdue",
                                          key="item:8", status="pending").pk
        backing_off = OldNudge.objects.create(
            program_id=program.pk, person_id=other_mentor.pk, kind="requirement_behind", key="requirement:3:2026-03",
            status="pending", attempts=2, error="451 4.3.0 Try again later",
            next_attempt_at=now + dt.timedelta(minutes=4)).pk
        gave_up = OldNudge.objects.create(
            program_id=program.pk, person_id=other_mentor.pk, kind="item_overdue", key="item:9", status="failed",
            attempts=5, error="554 5.7.1 Rejected").pk
    finally:
        migrate()

    assert OutboundEmail.objects.count() == 8
    email = {d.pk: d.email for d in ReminderDelivery.objects.select_related("email")}
    assert set(email) == {delivered, waiting, held, refused}
    assert all(e.kind == OutboundEmail.Kind.MEETING and e.program_id == program.pk
               and e.context == {"meeting": meeting.pk} for e in email.values())
    e = email[delivered]
    assert (e.status, e.attempts, e.sent_at, e.to_address, e.user_id) == (
        "sent", 1, now - dt.timedelta(days=2), mentor.email, mentor.pk)
    assert e.dedupe_key == f"{meeting.pk}:{mentor.pk}:lead:7" and e.message_id.startswith(f"<reminder-{delivered}@")
    e = email[waiting]
    assert (e.status, e.attempts, e.enqueued_at, e.message_id) == ("queued", 0, now - dt.timedelta(minutes=3), "")
    e = email[held]
    assert (e.status, e.attempts, e.claim_token, e.claimed_at) == (
        "sending", 2, "celery-1:abc", now - dt.timedelta(minutes=1))
    e = email[refused]
    assert (e.status, e.attempts, e.dedupe_key) == ("failed", 5, f"{meeting.pk}:{other_mentor.pk}:update:1")
    assert "550 5.1.1 No such mailbox" in e.last_error

    email = {n.pk: n.email for n in Nudge.objects.select_related("email")}
    assert set(email) == {nudged, pending, backing_off, gave_up}
    assert all(e.kind == OutboundEmail.Kind.NUDGE and e.program_id == program.pk for e in email.values())
    e = email[nudged]
    assert (e.status, e.sent_at, e.to_address) == ("sent", now - dt.timedelta(hours=5), mentor.email)
    assert e.dedupe_key == f"{mentor.pk}:item_overdue:item:7" and e.message_id.startswith(f"<nudge-{nudged}@")
    assert (email[pending].status, email[pending].last_error) == ("queued", "")
    e = email[backing_off]
    assert (e.status, e.attempts, e.last_error, e.next_attempt_at, e.enqueued_at) == (
        "queued", 2, "451 4.3.0 Try again later", now + dt.timedelta(minutes=4), now + dt.timedelta(minutes=4))
    assert (email[gave_up].status, email[gave_up].last_error) == ("failed", "554 5.7.1 Rejected")

    # Invitations were sent by a task then and left no rows: the membership waits as it was.
    assert invited.get().status == Membership.Status.INVITED
    assert not OutboundEmail.objects.filter(kind=OutboundEmail.Kind.INVITATION).exists()

    # What was waiting goes out now; what was sent, failed or held by a live claim does not.
    claimed = claim(ids=OutboundEmail.objects.values_list("pk", flat=True), claim_token="after-upgrade", now=now)
    ids = {c.pk for c in claimed}
    assert ReminderDelivery.objects.get(pk=waiting).email_id in ids
    assert Nudge.objects.get(pk=pending).email_id in ids
    assert len(ids) == 2  # the backing-off nudge waits for its time


def test_going_back_puts_each_emails_state_on_its_delivery_and_nudge(program, mentor):
    now = timezone.now().replace(microsecond=0)
    meeting = MeetingFactory(series=MeetingSeriesFactory(program=program), starts_at=now + dt.timedelta(days=3))
    sent = OutboundEmailFactory(kind=OutboundEmail.Kind.MEETING, user=mentor, program=program, status="sent",
                                sent_at=now, attempts=1)
    delivery = ReminderDelivery.objects.create(meeting=meeting, user=mentor, lead_days=1, email=sent,
                                               sent_sequence=0, created_at=now)
    failed = OutboundEmailFactory(kind=OutboundEmail.Kind.NUDGE, user=mentor, program=program, status="failed",
                                  attempts=5, last_error="550 no such mailbox")
    nudge = Nudge.objects.create(program=program, person=mentor, kind="item_overdue", key="item:1", email=failed)
    queued = OutboundEmailFactory(kind=OutboundEmail.Kind.NUDGE, user=mentor, program=program)
    waiting = Nudge.objects.create(program=program, person=mentor, kind="item_overdue", key="item:2", email=queued)
    try:
        old = migrate(BEFORE_THE_OUTBOX)
        old_delivery = old.get_model("reminders", "ReminderDelivery").objects.get(pk=delivery.pk)
        OldNudge = old.get_model("accountability", "Nudge")
        assert (old_delivery.status, old_delivery.sent_at, old_delivery.attempts) == ("sent", now, 1)
        assert OldNudge.objects.filter(pk=nudge.pk).values_list("status", "error", "attempts").get() == (
            "failed", "550 no such mailbox", 5)
        assert OldNudge.objects.get(pk=waiting.pk).status == "pending"
    finally:
        migrate()
    assert ReminderDelivery.objects.get(pk=delivery.pk).email.status == "sent"
