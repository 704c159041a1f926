"""Challenges raised for meetings, and the program's versioned process agreements."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from community import permissions, selectors, services
from community.models import Acknowledgement, AgendaItem, Challenge, ProcessAgreement
from mentorprogram.models import Membership
from tests.factories import make_member
from tests.factories.community import ChallengeFactory, MeetingFactory, ProcessAgreementFactory
from tests.factories.core import MembershipFactory


def test_a_mentor_submits_an_anonymous_challenge_for_the_next_meeting(client, program, mentor, meeting):
    client.force_login(mentor)
    url = reverse("community:challenges", args=[program.slug])
    response = client.post(url, {"text": "How do I tell my mentee her draft is not ready?", "anonymous": "on"})
    assert response.status_code == 302
    challenge = Challenge.objects.get()
    assert (challenge.author, challenge.anonymous, challenge.meeting, challenge.status) == (
        mentor, True, meeting, Challenge.Status.OPEN)
    thanks = client.get(url).content.decode()
    assert "her draft is not ready" in thanks
    # The coordinators choose the agenda: the thanks promises no place on it.
    assert "is on the list" not in thanks
    assert "The coordinators will see it when they set the agenda" in thanks


def test_it_refuses_an_empty_challenge_with_a_field_error(client, program, mentor):
    client.force_login(mentor)
    response = client.post(reverse("community:challenges", args=[program.slug]), {"text": "  hm "})
    assert response.status_code == 400
    assert "text" in response.context["form"].errors
    assert not Challenge.objects.exists()


def test_other_mentors_do_not_see_a_challenge_list_but_coordinators_see_open_ones_with_authors(
    client, program, mentor, other_mentor, coordinator,
):
    ChallengeFactory(program=program, author=mentor, anonymous=True, text="A private worry about a mentee.")
    url = reverse("community:challenges", args=[program.slug])
    client.force_login(other_mentor)
    body = client.get(url).content.decode()
    assert "A private worry" not in body and str(mentor) not in body
    client.force_login(coordinator)
    body = client.get(url).content.decode()
    assert "A private worry" in body and str(mentor) in body


def test_a_coordinator_turns_a_challenge_into_an_agenda_item_in_one_confirmed_action(
    client, program, coordinator, mentor, meeting,
):
    challenge = ChallengeFactory(program=program, author=mentor, anonymous=True, meeting=meeting)
    client.force_login(coordinator)
    chosen = {"action": "add_to_agenda", admin.helpers.ACTION_CHECKBOX_NAME: [challenge.pk]}
    response = client.post(reverse("admin:community_challenge_changelist"), chosen)
    assert response.status_code == 200 and b"1 challenge will be added" in response.content
    assert not AgendaItem.objects.exists()
    response = client.post(reverse("admin:community_challenge_changelist"), {**chosen, "confirmed": "yes"})
    assert response.status_code == 302
    item = AgendaItem.objects.get()
    assert (item.meeting, item.text) == (meeting, challenge.text)
    challenge.refresh_from_db()
    assert (challenge.status, challenge.agenda_item) == (Challenge.Status.ON_AGENDA, item)
    with pytest.raises(ValidationError):
        services.challenge_add_to_agenda(challenge=challenge)
    assert AgendaItem.objects.count() == 1


def test_a_challenge_raised_for_a_past_meeting_goes_to_the_next_one(program, series, mentor, meeting):
    past = MeetingFactory(series=series, starts_at=timezone.now() - dt.timedelta(days=3))
    challenge = ChallengeFactory(program=program, author=mentor, meeting=past)
    assert services.challenge_add_to_agenda(challenge=challenge).meeting == meeting


def test_a_mentor_acknowledges_the_current_version_and_a_new_version_asks_again(client, program, mentor):
    v1 = services.agreement_publish(agreement=services.agreement_new_version(
        program=program, confidentiality="We keep confidences."))
    assert selectors.agreements_to_acknowledge(user=mentor) == [v1]
    client.force_login(mentor)
    assert client.post(reverse("community:agreement_acknowledge", args=[v1.pk])).status_code == 302
    assert selectors.agreements_to_acknowledge(user=mentor) == []

    v2 = services.agreement_new_version(program=program, based_on=v1, other="We meet socially twice a year.")
    assert v2.version == 2 and v2.confidentiality == "We keep confidences."
    assert selectors.agreements_to_acknowledge(user=mentor) == []  # a draft asks nobody
    services.agreement_publish(agreement=v2)
    assert selectors.agreements_to_acknowledge(user=mentor) == [v2]
    body = client.get("/").content.decode()
    assert "Agreements to review" in body

    # The old version cannot be acknowledged in place of the new one.
    client.post(reverse("community:agreement_acknowledge", args=[v1.pk]))
    assert not Acknowledgement.objects.filter(agreement=v2).exists()
    client.post(reverse("community:agreement_acknowledge", args=[v2.pk]), {"next": "/"})
    assert selectors.agreements_to_acknowledge(user=mentor) == []


def test_the_dashboard_and_the_acknowledgement_table_ask_the_same_people(program):
    """Who is asked to acknowledge the agreements, as a query (the coordinators' table, the
    reminders) and over loaded memberships (the dashboard, the first steps), for every role and
    status: mentors, prospective ones included."""
    memberships = [MembershipFactory(program=program, role=role, status=status)
                   for role in Membership.Role.values for status in Membership.Status.values]
    asked = set(Membership.objects.filter(permissions.asked_to_acknowledge_q(), program=program)
                .values_list("pk", flat=True))
    assert asked == {m.pk for m in memberships if permissions.is_asked_membership(m)}
    assert asked == {m.pk for m in memberships if m.role == Membership.Role.MENTOR
                     and m.status in (Membership.Status.PROSPECTIVE, Membership.Status.ACTIVE)}


def test_a_published_version_is_frozen(program):
    agreement = ProcessAgreementFactory(program=program)
    agreement.confidentiality = "Changed after the fact."
    with pytest.raises(ValidationError):
        services.agreement_save_draft(agreement=agreement)


def test_it_refuses_an_agreement_with_no_text(program):
    with pytest.raises(ValidationError):
        services.agreement_new_version(program=program)
    assert not ProcessAgreement.objects.exists()


def test_coordinators_see_who_has_and_has_not_acknowledged(client, program, coordinator, mentor, other_mentor):
    prospective = make_member(program, Membership.Role.MENTOR)
    Membership.objects.filter(user=prospective).update(status=Membership.Status.PROSPECTIVE)
    agreement = ProcessAgreementFactory(program=program)
    services.agreement_acknowledge(agreement=agreement, user=mentor)
    status = selectors.acknowledgement_status(agreement=agreement)
    assert {r.membership.user: bool(r.acknowledged_at) for r in status.rows} == {
        mentor: True, other_mentor: False, prospective: False}
    client.force_login(coordinator)
    body = client.get(reverse("community:agreements", args=[program.slug])).content.decode()
    assert "1 acknowledged, 2 not yet" in body
    body = client.get(reverse("admin:community_processagreement_change", args=[agreement.pk])).content.decode()
    assert "1 acknowledged, 2 not yet" in body


def test_mentors_do_not_see_the_acknowledgement_table(client, program, mentor, other_mentor):
    agreement = ProcessAgreementFactory(program=program)
    services.agreement_acknowledge(agreement=agreement, user=other_mentor)
    client.force_login(mentor)
    body = client.get(reverse("community:agreements", args=[program.slug])).content.decode()
    assert "not yet" not in body and str(other_mentor) not in body
    assert "I have read these agreements" in body


def test_the_coordinator_adds_a_version_in_the_admin_and_it_gets_the_next_number(client, program, coordinator):
    ProcessAgreementFactory(program=program, version=1)
    client.force_login(coordinator)
    response = client.post(reverse("admin:community_processagreement_add"), {
        "program": program.pk, "confidentiality": "Names stay out of the room.",
    })
    assert response.status_code == 302
    assert ProcessAgreement.objects.get(program=program, published_at__isnull=True).version == 2


def test_the_demo_agreements_ask_for_the_attendance_the_demo_requirement_counts(db):
    from django.core.management import call_command

    from accountability.models import ReportingRequirement
    from community.models import ProcessAgreement

    call_command("seed_demo", "--force", verbosity=0)
    requirement = ReportingRequirement.objects.get(metric=ReportingRequirement.Metric.COMMUNITY_ATTENDANCE)
    text = " ".join(a.meeting_frequency for a in ProcessAgreement.objects.all())
    assert "two thirds" not in text
    assert f"{requirement.target:g}%" in text or "three in four" in text
