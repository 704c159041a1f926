"""The coordinator's home in Chromium: from "who is behind" to a person, and a reminder sent after
its confirmation; and a new person accepting their invitation, signed in on their first steps."""

from __future__ import annotations

import datetime as dt

from allauth.account.forms import default_token_generator
from allauth.account.utils import user_pk_to_url_str
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from accountability.models import Nudge
from mentorprogram.models import Membership, OutboundEmail
from tests.factories import MembershipFactory, UserFactory, make_member
from tests.factories.accountability import MenteeFactory, ReportingRequirementFactory
from tests.factories.assessments import make_instrument
from tests.factories.community import MeetingFactory, MeetingSeriesFactory, ProcessAgreementFactory, RsvpFactory

from .helpers import audit, sign_in

PASSWORD = "tidal-orchid-seventeen-lanterns"


def test_a_coordinator_follows_who_is_behind_to_a_person_and_sends_a_reminder(page, program, coordinator, mentor):
    program.academic_year_start_month = timezone.localdate().month % 12 + 1  # the year ends this month
    program.save()
    ReportingRequirementFactory(program=program, metric="mentee_meetings", target=1, period="academic_year")
    MenteeFactory(program=program, mentor=mentor)  # no meeting logged this year: behind
    behind = make_member(program, display_name="Dr. Rosa Behind")
    MenteeFactory(program=program, mentor=behind)
    Membership.objects.filter(program=program).update(joined_on=dt.date(2020, 1, 1))
    meeting = MeetingFactory(series=MeetingSeriesFactory(program=program, title="Medicine Mentor Circle"),
                             starts_at=timezone.now() + dt.timedelta(days=6))
    RsvpFactory(meeting=meeting, user=mentor, answer="yes")

    sign_in(page, coordinator)
    expect(page.get_by_role("heading", name=program.name)).to_be_visible()
    expect(page.get_by_text("1 coming")).to_be_visible()
    audit(page)

    page.get_by_role("link", name="Dr. Rosa Behind").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Dr. Rosa Behind")
    expect(page.get_by_text("Behind", exact=True)).to_be_visible()
    audit(page)

    page.get_by_role("link", name="Send a reminder").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Send a reminder to Dr. Rosa Behind?")
    expect(page.get_by_text(f"Subject: A reminder from {program.name}")).to_be_visible()
    assert not Nudge.objects.exists()
    audit(page)

    page.get_by_role("button", name="Yes, send it").click()
    expect(page.get_by_text("A reminder is on its way to Dr. Rosa Behind.")).to_be_visible()
    audit(page)
    nudge = Nudge.objects.get()
    assert (nudge.person, nudge.kind, nudge.email.kind) == (behind, Nudge.Kind.FROM_COORDINATOR, "nudge")
    assert OutboundEmail.objects.filter(user=behind).count() == 1


def test_a_new_person_accepts_their_invitation_and_lands_signed_in_on_first_steps(page, program):
    program.community_name = "Medicine Mentor Circle"
    program.save()
    make_instrument(program, kind="readiness", name="Mentor Readiness Checklist")
    ProcessAgreementFactory(program=program)
    person = UserFactory(email="new.mentor@example.edu", display_name="Dr. Ana Lopez", password=None)
    MembershipFactory(user=person, program=program, status=Membership.Status.INVITED, invited_at=timezone.now())
    link = reverse("invitation_welcome", args=[user_pk_to_url_str(person), default_token_generator.make_token(person)])

    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("You are invited to the Medicine Mentor Circle")
    audit(page)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("The same password again").fill(PASSWORD)
    page.get_by_role("button", name="Accept and sign in").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Dr. Ana Lopez")
    expect(page.get_by_role("heading", name="Take the readiness checklist")).to_be_visible()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    assert page.url.endswith(reverse("dashboard:first_steps"))
    audit(page)
    assert Membership.objects.get(user=person).status == Membership.Status.PROSPECTIVE
