"""Mentees' feedback on their mentor: asked once per due round, answered once, shown only in
aggregate over at least the program's threshold of mentees."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse

from accountability import feedback
from accountability.models import FeedbackRequest
from assessments.constants import SKILLS_DOMAIN_KEYS
from assessments.models import DomainScore, Instrument, Response
from mentorprogram.models import OutboundEmail
from tests.factories.accountability import (
    FeedbackRequestFactory,
    FeedbackRoundFactory,
    FeedbackScheduleFactory,
    MenteeFactory,
    MenteeMeetingFactory,
    answer_feedback,
    make_mentee_person,
    mentees_who_answered,
)

MID_YEAR = dt.datetime(2026, 1, 20, 18, 0, tzinfo=dt.UTC)


@pytest.fixture
def run(send_inline, django_capture_on_commit_callbacks):
    """One run of the daily job at ``now``, its emails sent at once."""
    def run(now):
        send_inline.now = now
        with django_capture_on_commit_callbacks(execute=True):
            return feedback.feedback_requests_dispatch(now=now)
    return run


@pytest.fixture
def accepted(program, mentor):
    mentee = MenteeFactory(program=program, mentor=mentor, email="ada@example.org")
    make_mentee_person(mentee)
    return mentee


def test_run_the_job_twice_one_email(run, program, accepted):
    schedule = FeedbackScheduleFactory(program=program)
    FeedbackRoundFactory(schedule=schedule, name="Mid-year 2025–26", opens_on=dt.date(2026, 1, 15))
    MenteeFactory(program=program, mentor=accepted.mentor)  # no account: never asked
    assert len(run(MID_YEAR)) == 1
    assert run(MID_YEAR) == []
    assert run(MID_YEAR + dt.timedelta(days=1)) == []
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["ada@example.org"]
    request = FeedbackRequest.objects.get()
    assert reverse("accountability:mentee_feedback", args=[request.pk]) in mail.outbox[0].body
    assert "Mid-year 2025–26" in mail.outbox[0].subject


def test_a_round_not_yet_open_or_long_past_asks_nobody(run, program, accepted):
    schedule = FeedbackScheduleFactory(program=program)
    FeedbackRoundFactory(schedule=schedule, opens_on=dt.date(2026, 2, 1))
    FeedbackRoundFactory(schedule=schedule, name="Last year", opens_on=dt.date(2025, 6, 1))
    assert run(MID_YEAR) == []


def test_it_asks_once_after_the_set_number_of_meetings(run, program, accepted):
    FeedbackScheduleFactory(program=program, after_meetings=3)
    MenteeMeetingFactory.create_batch(2, mentee=accepted)
    assert run(MID_YEAR) == []
    MenteeMeetingFactory(mentee=accepted)
    assert len(run(MID_YEAR)) == 1
    MenteeMeetingFactory(mentee=accepted)
    assert run(MID_YEAR) == []
    assert FeedbackRequest.objects.get().reason == "After 3 meetings"
    assert len(mail.outbox) == 1


def test_an_inactive_schedule_asks_nobody(run, program, accepted):
    schedule = FeedbackScheduleFactory(program=program, is_active=False)
    FeedbackRoundFactory(schedule=schedule)
    assert run(MID_YEAR) == []


def test_an_answered_request_whose_email_is_still_queued_is_not_sent(
        program, accepted, send_inline, django_capture_on_commit_callbacks):
    schedule = FeedbackScheduleFactory(program=program)
    FeedbackRoundFactory(schedule=schedule)
    ids = feedback.feedback_requests_dispatch(now=MID_YEAR)  # not committed-and-sent: captured
    answer_feedback(FeedbackRequest.objects.get())
    from mentorprogram.outbox import outbox_send

    outbox_send(ids=ids, claim_token="t", now=MID_YEAR)
    assert mail.outbox == []
    assert OutboundEmail.objects.get().status == OutboundEmail.Status.SKIPPED


def test_answers_are_scored_by_domain_like_the_inventory_and_kept_out_of_self_assessments(accepted):
    request = answer_feedback(FeedbackRequestFactory(mentee=accepted), rating=5, comment="Kind and clear.")
    response = Response.objects.get(pk=request.response_id)
    assert response.status == Response.Status.SUBMITTED
    assert response.instrument.kind == Instrument.Kind.MENTEE_FEEDBACK
    scores = dict(DomainScore.objects.filter(response=response).values_list("domain__key", "score"))
    assert tuple(scores) == SKILLS_DOMAIN_KEYS or set(scores) == set(SKILLS_DOMAIN_KEYS)
    assert set(scores.values()) == {5.0}
    request.refresh_from_db()
    assert request.comment == "Kind and clear." and not request.share_with_mentor


def test_the_form_refuses_a_second_answer_and_an_incomplete_one(client, accepted):
    request = FeedbackRequestFactory(mentee=accepted)
    client.force_login(accepted.user)
    url = reverse("accountability:mentee_feedback", args=[request.pk])
    structure = feedback.request_structure(request)
    items = list(structure.items)
    partial = {f"item_{items[0].pk}": "6", "comment": "Half done"}
    response = client.post(url, partial)
    assert response.status_code == 400
    assert "Some questions still need an answer" in response.content.decode()
    assert not Response.objects.filter(instrument__kind=Instrument.Kind.MENTEE_FEEDBACK).exists()
    response = client.post(url, {**{f"item_{i.pk}": "9" for i in items}})
    assert response.status_code == 400  # off the scale
    full = {f"item_{i.pk}": "6" for i in items} | {"comment": "Thanks", "share_with_mentor": "on"}
    assert client.post(url, full).status_code == 302
    request.refresh_from_db()
    assert request.answered_at and request.share_with_mentor
    assert "You answered on" in client.get(url).content.decode()
    client.post(url, full)
    assert Response.objects.filter(instrument__kind=Instrument.Kind.MENTEE_FEEDBACK).count() == 1


def test_no_one_opens_a_feedback_response_as_an_assessment_nor_finds_it_in_the_admin(
        client, accepted, coordinator, superuser):
    request = answer_feedback(FeedbackRequestFactory(mentee=accepted))
    for person in (coordinator, accepted.user, accepted.mentor):
        client.force_login(person)
        assert client.get(reverse("assessments:results", args=[request.response_id])).status_code == 404
    client.force_login(superuser)
    listing = client.get(reverse("admin:assessments_response_changelist"))
    assert listing.status_code == 200
    assert listing.context["cl"].result_count == 0


# --- Privacy: at threshold − 1 nothing, at threshold the aggregate ------------------------------

@pytest.mark.parametrize("answered, shown", [(4, False), (5, True)])
def test_the_mentor_sees_their_feedback_only_from_the_threshold_of_mentees(
        client, program, mentor, answered, shown):
    assert program.privacy_threshold == 5
    mentees_who_answered(mentor, program, answered, rating=6, comment="You listen well.", share=True)
    summary = feedback.mentor_feedback(mentor=mentor, program=program)
    assert summary.n == answered and summary.shown is shown
    client.force_login(mentor)
    page = client.get(reverse("accountability:my_feedback")).content.decode()
    if shown:
        assert [d.mean for d in summary.domains] == [6.0] * 6
        assert "6.0" in page and "You listen well." in page
    else:
        assert summary.domains == [] and summary.comments == []
        assert "6.0" not in page and "You listen well." not in page
        assert f"{answered} of your mentees have answered so far" in page
        assert "at least 5 different mentees" in page and "1 more is needed" in page


def test_a_mentor_with_two_mentees_sees_nothing_and_is_told_why(client, program, mentor):
    mentees_who_answered(mentor, program, 2, rating=2)
    client.force_login(mentor)
    page = client.get(reverse("accountability:my_feedback")).content.decode()
    assert "2 of your mentees have answered so far" in page and "3 more are needed" in page
    assert "2.0" not in page


def test_each_mentee_counts_once_whatever_the_number_of_answers(program, mentor):
    answered = mentees_who_answered(mentor, program, 4)
    answer_feedback(FeedbackRequestFactory(mentee=answered[0].mentee), rating=1)  # a second round
    assert feedback.mentor_feedback(mentor=mentor, program=program).n == 4


def test_unshared_comments_never_reach_the_mentor(program, mentor):
    mentees_who_answered(mentor, program, 4, comment="Shared one", share=True)
    mentees_who_answered(mentor, program, 1, comment="Kept to myself", share=False)
    summary = feedback.mentor_feedback(mentor=mentor, program=program)
    assert summary.shown and summary.comments == ["Shared one"] * 4


def test_other_mentors_mentees_do_not_count_towards_a_mentors_threshold(program, mentor, other_mentor):
    mentees_who_answered(mentor, program, 4)
    mentees_who_answered(other_mentor, program, 5)
    assert not feedback.mentor_feedback(mentor=mentor, program=program).shown
    assert feedback.mentor_feedback(mentor=other_mentor, program=program).shown


@pytest.mark.parametrize("mentors", [10, 1000])
def test_the_mentors_feedback_page_makes_the_same_number_of_queries_whatever_the_data(
        client, cold, program, mentor, mentors):
    from mentorprogram.models import Membership
    from tests.factories import make_member
    from tests.factories.accountability import program_of_mentees

    mentees_who_answered(mentor, program, 5, comment="Shared", share=True)
    for _ in range(3):  # others' answered feedback, and many more mentors asked
        mentees_who_answered(make_member(program, Membership.Role.MENTOR), program, 1)
    program_of_mentees(program, mentors)
    client.force_login(mentor)
    with cold(QUERIES_MY_FEEDBACK):
        assert client.get(reverse("accountability:my_feedback")).status_code == 200


QUERIES_MY_FEEDBACK = 6  # session, user, programs, and per program: the latest answers' scores, comments


def test_the_demo_has_one_mentor_above_the_threshold_and_one_below_and_a_second_run_adds_nothing(db, settings):
    from django.core.management import call_command

    from mentorprogram.models import Program, User

    settings.DEBUG = True
    call_command("seed_demo", mentors=8)
    answered = FeedbackRequest.objects.filter(answered_at__isnull=False).count()
    call_command("seed_demo", mentors=8)
    assert FeedbackRequest.objects.filter(answered_at__isnull=False).count() == answered
    program = Program.objects.get()
    above = feedback.mentor_feedback(mentor=User.objects.get(email="mentor@example.org"), program=program)
    below = feedback.mentor_feedback(mentor=User.objects.get(email="mentor0001@example.org"), program=program)
    assert above.shown and above.n == 5
    assert not below.shown and below.n == 2
    mentee = User.objects.get(email="mentee@example.org")
    assert FeedbackRequest.objects.filter(mentee__user=mentee, answered_at__isnull=True).exists()
    assert mentee.check_password("mentor-demo")
