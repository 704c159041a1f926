from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accountability import services
from accountability.models import Mentee, MenteeGoal, MenteeMeeting, Mentorship
from tests.factories.accountability import MenteeFactory, MenteeGoalFactory, MenteeMeetingFactory


@pytest.fixture
def mentee(program, mentor):
    return MenteeFactory(program=program, mentor=mentor, name="Dr. Ada Quill")


def test_it_adds_a_mentee_with_an_active_mentorship(client, mentor, program, today):
    client.force_login(mentor)
    response = client.post(reverse("accountability:mentee_add"), {
        "program": program.pk, "name": "Dr. Ben Ode", "department": "Pediatrics", "career_stage": "Fellow"})
    mentee = Mentee.objects.get(name="Dr. Ben Ode")
    assert response.status_code == 302
    assert (mentee.mentor, mentee.program) == (mentor, program)
    assert mentee.mentorships.get().started_on == today


def test_it_refuses_a_mentee_to_someone_who_is_not_a_mentor(client, coordinator, program):
    client.force_login(coordinator)
    assert client.get(reverse("accountability:mentee_add")).status_code == 404
    with pytest.raises(ValidationError):
        services.mentee_create(mentor=coordinator, program=program, name="X")
    assert not Mentee.objects.exists()


def test_it_logs_a_meeting_with_a_mentee(client, mentor, mentee, today):
    client.force_login(mentor)
    response = client.post(reverse("accountability:meeting_add"), {
        "mentee": mentee.pk, "held_on": today.isoformat(), "duration_minutes": "45", "mode": "video",
        "notes": "Discussed the R01 timeline."})
    assert response.status_code == 302
    meeting = MenteeMeeting.objects.get()
    assert (meeting.mentee, meeting.held_on, meeting.duration_minutes, meeting.mode) == (mentee, today, 45, "video")


def test_it_refuses_a_meeting_dated_in_the_future_and_saves_nothing(client, mentor, mentee, today):
    client.force_login(mentor)
    response = client.post(reverse("accountability:meeting_add"), {
        "mentee": mentee.pk, "held_on": (today + dt.timedelta(days=1)).isoformat(), "duration_minutes": "45",
        "mode": "video"})
    assert response.status_code == 200
    assert "held_on" in response.context["form"].errors
    assert not MenteeMeeting.objects.exists()


@pytest.mark.parametrize("minutes", ["0", "1441", "-5"])
def test_it_refuses_a_meeting_of_no_length_or_longer_than_a_day(client, mentor, mentee, today, minutes):
    client.force_login(mentor)
    response = client.post(reverse("accountability:meeting_add"), {
        "mentee": mentee.pk, "held_on": today.isoformat(), "duration_minutes": minutes, "mode": "phone"})
    assert response.status_code == 200
    assert "duration_minutes" in response.context["form"].errors
    assert not MenteeMeeting.objects.exists()


def test_the_service_keeps_the_meeting_rules_too(mentor, mentee, now, today):
    with pytest.raises(ValidationError) as info:
        services.mentee_meeting_log(by=mentor, mentee=mentee, held_on=today + dt.timedelta(days=3),
                                    duration_minutes=0, mode="phone", now=now)
    assert set(info.value.message_dict) == {"held_on", "duration_minutes"}
    assert not MenteeMeeting.objects.exists()


def test_it_refuses_a_goal_for_another_mentors_mentee(client, mentor, other_mentor, program, today):
    theirs = MenteeFactory(program=program, mentor=other_mentor)
    client.force_login(mentor)
    response = client.post(reverse("accountability:goal_add"), {
        "mentee": theirs.pk, "text": "Write the paper", "set_on": today.isoformat(), "status": "open"})
    assert response.status_code == 200
    assert response.context["form"].errors["mentee"] == ["Choose one of your own mentees."]
    with pytest.raises(ValidationError) as info:
        services.mentee_goal_set(by=mentor, mentee=theirs, text="Write the paper", set_on=today)
    assert "mentee" in info.value.message_dict
    assert not MenteeGoal.objects.exists()


def test_it_refuses_a_goal_whose_target_comes_before_it_was_set(client, mentor, mentee, today):
    client.force_login(mentor)
    response = client.post(reverse("accountability:goal_add"), {
        "mentee": mentee.pk, "text": "Write the paper", "set_on": today.isoformat(),
        "target_date": (today - dt.timedelta(days=10)).isoformat(), "status": "open"})
    assert "target_date" in response.context["form"].errors
    assert not MenteeGoal.objects.exists()


def test_it_shows_the_mentor_their_notes(client, mentor, mentee):
    MenteeMeetingFactory(mentee=mentee, notes="She is thinking of leaving.")
    MenteeGoalFactory(mentee=mentee, text="Negotiate research time", notes="Chair is reluctant.")
    client.force_login(mentor)
    body = client.get(reverse("accountability:mentee_detail", args=[mentee.pk])).content.decode()
    assert "She is thinking of leaving." in body
    assert "Negotiate research time" in body


def test_it_shows_coordinators_dates_and_counts_but_never_notes(client, coordinator, mentee):
    MenteeMeetingFactory(mentee=mentee, held_on=dt.date(2025, 9, 10), notes="She is thinking of leaving.")
    MenteeGoalFactory(mentee=mentee, text="Negotiate research time", notes="Chair is reluctant.")
    client.force_login(coordinator)
    response = client.get(reverse("accountability:mentee_detail", args=[mentee.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Sep 10, 2025" in body and "Meetings (1)" in body and "Goals (1)" in body
    for private in ("She is thinking of leaving.", "Negotiate research time", "Chair is reluctant."):
        assert private not in body
    assert client.get(reverse("accountability:mentee_edit", args=[mentee.pk])).status_code == 404


def test_it_ends_a_mentorship_and_a_resumption_starts_a_new_one(mentor, mentee, now, today):
    services.mentee_update(by=mentor, mentee=mentee, name=mentee.name, status="ended", ended_on=today, now=now)
    assert mentee.mentorships.get().status == Mentorship.Status.ENDED
    services.mentee_update(by=mentor, mentee=mentee, name=mentee.name, status="active", now=now)
    assert list(mentee.mentorships.values_list("status", flat=True)) == ["active", "ended"]


def test_it_refuses_an_end_date_in_the_future(client, mentor, mentee, today):
    client.force_login(mentor)
    response = client.post(reverse("accountability:mentee_edit", args=[mentee.pk]), {
        "name": mentee.name, "status": "ended", "ended_on": (today + dt.timedelta(days=2)).isoformat()})
    assert "ended_on" in response.context["form"].errors
    assert mentee.mentorships.get().status == Mentorship.Status.ACTIVE


@pytest.mark.parametrize("count", [1, 6])
def test_the_mentee_list_makes_the_same_queries_however_many_mentees(client, mentor, program, count,
                                                                     cold):
    for _ in range(count):
        mentee = MenteeFactory(program=program, mentor=mentor)
        MenteeMeetingFactory(mentee=mentee)
        MenteeGoalFactory(mentee=mentee)
    client.force_login(mentor)
    # session, user, mentor program ids, programs, mentees, mentorships, meeting dates
    with cold(7):
        response = client.get(reverse("accountability:mentee_list"))
    assert len(response.context["mentees"]) == count


@pytest.mark.parametrize("count", [1, 6])
def test_the_mentee_page_makes_the_same_queries_however_many_records(client, mentor, mentee, count,
                                                                     cold):
    for _ in range(count):
        MenteeMeetingFactory(mentee=mentee)
        MenteeGoalFactory(mentee=mentee)
    client.force_login(mentor)
    # session, user, coordinated programs, mentee, mentorships, meetings, goals
    with cold(7):
        client.get(reverse("accountability:mentee_detail", args=[mentee.pk]))
