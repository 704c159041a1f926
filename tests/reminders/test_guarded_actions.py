"""Actions that email people or change many rows ask first, with the count and what will happen,
and refuse what makes no sense (reminding a cancelled or past meeting, holding a future one)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse
from django.utils import timezone

from community.models import Meeting
from reminders.models import ReminderDelivery
from tests.factories.community import MeetingFactory, MeetingSeriesFactory

pytestmark = pytest.mark.django_db
CHANGELIST = "admin:community_meeting_changelist"


@pytest.fixture
def series(program):
    return MeetingSeriesFactory(program=program)


def send_now(meeting) -> str:
    return reverse("admin:community_meeting_send_reminders", args=[meeting.pk])


def test_send_reminders_now_names_the_people_and_sends_only_from_the_confirmation(
    client, coordinator, mentor, other_mentor, series, django_capture_on_commit_callbacks,
):
    meeting = MeetingFactory(series=series)
    client.force_login(coordinator)
    change = client.get(reverse("admin:community_meeting_change", args=[meeting.pk])).content.decode()
    assert f'href="{send_now(meeting)}"' in change  # a link to the question, not a button that sends
    page = client.get(send_now(meeting)).content.decode()
    assert "3 people will be emailed a reminder" in page and str(mentor) in page and "Yes, send 3 reminders" in page
    assert not ReminderDelivery.objects.exists()
    with django_capture_on_commit_callbacks():
        response = client.post(send_now(meeting), follow=True)
    assert "3 reminder(s) are on their way." in response.content.decode()
    page = client.get(send_now(meeting)).content.decode()
    assert "there is nobody to email" in page and "Yes, send" not in page


@pytest.mark.parametrize("kind, words", [("cancelled", "This meeting is cancelled"),
                                         ("held", "This meeting is held"),
                                         ("started", "has already started")])
def test_send_reminders_now_refuses_a_cancelled_held_or_past_meeting_with_a_message(
    client, coordinator, mentor, series, kind, words,
):
    start = timezone.now() - dt.timedelta(hours=1) if kind != "cancelled" else timezone.now() + dt.timedelta(days=3)
    meeting = MeetingFactory(series=series, starts_at=start, occurrence_start=start,
                             status={"started": "scheduled"}.get(kind, kind))
    client.force_login(coordinator)
    for method in (client.get, client.post):
        response = method(send_now(meeting), follow=True)
        assert response.redirect_chain[-1][0] == reverse("admin:community_meeting_change", args=[meeting.pk])
        assert words in response.content.decode()
    assert not ReminderDelivery.objects.exists()


def test_another_programs_coordinator_gets_404_from_the_send_now_confirmation(client, other_coordinator, series):
    meeting = MeetingFactory(series=series)
    client.force_login(other_coordinator)
    assert client.get(send_now(meeting)).status_code == 404
    assert client.post(send_now(meeting)).status_code == 404
    assert not ReminderDelivery.objects.exists()


def test_cancelling_asks_first_and_leaves_alone_what_cannot_be_cancelled(client, coordinator, series):
    coming = MeetingFactory(series=series)
    past_start = timezone.now() - dt.timedelta(days=2)
    past = MeetingFactory(series=series, starts_at=past_start, occurrence_start=past_start)
    client.force_login(coordinator)
    chosen = {"action": "cancel_meetings", ACTION_CHECKBOX_NAME: [coming.pk, past.pk]}
    page = client.post(reverse(CHANGELIST), chosen).content.decode()
    assert "1 meeting will be cancelled" in page and "cancellation email" in page
    assert "Left alone" in page and "it has already started" in page
    coming.refresh_from_db()
    assert coming.status == Meeting.Status.SCHEDULED
    client.post(reverse(CHANGELIST), {**chosen, "confirmed": "yes"})
    coming.refresh_from_db()
    past.refresh_from_db()
    assert (coming.status, past.status) == (Meeting.Status.CANCELLED, Meeting.Status.SCHEDULED)


def test_another_programs_coordinator_cannot_act_on_the_meetings_through_the_list(client, other_coordinator, series):
    meeting = MeetingFactory(series=series)
    client.force_login(other_coordinator)
    for action in ("cancel_meetings", "record_attendance_from_rsvps"):
        response = client.post(reverse(CHANGELIST), {"action": action, ACTION_CHECKBOX_NAME: [meeting.pk],
                                                      "confirmed": "yes"})
        assert b"1 meeting" not in response.content
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.SCHEDULED
