"""Mentees as participants: the invitation, acceptance, and the mentee's own page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse

from accountability import mentees
from accountability.models import Mentee, MenteeGoal
from mentorprogram.models import OutboundEmail, User
from tests.factories.accountability import (
    FeedbackRequestFactory,
    MenteeFactory,
    MenteeGoalFactory,
    MenteeMeetingFactory,
    make_mentee_person,
    program_of_mentees,
)

NOTE = "Private: worried she will leave for industry."
GOAL_NOTE = "Private: needs a push on the aims page."


@pytest.fixture
def mentee(program, mentor):
    return MenteeFactory(program=program, mentor=mentor, name="Dr. Ada Mentee", email="ada@example.org")


def invite(client, user, mentee):
    client.force_login(user)
    return client.post(reverse("accountability:mentee_invite", args=[mentee.pk]))


def test_it_invites_a_new_person_through_the_outbox_once_per_click(
        client, mentee, mentor, send_inline, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = invite(client, mentor, mentee)
        invite(client, mentor, mentee)  # a double click
    assert response.status_code == 302
    assert OutboundEmail.objects.filter(kind=OutboundEmail.Kind.MENTEE_INVITATION).count() == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["ada@example.org"]
    assert "/invitations/welcome/" in message.body  # a new account chooses its password first
    assert reverse("accountability:mentee_home") in message.body
    mentee.refresh_from_db()
    person = User.objects.get(email="ada@example.org")
    assert mentee.user == person and mentee.invited_at and mentee.accepted_at is None
    assert not person.has_usable_password()


def test_a_coordinator_of_the_program_invites_too_and_another_mentor_cannot(
        client, mentee, coordinator, other_mentor, other_coordinator, django_capture_on_commit_callbacks):
    assert invite(client, other_mentor, mentee).status_code == 404
    assert invite(client, other_coordinator, mentee).status_code == 404
    assert not OutboundEmail.objects.filter(kind=OutboundEmail.Kind.MENTEE_INVITATION).exists()
    assert invite(client, coordinator, mentee).status_code == 302
    assert OutboundEmail.objects.filter(kind=OutboundEmail.Kind.MENTEE_INVITATION).count() == 1


def test_a_mentee_without_an_email_address_is_not_invited_and_the_page_says_why(client, program, mentor):
    nameless = MenteeFactory(program=program, mentor=mentor, email="")
    response = invite(client, mentor, nameless)
    assert response.status_code == 302
    page = client.get(reverse("accountability:mentee_detail", args=[nameless.pk]))
    assert "Add the mentee&#x27;s email address first" in page.content.decode()
    assert not OutboundEmail.objects.exists()
    nameless.refresh_from_db()
    assert nameless.user is None


def test_an_existing_account_is_only_asked_and_sees_nothing_until_it_accepts(client, mentee, mentor, outsider):
    Mentee.objects.filter(pk=mentee.pk).update(email=outsider.email)
    mentee.refresh_from_db()
    mentees.mentee_invite(by=mentor, mentee=mentee, base_url="http://testserver")
    mentee.refresh_from_db()
    assert mentee.user == outsider and mentee.accepted_at is None
    MenteeMeetingFactory(mentee=mentee, held_on=dt.date(2025, 10, 2))
    client.force_login(outsider)
    page = client.get(reverse("accountability:mentee_home")).content.decode()
    assert "invites you to your mentoring page" in page
    assert "Meetings (" not in page
    client.post(reverse("accountability:mentee_invitation_accept", args=[mentee.pk]))
    page = client.get(reverse("accountability:mentee_home")).content.decode()
    assert "Meetings (1)" in page


def test_declining_unlinks_the_account(client, mentee, mentor):
    person = make_mentee_person(mentee, accepted=False)
    client.force_login(person)
    client.post(reverse("accountability:mentee_invitation_decline", args=[mentee.pk]))
    mentee.refresh_from_db()
    assert mentee.user is None and mentee.declined_at is not None
    assert client.get(reverse("accountability:mentee_home")).status_code == 200


def test_the_mentee_sees_dates_modes_and_goals_but_never_the_mentors_notes(client, mentee):
    person = make_mentee_person(mentee)
    MenteeMeetingFactory(mentee=mentee, held_on=dt.date(2025, 9, 1), notes=NOTE, mode="video")
    MenteeGoalFactory(mentee=mentee, text="Submit the K23 application", notes=GOAL_NOTE)
    other = MenteeFactory(program=mentee.program, mentor=mentee.mentor, name="Dr. Somebody Else")
    MenteeGoalFactory(mentee=other, text="Another mentee's goal")
    client.force_login(person)
    page = client.get(reverse("accountability:mentee_home")).content.decode()
    assert "Video call" in page and "Submit the K23 application" in page
    assert NOTE not in page and GOAL_NOTE not in page
    assert "Dr. Somebody Else" not in page and "Another mentee&#x27;s goal" not in page


def test_a_signed_in_dashboard_of_a_mentee_leads_to_their_page(client, mentee):
    person = make_mentee_person(mentee)
    client.force_login(person)
    assert client.get(reverse("dashboard:home"))["Location"] == reverse("accountability:mentee_home")
    assert client.get(reverse("dashboard:first_steps"))["Location"] == reverse("accountability:mentee_home")


def test_a_mentee_never_reaches_the_community_or_any_assessment(client, mentee, program):
    person = make_mentee_person(mentee)
    other = MenteeFactory(program=program, mentor=mentee.mentor, name="Dr. Other Mentee")
    client.force_login(person)
    for url in ("/community/", "/assessments/", "/accountability/mentees/",
                reverse("accountability:mentee_detail", args=[mentee.pk]),
                reverse("reports:program", args=[program.slug])):
        response = client.get(url)
        body = response.content.decode()
        assert response.status_code in (200, 403, 404), url
        assert program.community_name not in body or response.status_code != 200, url
        assert other.name not in body, url


def test_the_mentee_adds_a_goal_and_marks_progress(client, mentee):
    person = make_mentee_person(mentee)
    client.force_login(person)
    response = client.post(reverse("accountability:mentee_own_goal_add", args=[mentee.pk]),
                           {"text": "Find a second reader"})
    assert response.status_code == 302
    goal = MenteeGoal.objects.get(mentee=mentee)
    assert goal.added_by_mentee and goal.text == "Find a second reader"
    client.post(reverse("accountability:mentee_goal_progress", args=[goal.pk]), {"status": "achieved"})
    goal.refresh_from_db()
    assert goal.status == MenteeGoal.Status.ACHIEVED


def test_bad_goal_input_gives_a_field_error_and_changes_nothing(client, mentee):
    person = make_mentee_person(mentee)
    client.force_login(person)
    response = client.post(reverse("accountability:mentee_own_goal_add", args=[mentee.pk]),
                           {"text": "Later", "target_date": "2001-01-01"})
    assert response.status_code == 400
    assert "The target date cannot be in the past." in response.content.decode()
    response = client.post(reverse("accountability:mentee_own_goal_add", args=[mentee.pk]), {"text": ""})
    assert response.status_code == 400
    assert not MenteeGoal.objects.exists()
    goal = MenteeGoalFactory(mentee=mentee)
    client.post(reverse("accountability:mentee_goal_progress", args=[goal.pk]), {"status": "deleted"})
    goal.refresh_from_db()
    assert goal.status == MenteeGoal.Status.OPEN


def test_a_mentee_of_another_mentor_is_refused_everything(client, mentee, program, other_mentor):
    make_mentee_person(mentee)
    goal = MenteeGoalFactory(mentee=mentee)
    request = FeedbackRequestFactory(mentee=mentee)
    stranger_record = MenteeFactory(program=program, mentor=other_mentor)
    stranger = make_mentee_person(stranger_record)
    client.force_login(stranger)
    assert client.post(reverse("accountability:mentee_own_goal_add", args=[mentee.pk]),
                       {"text": "x"}).status_code == 404
    assert client.post(reverse("accountability:mentee_goal_progress", args=[goal.pk]),
                       {"status": "dropped"}).status_code == 404
    assert client.get(reverse("accountability:mentee_feedback", args=[request.pk])).status_code == 404
    assert client.post(reverse("accountability:mentee_invitation_accept", args=[mentee.pk])).status_code == 404
    goal.refresh_from_db()
    assert goal.status == MenteeGoal.Status.OPEN


@pytest.mark.parametrize("mentors", [10, 1000])
def test_the_mentee_home_makes_the_same_number_of_queries_whatever_the_data(client, cold, program, mentors):
    program_of_mentees(program, mentors)
    record = MenteeFactory(program=program, email=f"first-{mentors}@example.org")
    person = make_mentee_person(record)
    MenteeMeetingFactory(mentee=record)
    MenteeGoalFactory(mentee=record)
    FeedbackRequestFactory(mentee=record)
    # The person is also a mentee of a second mentor: two records on one page.
    second = MenteeFactory(program=program, email=f"second-{mentors}@example.org")
    Mentee.objects.filter(pk=second.pk).update(user=person, invited_at=record.invited_at,
                                               accepted_at=record.accepted_at)
    MenteeMeetingFactory(mentee=second)
    client.force_login(person)
    with cold(QUERIES_MENTEE_HOME):
        assert client.get(reverse("accountability:mentee_home")).status_code == 200


QUERIES_MENTEE_HOME = 9
