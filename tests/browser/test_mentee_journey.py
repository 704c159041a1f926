"""A mentee's journey: their mentor invites them, they choose a password and accept, see their
meetings (never the mentor's notes), and answer the program's feedback form."""

from __future__ import annotations

import datetime as dt
import re

from playwright.sync_api import expect

from accountability import mentees
from accountability.models import FeedbackRequest, Mentee
from mentorprogram.models import OutboundEmail
from tests.factories.accountability import FeedbackRequestFactory, MenteeFactory, MenteeMeetingFactory

from .helpers import audit, sign_in, sign_out, visit

PASSWORD = "a quiet orchard in april"
NOTE = "Private: she may leave for industry."


def test_a_mentee_accepts_an_invitation_sees_the_meetings_and_answers_feedback(
        page, program, mentor, default_instruments, live_server):
    mentee = MenteeFactory(program=program, mentor=mentor, name="Dr. Ada Byron", email="ada.byron@example.edu")
    MenteeMeetingFactory(mentee=mentee, held_on=dt.date(2025, 9, 3), mode="video", notes=NOTE)
    MenteeMeetingFactory(mentee=mentee, held_on=dt.date(2025, 10, 8), mode="in_person", notes=NOTE)

    # The mentor invites her from her record.
    sign_in(page, mentor)
    visit(page, f"/accountability/mentees/{mentee.pk}/")
    page.get_by_role("button", name=re.compile("Invite by email")).click()
    expect(page.get_by_text("The invitation to Dr. Ada Byron is on its way")).to_be_visible()
    audit(page)
    assert OutboundEmail.objects.filter(kind=OutboundEmail.Kind.MENTEE_INVITATION).count() == 1
    sign_out(page)
    audit(page)

    # The email's link: she chooses a password and lands on her mentoring page.
    mentee.refresh_from_db()
    body = mentees.invitation_message(mentee, live_server.url).body
    link = re.search(r"http\S+/invitations/welcome/\S+", body).group(0)
    page.goto(link)
    audit(page)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("The same password again").fill(PASSWORD)
    page.get_by_role("button", name="Accept and sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My mentoring")
    audit(page)
    page.get_by_role("button", name="Accept").click()
    expect(page.get_by_text("Meetings (2)")).to_be_visible()
    expect(page.get_by_role("cell", name="Video call")).to_be_visible()
    assert NOTE not in page.content()
    audit(page)
    assert Mentee.objects.get(pk=mentee.pk).accepted_at is not None

    # The program asks for her feedback; she answers every statement and shares a comment.
    request = FeedbackRequestFactory(mentee=mentee, reason="Mid-year")
    visit(page, "/accountability/my-mentoring/")
    page.get_by_role("link", name="give your feedback").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("How is your mentoring with")
    audit(page)
    for radio in page.locator('input[type="radio"][value="6"]').all():
        radio.check()
    page.get_by_label("Anything else you would like to say? (optional)").fill("Clear next steps every time.")
    page.get_by_label("Share my comment with my mentor").check()
    page.get_by_role("button", name="Send my feedback").click()
    expect(page.get_by_text("Thank you: your feedback is in.")).to_be_visible()
    expect(page.get_by_text("Mid-year: answered on")).to_be_visible()
    audit(page)
    request = FeedbackRequest.objects.get(pk=request.pk)
    assert request.answered_at is not None and request.share_with_mentor
    assert request.response.domain_scores.count() == 6
