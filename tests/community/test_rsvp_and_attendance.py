"""RSVPs from the meeting page and attendance rates for accountability."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone

from community import selectors, services
from community.models import Attendance, Meeting, Rsvp
from mentorprogram.models import Membership
from tests.factories import make_member
from tests.factories.community import AttendanceFactory, MeetingFactory, RsvpFactory


@pytest.mark.parametrize("answer", ["yes", "no", "maybe"])
def test_it_records_a_members_answer_and_changes_it_on_a_second_answer(client, mentor, meeting, answer):
    client.force_login(mentor)
    url = reverse("community:meeting_rsvp", args=[meeting.pk])
    response = client.post(url, {"answer": "yes"})
    assert response.status_code == 302
    client.post(url, {"answer": answer})
    assert list(Rsvp.objects.values_list("user", "answer")) == [(mentor.pk, answer)]


def test_it_returns_to_the_dashboard_when_asked_and_never_off_site(client, mentor, meeting):
    client.force_login(mentor)
    url = reverse("community:meeting_rsvp", args=[meeting.pk])
    assert client.post(url, {"answer": "yes", "next": "/"})["Location"] == "/"
    assert client.post(url, {"answer": "yes", "next": "https://evil.example.com/"})["Location"] == reverse(
        "community:meeting", args=[meeting.pk])


def test_it_refuses_an_rsvp_for_another_programs_meeting_and_changes_nothing(client, mentor, other_meeting):
    client.force_login(mentor)
    response = client.post(reverse("community:meeting_rsvp", args=[other_meeting.pk]), {"answer": "yes"})
    assert response.status_code == 404
    assert not Rsvp.objects.exists()


@pytest.mark.parametrize("answer", ["", "perhaps"])
def test_it_refuses_a_bad_answer_and_changes_nothing(client, mentor, meeting, answer):
    client.force_login(mentor)
    response = client.post(reverse("community:meeting_rsvp", args=[meeting.pk]), {"answer": answer}, follow=True)
    assert "Choose yes, no or maybe." in response.content.decode()
    assert not Rsvp.objects.exists()


def test_it_refuses_an_rsvp_for_a_cancelled_or_finished_meeting(client, mentor, meeting, past_meeting):
    services.meeting_cancel(meeting=meeting)
    client.force_login(mentor)
    for m, message in ((meeting, "This meeting is cancelled."), (past_meeting, "This meeting is held.")):
        response = client.post(reverse("community:meeting_rsvp", args=[m.pk]), {"answer": "yes"}, follow=True)
        assert message in response.content.decode()
    assert not Rsvp.objects.exists()
    with pytest.raises(Exception, match="over"):
        services.rsvp_answer(meeting=MeetingFactory(series=meeting.series,
                                                    starts_at=timezone.now() - dt.timedelta(hours=3)),
                             user=mentor, answer="yes")


def _held(series, days_ago: int) -> Meeting:
    return MeetingFactory(series=series, starts_at=timezone.now() - dt.timedelta(days=days_ago), status="held")


def test_it_computes_attendance_over_the_last_twelve_months_of_held_meetings(program, series, mentor):
    Membership.objects.filter(user=mentor).update(joined_on=dt.date(2000, 1, 1))
    held = [_held(series, d) for d in (10, 40, 70, 100)]
    _held(series, 400)  # too old
    MeetingFactory(series=series, starts_at=timezone.now() - dt.timedelta(days=50), status="cancelled")
    AttendanceFactory(meeting=held[0], user=mentor)
    AttendanceFactory(meeting=held[1], user=mentor)
    AttendanceFactory(meeting=held[2], user=mentor, present=False)
    rate = selectors.attendance_rates(users=[mentor], program=program)[mentor.pk]
    assert (rate.attended, rate.held, rate.rate, rate.percent) == (2, 4, 0.5, 50)


def test_it_counts_only_meetings_since_the_person_joined(program, series, mentor):
    _held(series, 100)
    recent = _held(series, 10)
    Membership.objects.filter(user=mentor).update(joined_on=(timezone.now() - dt.timedelta(days=30)).date())
    AttendanceFactory(meeting=recent, user=mentor)
    rate = selectors.attendance_rates(users=[mentor], program=program)[mentor.pk]
    assert rate == selectors.AttendanceRate(attended=1, held=1)


def test_it_has_no_rate_when_no_meeting_was_held(program, mentor):
    assert selectors.attendance_rates(users=[mentor], program=program)[mentor.pk].rate is None


@pytest.mark.parametrize("people", [3, 60])
def test_the_bulk_rate_uses_three_queries_whatever_the_number_of_people(
    program, series, people, django_assert_num_queries,
):
    meetings = [_held(series, d) for d in (5, 35, 65)]
    mentors = [make_member(program) for _ in range(people)]
    Membership.objects.filter(program=program).update(joined_on=dt.date(2020, 1, 1))
    Attendance.objects.bulk_create([Attendance(meeting=meetings[i % 3], user=m) for i, m in enumerate(mentors)])
    with django_assert_num_queries(3):
        rates = selectors.attendance_rates(users=mentors, program=program)
    assert {r.attended for r in rates.values()} == {1}
    assert len(rates) == people


def test_the_admin_action_marks_held_and_records_yes_answers_as_present_once_confirmed(
    client, coordinator, mentor, other_mentor, series,
):
    started = timezone.now() - dt.timedelta(hours=2)
    meeting = MeetingFactory(series=series, starts_at=started, occurrence_start=started)
    RsvpFactory(meeting=meeting, user=mentor, answer="yes")
    RsvpFactory(meeting=meeting, user=other_mentor, answer="no")
    client.force_login(coordinator)
    chosen = {"action": "record_attendance_from_rsvps", admin.helpers.ACTION_CHECKBOX_NAME: [meeting.pk]}
    response = client.post(reverse("admin:community_meeting_changelist"), chosen)
    assert response.status_code == 200
    assert b"1 meeting will be marked held, and the 1 person who answered yes recorded as present" in response.content
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.SCHEDULED and not Attendance.objects.exists()
    response = client.post(reverse("admin:community_meeting_changelist"), {**chosen, "confirmed": "yes"})
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.HELD
    assert list(Attendance.objects.values_list("user", "present")) == [(mentor.pk, True)]


def test_it_gives_the_report_attendance_by_month(program, series, mentor, other_mentor, django_assert_num_queries):
    Membership.objects.filter(program=program).update(joined_on=dt.date(2020, 1, 1))
    m1 = MeetingFactory(series=series, starts_at=dt.datetime(2026, 3, 10, 19, tzinfo=dt.UTC), status="held")
    m2 = MeetingFactory(series=series, starts_at=dt.datetime(2026, 4, 14, 19, tzinfo=dt.UTC), status="held")
    MeetingFactory(series=series, starts_at=dt.datetime(2026, 4, 28, 19, tzinfo=dt.UTC), status="cancelled")
    AttendanceFactory(meeting=m1, user=mentor)
    AttendanceFactory(meeting=m1, user=other_mentor)
    AttendanceFactory(meeting=m2, user=mentor)
    AttendanceFactory(meeting=m2, user=other_mentor, present=False)
    months = [dt.date(2026, 2, 1), dt.date(2026, 3, 1), dt.date(2026, 4, 1)]
    with django_assert_num_queries(1):
        data = selectors.attendance_by_month(program=program, months=months)
    assert data == {
        dt.date(2026, 3, 1): {"meetings": 1, "attended": 2, "expected": 2, "people": 2},
        dt.date(2026, 4, 1): {"meetings": 1, "attended": 1, "expected": 2, "people": 2},
    }
