from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.conf import settings
from django.core import mail

from accountability import nudges, tasks
from accountability.models import Nudge
from mentorprogram.outbox import outbox_send
from tests.factories.accountability import (
    AccountabilityPlanFactory,
    MenteeFactory,
    PlanItemFactory,
    ReportingRequirementFactory,
)

LATE_MARCH = dt.datetime(2026, 3, 31, 18, 0, tzinfo=dt.UTC)  # 31 March in Los Angeles
LATE_APRIL = dt.datetime(2026, 4, 30, 18, 0, tzinfo=dt.UTC)


@pytest.fixture
def run(send_inline, django_capture_on_commit_callbacks):
    """One run of the hourly job at ``now``, its emails sent at once."""
    def run(now):
        send_inline.now = now
        with django_capture_on_commit_callbacks(execute=True):
            return nudges.nudges_dispatch(now=now)
    return run


def send(ids, now):
    return outbox_send(ids=ids, claim_token=uuid.uuid4().hex, now=now)


@pytest.fixture
def overdue_item(program, mentor):
    plan = AccountabilityPlanFactory(program=program, mentor=mentor)
    return PlanItemFactory(plan=plan, title="Finish the self-paced mentor training", due_on=dt.date(2026, 3, 20))


def test_it_emails_an_overdue_item_once_however_often_the_job_runs(overdue_item, mentor, run):
    run(LATE_MARCH)
    run(LATE_MARCH)
    run(LATE_APRIL)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [mentor.email]
    assert "Finish the self-paced mentor training" in message.subject
    assert "Mar 20, 2026" in message.body
    assert "Finish the self-paced mentor training" in message.alternatives[0][0]
    assert Nudge.objects.get().email.status == Nudge.Status.SENT
    assert message.extra_headers["Auto-Submitted"] == "auto-generated"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "/unsubscribe/" in message.extra_headers["List-Unsubscribe"]


def test_it_does_not_nudge_an_item_not_yet_due(overdue_item, run):
    run(dt.datetime(2026, 3, 20, 18, 0, tzinfo=dt.UTC))
    assert mail.outbox == []


def test_it_emails_a_behind_requirement_once_a_month(program, mentor, run):
    ReportingRequirementFactory(program=program, metric="mentee_meetings", target=1, period="month")
    MenteeFactory(program=program, mentor=mentor)
    run(LATE_MARCH)
    run(LATE_MARCH)
    assert len(mail.outbox) == 1
    assert "Behind on “Meetings with each mentee”" in mail.outbox[0].subject
    assert "March 2026" in mail.outbox[0].body
    run(LATE_APRIL)
    assert len(mail.outbox) == 2


def test_a_repeated_send_message_sends_nothing(overdue_item):
    (pk,) = nudges.nudges_dispatch(now=LATE_MARCH)
    assert send([pk], LATE_MARCH).sent == [pk]
    assert send([pk], LATE_MARCH).as_dict()["sent"] == 0
    assert len(mail.outbox) == 1


def test_an_item_completed_before_the_send_is_skipped(overdue_item):
    (pk,) = nudges.nudges_dispatch(now=LATE_MARCH)
    overdue_item.status, overdue_item.completed_on = "done", dt.date(2026, 3, 30)
    overdue_item.save()
    assert send([pk], LATE_MARCH).skipped == [pk]
    assert mail.outbox == []
    assert Nudge.objects.get().email.status == Nudge.Status.SKIPPED


def test_mentors_who_turned_nudges_off_get_none(overdue_item, mentor, run):
    mentor.nudges_opt_out = True
    mentor.save()
    run(LATE_MARCH)
    assert mail.outbox == [] and not Nudge.objects.exists()


def test_mentors_who_opted_out_get_no_nudges(overdue_item, mentor, run):
    mentor.reminders_opt_out = True
    mentor.save()
    run(LATE_MARCH)
    assert mail.outbox == [] and not Nudge.objects.exists()


def test_the_periodic_task_queues_the_new_nudges_once(program, mentor, send_inline,
                                                       django_capture_on_commit_callbacks):
    plan = AccountabilityPlanFactory(program=program, mentor=mentor)
    PlanItemFactory(plan=plan, due_on=dt.date(2020, 1, 1))
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.dispatch_nudges() == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.dispatch_nudges() == 0
    assert len(mail.outbox) == 1
    assert tasks.dispatch_nudges.acks_late


def test_the_job_is_on_the_beat_schedule():
    assert settings.CELERY_BEAT_SCHEDULE["accountability-nudges"]["task"] == tasks.dispatch_nudges.name
