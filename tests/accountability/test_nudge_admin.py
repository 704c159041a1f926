"""The coordinators' side of nudges: failed ones with the server's words, and sending them again."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accountability import nudges, tasks
from accountability.models import Nudge
from tests.factories.accountability import AccountabilityPlanFactory, NudgeFactory, PlanItemFactory

pytestmark = pytest.mark.django_db

Status = Nudge.Status
CHANGELIST = "admin:accountability_nudge_changelist"


def test_coordinators_see_failed_nudges_with_their_error_and_only_their_programs(
    client, program, coordinator, mentor, other_program,
):
    NudgeFactory(program=program, person=mentor, failed=True,
                 error="The mail server refused the address: 550 5.1.1 No such mailbox here")
    NudgeFactory(program=other_program, failed=True, error="Other program's error")
    client.force_login(coordinator)
    response = client.get(reverse(CHANGELIST) + "?status__exact=failed")
    assert response.status_code == 200
    body = response.content.decode()
    assert "550 5.1.1 No such mailbox here" in body and "Other program" not in body


def test_send_again_queues_the_failed_nudges_of_the_coordinators_programs_only(
    client, program, coordinator, mentor, other_program, monkeypatch, django_capture_on_commit_callbacks,
):
    failed = NudgeFactory(program=program, person=mentor, failed=True)
    sent = NudgeFactory(program=program, person=mentor, status=Status.SENT, sent_at=timezone.now(), attempts=1)
    elsewhere = NudgeFactory(program=other_program, failed=True)
    queued: list[int] = []
    monkeypatch.setattr(tasks.send_nudge, "delay", queued.append)
    client.force_login(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse(CHANGELIST), {
            "action": "send_again", "_selected_action": [failed.pk, sent.pk, elsewhere.pk],
        }, follow=True)
    assert "1 nudge(s) queued to be sent again (1 were not failed and are left alone)." in response.content.decode()
    assert queued == [failed.pk]
    failed.refresh_from_db()
    assert (failed.status, failed.attempts, failed.error, failed.next_attempt_at) == (Status.PENDING, 0, "", None)
    assert Nudge.objects.get(pk=sent.pk).status == Status.SENT
    assert Nudge.objects.get(pk=elsewhere.pk).status == Status.FAILED


def test_a_nudge_sent_again_is_sent_once(program, mentor, monkeypatch, django_capture_on_commit_callbacks):
    """Pressing the button twice, or a send task still around from before, sends one email."""
    item = PlanItemFactory(plan=AccountabilityPlanFactory(program=program, mentor=mentor),
                           due_on=dt.date(2020, 1, 1))
    failed = NudgeFactory(program=program, person=mentor, key=f"item:{item.pk}", failed=True)
    monkeypatch.setattr(tasks.send_nudge, "delay", lambda pk: tasks.send_nudge(pk))
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            nudges.nudges_resend(nudges=Nudge.objects.all(), enqueue=tasks.queue_send)
    tasks.send_nudge(failed.pk)
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [mentor.email]
    failed.refresh_from_db()
    assert (failed.status, failed.attempts, failed.error) == (Status.SENT, 1, "")
