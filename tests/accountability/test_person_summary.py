"""From the compliance table to a person: a summary for the coordinators of the person's program
(never mentee notes, goal wording or assessment answers) and a reminder sent through the outbox
after a confirmation page showing what will be sent."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accountability.models import Nudge
from mentorprogram.models import Membership, OutboundEmail
from tests.factories import MembershipFactory, make_member
from tests.factories.accountability import (
    AccountabilityPlanFactory,
    MenteeFactory,
    MenteeGoalFactory,
    MenteeMeetingFactory,
    PlanItemFactory,
    ReportingRequirementFactory,
)
from tests.factories.assessments import make_instrument, make_response
from tests.factories.courses import CompletionFactory, CourseFactory

NOTE = "Private: she is thinking of leaving academic medicine."
GOAL = "Private goal: ask the chair for protected time"


@pytest.fixture
def person(program, mentor):
    Membership.objects.filter(user=mentor).update(joined_on=dt.date(2020, 1, 1), department="Cardiology")
    ReportingRequirementFactory(program=program, metric="mentee_meetings", target=1000, period="month")
    mentee = MenteeFactory(program=program, mentor=mentor, name="Dr. Mentee Private")
    MenteeMeetingFactory(mentee=mentee, held_on=timezone.localdate(), notes=NOTE)
    MenteeGoalFactory(mentee=mentee, text=GOAL)
    plan = AccountabilityPlanFactory(program=program, mentor=mentor)
    PlanItemFactory(plan=plan, title="Finish the mentor training course",
                    due_on=timezone.localdate() - dt.timedelta(days=3))
    CompletionFactory(user=mentor, course=CourseFactory(title="Giving feedback that lands"),
                      completed_on=timezone.localdate(), credit_hours=2)
    version = make_instrument(program, domains=1, items_per_domain=1, name="Mentor Skills Inventory")
    make_response(mentor, program, version, rating=2)
    return mentor


def summary_url(program, person) -> str:
    return reverse("accountability:person", args=[program.slug, person.pk])


def remind_url(program, person) -> str:
    return reverse("accountability:person_remind", args=[program.slug, person.pk])


def test_the_compliance_table_links_each_row_to_the_person(client, program, coordinator, person):
    client.force_login(coordinator)
    page = client.get(reverse("accountability:compliance", args=[program.slug])).content.decode()
    assert summary_url(program, person) in page


def test_a_coordinator_reads_requirements_plan_training_and_assessments_but_no_private_text(
    client, program, coordinator, person,
):
    client.force_login(coordinator)
    response = client.get(summary_url(program, person))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Meetings with each mentee" in page and "Behind" in page
    assert "Finish the mentor training course" in page
    assert "Giving feedback that lands" in page
    assert "Mentor Skills Inventory — baseline" in page
    assert "1 mentee, 1 meeting recorded" in page and "Cardiology" in page
    for private in (NOTE, GOAL, "Dr. Mentee Private", "question 1"):
        assert private not in page
    # Written about the person, not to them.
    assert "With a single mentee." in page and "your" not in page.split("<main", 1)[1].lower()


def test_a_superuser_reads_the_summary_too(client, program, superuser, person):
    client.force_login(superuser)
    assert client.get(summary_url(program, person)).status_code == 200


@pytest.mark.parametrize("who", ["mentor", "other_mentor", "faculty", "other_coordinator", "staff_without_membership"])
def test_nobody_else_finds_the_summary_or_the_reminder(client, program, person, who, request,
                                                       django_capture_on_commit_callbacks):
    client.force_login(request.getfixturevalue(who))
    assert client.get(summary_url(program, person)).status_code == 404
    assert client.get(remind_url(program, person)).status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(remind_url(program, person)).status_code == 404
    assert not Nudge.objects.exists() and mail.outbox == []


def test_a_coordinator_finds_nobody_of_another_program_through_their_own(
    client, program, other_program, coordinator, other_coordinator,
):
    surgeon = make_member(other_program, display_name="Dr. Surgeon")
    client.force_login(coordinator)
    assert client.get(summary_url(program, surgeon)).status_code == 404
    assert client.get(summary_url(other_program, surgeon)).status_code == 404


def test_an_invitation_not_yet_accepted_shows_nobody(client, program, other_program, coordinator, other_mentor):
    MembershipFactory(user=other_mentor, program=other_program, status=Membership.Status.INVITED,
                      awaiting_acceptance=True)
    outsider_coordinator = make_member(other_program, Membership.Role.COORDINATOR)
    client.force_login(outsider_coordinator)
    assert client.get(summary_url(other_program, other_mentor)).status_code == 404


def test_the_confirmation_page_shows_the_email_and_sends_nothing(client, program, coordinator, person):
    client.force_login(coordinator)
    page = client.get(remind_url(program, person))
    assert page.status_code == 200
    preview = page.context["preview"]
    assert preview.subject.endswith(f"A reminder from {program.name}") or program.name in preview.subject
    assert "Meetings with each mentee" in preview.text and "Finish the mentor training course" in preview.text
    assert str(coordinator) in preview.text
    assert "Yes, send it" in page.content.decode()
    assert not OutboundEmail.objects.exists() and not Nudge.objects.exists()


def test_confirming_sends_one_reminder_through_the_outbox_once_a_day(
    client, program, coordinator, person, django_capture_on_commit_callbacks, send_inline,
):
    client.force_login(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(remind_url(program, person))
        client.post(remind_url(program, person))  # a second click
    assert response.status_code == 302 and response.url == summary_url(program, person)
    [message] = mail.outbox
    assert message.to == [person.email]
    assert "Finish the mentor training course" in message.body and str(coordinator) in message.body
    assert message.extra_headers.get("List-Unsubscribe") or message.message()["List-Unsubscribe"]
    email = OutboundEmail.objects.get()
    assert (email.kind, email.status, email.program) == ("nudge", "sent", program)
    assert Nudge.objects.get().kind == Nudge.Kind.FROM_COORDINATOR
    again = client.get(remind_url(program, person))
    assert "already went" in again.context["preview"].blocked


def test_nothing_goes_to_someone_who_turned_the_emails_off(
    client, program, coordinator, person, django_capture_on_commit_callbacks, send_inline,
):
    person.nudges_opt_out = True
    person.save()
    client.force_login(coordinator)
    assert "turned accountability emails off" in client.get(remind_url(program, person)).context["preview"].blocked
    with django_capture_on_commit_callbacks(execute=True):
        client.post(remind_url(program, person))
    assert mail.outbox == [] and not Nudge.objects.exists()


def test_the_dispatcher_leaves_a_coordinators_reminder_alone(program, coordinator, person, send_inline,
                                                            django_capture_on_commit_callbacks):
    from accountability import nudges

    with django_capture_on_commit_callbacks(execute=True):
        nudges.coordinator_reminder_send(program=program, person=person, by=coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        nudges.nudges_dispatch()
    assert Nudge.objects.filter(kind=Nudge.Kind.FROM_COORDINATOR).count() == 1


@pytest.mark.parametrize("records", [1, 15])
def test_the_summary_costs_the_same_queries_whatever_the_records(client, program, coordinator, person, records,
                                                                  cold):
    plan = AccountabilityPlanFactory(program=program, mentor=person, period_start=dt.date(2026, 7, 1),
                                     period_end=dt.date(2027, 7, 1))
    for i in range(records):
        PlanItemFactory(plan=plan, title=f"Item {i}")
        MenteeMeetingFactory(mentee=MenteeFactory(program=program, mentor=person), held_on=timezone.localdate())
        CompletionFactory(user=person, completed_on=timezone.localdate(), credit_hours=1)
    client.force_login(coordinator)
    # session, user, the viewer's memberships, program, person (5); the person's memberships,
    # requirements and their measures (3); plan, its counts, its open items, mentee counts (4);
    # transcript, assessments submitted (2); the look, recorded in the person's audit trail (1)
    with cold(15):
        assert client.get(summary_url(program, person)).status_code == 200
