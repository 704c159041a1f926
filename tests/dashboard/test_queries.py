"""The whole dashboard, on a first visit with the cache emptied, in a fixed number of queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments.models import FollowUpCadence
from mentorprogram.models import Membership
from tests.factories import make_member
from tests.factories.accountability import (
    AccountabilityPlanFactory,
    MenteeFactory,
    MenteeMeetingFactory,
    PlanItemFactory,
    ReportingRequirementFactory,
)
from tests.factories.assessments import make_instrument, make_response
from tests.factories.community import (
    AgendaItemFactory,
    MeetingFactory,
    MeetingSeriesFactory,
    ProcessAgreementFactory,
    ResourcePersonFactory,
    RsvpFactory,
)
from tests.factories.courses import CompletionFactory, CourseFactory, CourseSessionFactory


def _fill(program, mentor, people: int) -> None:
    """Something on every card for ``mentor``, and ``people`` colleagues with records of their own."""
    meeting = MeetingFactory(series=MeetingSeriesFactory(program=program), with_reading=True, place="Room 4B",
                             presenter=ResourcePersonFactory(program=program),
                             starts_at=timezone.now() + dt.timedelta(days=3))
    AgendaItemFactory(meeting=meeting)
    ProcessAgreementFactory(program=program)
    instrument = make_instrument(program)
    FollowUpCadence.objects.create(program=program, instrument=instrument.instrument, months="6")
    for metric in ("mentee_meetings", "community_attendance", "training_credit", "reassessment"):
        ReportingRequirementFactory(program=program, metric=metric, target=1, period="quarter")
    plan = AccountabilityPlanFactory(program=program, mentor=mentor)
    course = CourseFactory()
    CourseSessionFactory(course=course, starts_at=timezone.now() + dt.timedelta(days=9))
    CompletionFactory(user=mentor, course=course, status="planned", completed_on=None, credit_hours=0)
    for person in [mentor, *(make_member(program, Membership.Role.MENTOR) for _ in range(people))]:
        make_response(person, program, instrument, now=timezone.now() - dt.timedelta(days=200))  # a follow-up due
        RsvpFactory(meeting=meeting, user=person)
        MenteeMeetingFactory(mentee=MenteeFactory(program=program, mentor=person), held_on=timezone.localdate())
        CompletionFactory(user=person, completed_on=timezone.localdate())
    for n in range(people // 2 + 1):
        PlanItemFactory(plan=plan, due_on=timezone.localdate() + dt.timedelta(days=n))


@pytest.mark.parametrize("people", [2, 40])
def test_a_first_visit_costs_the_same_queries_whatever_the_data(client, program, mentor, people, cold):
    _fill(program, mentor, people)
    client.force_login(mentor)
    # session, user, memberships with the invitations awaiting an answer (3);
    # the instrument versions, the person's responses with their figures (2), which the
    # follow-ups card reads too, with the cadences (1);
    # meeting with the RSVP, its agenda, agreements (3);
    # requirements, the measures, items due (3); credit hours, next session (2)
    with cold(14):
        response = client.get(reverse("dashboard:home"))
    assert response.status_code == 200
    assert [c["title"] for c in response.context["cards"]] == [
        "Follow-up due", "Next community meeting", "Self-assessments", "Accountability plan", "Training"]
