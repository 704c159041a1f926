"""The Mentor Community journey of a mentor: the next meeting, an RSVP, a challenge, the agreements."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from community.models import Acknowledgement, Challenge, Rsvp
from reminders.tokens import rsvp_token
from tests.factories.community import (
    MeetingFactory,
    MeetingSeriesFactory,
    MentorCommunityFactory,
    ProcessAgreementFactory,
)

from .helpers import audit, sign_in, visit


def test_it_lets_a_mentor_rsvp_raise_a_challenge_and_acknowledge_the_agreements(page, mentor, program):
    MentorCommunityFactory(program=program)
    meeting = MeetingFactory(series=MeetingSeriesFactory(program=program, title="Monthly mentor meeting"),
                             with_reading=True, reading__title="Giving feedback that lands",
                             reading__url="https://example.org/readings/feedback")
    agreement = ProcessAgreementFactory(program=program)

    sign_in(page, mentor)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Community").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mentor Community")
    audit(page)
    page.get_by_role("link", name=program.community_name).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(program.community_name)
    audit(page)
    page.get_by_role("region", name="Next meeting").get_by_role("link").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Monthly mentor meeting")
    audit(page)
    reading = page.get_by_role("region", name="Reading to discuss")
    expect(reading.get_by_role("link", name="Giving feedback that lands")).to_have_attribute(
        "href", "https://example.org/readings/feedback")
    expect(reading).to_contain_text(meeting.reading.citation)

    page.get_by_role("group", name="Will you come?").get_by_role("button", name="Yes").click()
    expect(page.get_by_role("alert")).to_contain_text("is saved: yes")
    audit(page)
    expect(page.get_by_role("button", name="Yes", pressed=True)).to_be_visible()
    assert Rsvp.objects.get(meeting=meeting, user=mentor).answer == Rsvp.Answer.YES
    calendar = page.get_by_role("link", name="Add to calendar")
    expect(calendar).to_have_attribute("href", f"/community/meetings/{meeting.pk}/calendar.ics")

    page.get_by_role("link", name=program.community_name).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(program.community_name)
    audit(page)
    page.get_by_role("link", name="Raise a challenge").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Challenges and questions")
    audit(page)
    text = "A mentee wants to switch mentors but worries about offending me. How do I make it easy?"
    page.get_by_label("Challenge or question").fill(text)
    page.get_by_label("Anonymous to other mentors").check()
    page.get_by_role("button", name="Submit").click()
    expect(page.get_by_role("alert")).to_contain_text("your challenge is sent for the next meeting")
    audit(page)
    expect(page.get_by_role("main")).to_contain_text("anonymous to other mentors")
    challenge = Challenge.objects.get(program=program, author=mentor)
    assert challenge.anonymous and challenge.text == text

    page.get_by_role("link", name=program.community_name).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(program.community_name)
    audit(page)
    page.get_by_role("link", name="Process agreements").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Process agreements")
    audit(page)
    expect(page.get_by_role("main")).to_contain_text("stays between us")
    page.get_by_role("button", name="I have read these agreements and will follow them").click()
    expect(page.get_by_role("alert")).to_contain_text(f"You acknowledged version {agreement.version}")
    audit(page)
    assert Acknowledgement.objects.filter(agreement=agreement, user=mentor).exists()


def test_it_lets_a_mentor_answer_from_the_reminder_email_link(page, mentor, program):
    MentorCommunityFactory(program=program)
    meeting = MeetingFactory(series=MeetingSeriesFactory(program=program, title="Monthly mentor meeting"))
    token = rsvp_token(meeting_id=meeting.pk, user_id=mentor.pk)

    visit(page, f"/reminders/rsvp/{token}/maybe/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Monthly mentor meeting")
    assert not Rsvp.objects.filter(meeting=meeting, user=mentor).exists()
    page.get_by_role("button", name=re.compile("^Confirm: ")).click()
    expect(page.get_by_role("status")).to_contain_text("Your answer is saved")
    audit(page)
    assert Rsvp.objects.get(meeting=meeting, user=mentor).answer == Rsvp.Answer.MAYBE
