"""The coordinators' side of nudges: failed ones with the server's words, and sending them again."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accountability import nudges
from accountability.models import Nudge
from mentorprogram.outbox import outbox_send, queueing
from tests.factories.accountability import AccountabilityPlanFactory, NudgeFactory, PlanItemFactory

pytestmark = pytest.mark.django_db

Status = Nudge.Status
CHANGELIST = "admin:accountability_nudge_changelist"


def test_coordinators_see_failed_nudges_with_their_error_and_only_their_programs(
    client, program, coordinator, mentor, other_program,
):
    NudgeFactory(program=program, person=mentor, failed=True,
                 email__last_error="The mail server refused the address: 550 5.1.1 No such mailbox here")
    NudgeFactory(program=other_program, failed=True, email__last_error="Other program's error")
    client.force_login(coordinator)
    response = client.get(reverse(CHANGELIST) + "?email__status__exact=failed")
    assert response.status_code == 200
    body = response.content.decode()
    assert "550 5.1.1 No such mailbox here" in body and "Other program" not in body


def test_send_again_queues_the_failed_nudges_of_the_coordinators_programs_only(
    client, program, coordinator, mentor, other_program, monkeypatch, django_capture_on_commit_callbacks,
):
    failed = NudgeFactory(program=program, person=mentor, failed=True).email
    sent = NudgeFactory(program=program, person=mentor, email__status=Status.SENT, email__sent_at=timezone.now(),
                        email__attempts=1).email
    elsewhere = NudgeFactory(program=other_program, failed=True).email
    queued: list[list[int]] = []
    monkeypatch.setattr(queueing, "publish", lambda batches, countdown=None: queued.extend(batches))
    client.force_login(coordinator)
    chosen = {"action": "send_again", "_selected_action": [failed.nudge.pk, sent.nudge.pk, elsewhere.nudge.pk]}
    confirm = client.post(reverse(CHANGELIST), chosen).content.decode()
    assert "1 nudge that failed will be emailed again" in confirm and "not failed" in confirm  # asks first
    assert queued == []
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse(CHANGELIST), {**chosen, "confirmed": "yes"}, follow=True)
    assert "1 nudge(s) queued to be sent again." in response.content.decode()
    assert queued == [[failed.pk]]
    failed.refresh_from_db()
    assert (failed.status, failed.attempts, failed.last_error, failed.next_attempt_at) == (Status.QUEUED, 0, "", None)
    sent.refresh_from_db()
    elsewhere.refresh_from_db()
    assert (sent.status, elsewhere.status) == (Status.SENT, Status.FAILED)


def test_a_nudge_sent_again_is_sent_once(program, mentor, send_inline, django_capture_on_commit_callbacks):
    """Pressing the button twice, or a send task still around from before, sends one email."""
    item = PlanItemFactory(plan=AccountabilityPlanFactory(program=program, mentor=mentor),
                           due_on=dt.date(2020, 1, 1))
    failed = NudgeFactory(program=program, person=mentor, key=f"item:{item.pk}", failed=True).email
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            nudges.nudges_resend(nudges=Nudge.objects.all())
    outbox_send(ids=[failed.pk], claim_token="a task from before")
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [mentor.email]
    failed.refresh_from_db()
    assert (failed.status, failed.attempts, failed.last_error) == (Status.SENT, 1, "")
