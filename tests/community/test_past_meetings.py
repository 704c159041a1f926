"""A meeting that is over reads as a record: whether you attended, its minutes and reading, and
none of the actions meant for a coming meeting (video, calendar, RSVP, raising a challenge)."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from tests.factories.community import AttendanceFactory, MeetingFactory, RsvpFactory


def page(client, meeting) -> str:
    return client.get(reverse("community:meeting", args=[meeting.pk])).content.decode()


def test_a_past_meeting_says_you_attended_and_shows_minutes_and_reading(client, series, mentor):
    held = MeetingFactory(series=series, starts_at=timezone.now() - dt.timedelta(days=20), status="held",
                          minutes="We talked about **feedback**.", with_reading=True,
                          reading__title="Giving feedback that lands", video_url="https://video.example.org/x")
    AttendanceFactory(meeting=held, user=mentor, present=True)
    RsvpFactory(meeting=held, user=mentor, answer="yes")
    client.force_login(mentor)
    body = page(client, held)
    assert "You attended this meeting." in body
    assert "<strong>feedback</strong>" in body
    assert "Giving feedback that lands" in body
    assert "Join by video" not in body
    assert reverse("community:meeting_ics", args=[held.pk]) not in body
    assert "Raise one" not in body and reverse("community:challenges", args=[series.program.slug]) not in body
    assert "Answers so far" not in body and "1 yes" not in body
    assert 'name="answer"' not in body


def test_a_past_meeting_says_when_you_were_absent_or_attendance_is_not_recorded(client, series, mentor):
    held = MeetingFactory(series=series, starts_at=timezone.now() - dt.timedelta(days=20), status="held")
    client.force_login(mentor)
    assert "Attendance has not been recorded yet." in page(client, held)
    AttendanceFactory(meeting=held, user=mentor, present=False)
    assert "You were not recorded as present." in page(client, held)


def test_a_meeting_that_is_over_but_not_yet_marked_held_acts_as_past(client, series, mentor):
    over = MeetingFactory(series=series, starts_at=timezone.now() - dt.timedelta(days=2), status="scheduled",
                          video_url="https://video.example.org/x")
    client.force_login(mentor)
    body = page(client, over)
    assert "Join by video" not in body and "Answers so far" not in body
    assert reverse("community:meeting_ics", args=[over.pk]) not in body
    assert "The minutes are not posted yet." in body


def test_a_coming_meeting_keeps_its_actions_and_the_answers_so_far(client, meeting, mentor):
    meeting.video_url = "https://video.example.org/x"
    meeting.save()
    RsvpFactory(meeting=meeting, user=mentor, answer="yes")
    client.force_login(mentor)
    body = page(client, meeting)
    assert "Join by video" in body
    assert reverse("community:meeting_ics", args=[meeting.pk]) in body
    assert "Answers so far" in body and "1 yes" in body
    assert "You attended" not in body


def test_the_past_meetings_list_says_whether_you_attended(client, program, series, mentor):
    attended = MeetingFactory(series=series, starts_at=timezone.now() - dt.timedelta(days=40), status="held")
    missed = MeetingFactory(series=series, starts_at=timezone.now() - dt.timedelta(days=10), status="held")
    AttendanceFactory(meeting=attended, user=mentor, present=True)
    AttendanceFactory(meeting=missed, user=mentor, present=False)
    client.force_login(mentor)
    response = client.get(reverse("community:detail", args=[program.slug]))
    past = {m.pk: m.my_presence for m in response.context["past"]}
    assert past == {attended.pk: True, missed.pk: False}
    body = response.content.decode()
    assert "You attended" in body and "Not present" in body
