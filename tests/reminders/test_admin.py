"""The coordinators' side: deliveries with their errors, re-sending, "send reminders now"."""

from __future__ import annotations

import pytest
from django.urls import reverse

from reminders.models import ReminderDelivery
from tests.factories.community import MeetingFactory, MeetingSeriesFactory
from tests.factories.reminders import ReminderDeliveryFactory

pytestmark = pytest.mark.django_db

Status = ReminderDelivery.Status


@pytest.fixture
def upcoming(program):
    return MeetingFactory(series=MeetingSeriesFactory(program=program))


def test_coordinators_see_failed_deliveries_with_their_error_and_only_their_programs(
    client, coordinator, mentor, upcoming, other_program,
):
    ReminderDeliveryFactory(meeting=upcoming, user=mentor, email__status=Status.FAILED, email__attempts=5,
                            email__last_error="The mail server refused the address: 550 No such mailbox here")
    ReminderDeliveryFactory(meeting=MeetingFactory(series=MeetingSeriesFactory(program=other_program)),
                            email__last_error="Other program's secret error")
    client.force_login(coordinator)
    response = client.get(reverse("admin:reminders_reminderdelivery_changelist") + "?email__status__exact=failed")
    assert response.status_code == 200
    body = response.content.decode()
    assert "550 No such mailbox here" in body and "Other program" not in body


def test_the_resend_action_queues_failed_deliveries_again(client, coordinator, mentor, other_mentor, upcoming,
                                                          django_capture_on_commit_callbacks):
    failed_delivery = ReminderDeliveryFactory(meeting=upcoming, user=mentor, email__status=Status.FAILED,
                                              email__attempts=5, email__last_error="gave up")
    sent_delivery = ReminderDeliveryFactory(meeting=upcoming, user=other_mentor, email__status=Status.SENT,
                                            sent_sequence=0, email__sent_at=upcoming.created_at)
    failed, sent = failed_delivery.email, sent_delivery.email
    client.force_login(coordinator)
    with django_capture_on_commit_callbacks() as callbacks:
        # The list's rows are deliveries: the action is given their ids, not their emails'.
        chosen = {"action": "resend", "_selected_action": [failed_delivery.pk, sent_delivery.pk]}
        page = client.post(reverse("admin:reminders_reminderdelivery_changelist"), chosen)
        assert b"1 email that failed will be sent again" in page.content and b"Left alone" in page.content
        failed.refresh_from_db()
        assert failed.status == Status.FAILED
        client.post(reverse("admin:reminders_reminderdelivery_changelist"), {**chosen, "confirmed": "yes"})
    failed.refresh_from_db()
    sent.refresh_from_db()
    assert (failed.status, failed.attempts, failed.last_error) == (Status.QUEUED, 0, "")
    assert sent.status == Status.SENT
    assert len([c for c in callbacks if "TransactionAwareTask" in getattr(c, "__qualname__", "")]) == 1


def test_the_meeting_page_has_a_send_reminders_now_button_that_queues_one_per_member(
    client, coordinator, mentor, other_mentor, faculty, upcoming, django_capture_on_commit_callbacks,
):
    client.force_login(coordinator)
    page = client.get(reverse("admin:community_meeting_change", args=[upcoming.pk]))
    assert b"Send reminders now" in page.content
    button = reverse("admin:community_meeting_send_reminders", args=[upcoming.pk])
    confirm = client.get(button)  # asks first, with the count
    assert confirm.status_code == 200 and b"3 people will be emailed a reminder" in confirm.content
    assert not ReminderDelivery.objects.exists()
    with django_capture_on_commit_callbacks():
        client.post(button)
        client.post(button)
    assert set(ReminderDelivery.objects.values_list("user__email", "lead_days", "email__status")) == {
        (p.email, 0, Status.QUEUED) for p in (coordinator, mentor, other_mentor)}


def test_another_programs_coordinator_cannot_send_reminders_for_the_meeting(client, other_coordinator, upcoming):
    client.force_login(other_coordinator)
    response = client.post(reverse("admin:community_meeting_send_reminders", args=[upcoming.pk]))
    assert response.status_code == 404
    assert not ReminderDelivery.objects.exists()
