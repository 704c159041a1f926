"""The RSVP links in reminder emails: GET asks, POST records; the signed token is the key."""

from __future__ import annotations

import re
import time

import pytest
from django.core import signing
from django.urls import reverse

from community import services as community_services
from community.models import Rsvp
from mentorprogram.outbox import outbox_send
from reminders import services
from reminders.models import ReminderDelivery
from reminders.tokens import rsvp_token
from tests.factories.community import MeetingFactory, MeetingSeriesFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def upcoming(program):
    return MeetingFactory(series=MeetingSeriesFactory(program=program))


def url(meeting, user, answer="yes"):
    return reverse("reminders:rsvp", args=[rsvp_token(meeting_id=meeting.pk, user_id=user.pk), answer])


def test_the_links_in_the_email_lead_to_a_confirm_page_that_changes_nothing(client, program, mentor, upcoming,
                                                                            mailoutbox, settings):
    services.meeting_send_reminders_now(meeting=upcoming)
    ids = list(ReminderDelivery.objects.filter(user=mentor).values_list("email_id", flat=True))
    outbox_send(ids=ids, claim_token="t")
    [message] = mailoutbox
    links = re.findall(re.escape(settings.SITE_URL) + r"(/reminders/rsvp/[^/\s]+/(?:yes|no|maybe)/)", message.body)
    assert len(links) == 3
    response = client.get(next(link for link in links if link.endswith("/maybe/")))
    assert response.status_code == 200
    assert b"Confirm: Maybe" in response.content and mentor.display_name.encode() in response.content
    assert not Rsvp.objects.exists()


def test_posting_the_confirm_page_records_the_answer_without_signing_in(client, mentor, upcoming):
    response = client.post(url(upcoming, mentor, "no"))
    assert response.status_code == 200 and b"Your answer is saved" in response.content
    assert Rsvp.objects.get(meeting=upcoming, user=mentor).answer == "no"
    client.post(url(upcoming, mentor, "yes"))
    assert Rsvp.objects.get(meeting=upcoming, user=mentor).answer == "yes"


def test_a_tampered_token_or_unknown_answer_is_a_404(client, mentor, other_mentor, upcoming):
    token = rsvp_token(meeting_id=upcoming.pk, user_id=mentor.pk)
    value, _, signature = token.rpartition(":")
    forged = f"{upcoming.pk}.{other_mentor.pk}:{value.split(':')[1]}:{signature}"
    for bad in (forged, "nonsense", token[:-2] + "xx"):
        assert client.get(reverse("reminders:rsvp", args=[bad, "yes"])).status_code == 404
        assert client.post(reverse("reminders:rsvp", args=[bad, "yes"])).status_code == 404
    assert client.get(reverse("reminders:rsvp", args=[token, "perhaps"])).status_code == 404
    assert not Rsvp.objects.exists()


def test_an_expired_link_says_so_and_points_to_the_meeting(client, mentor, upcoming, monkeypatch, settings):
    old = int(time.time()) - (settings.REMINDERS_RSVP_LINK_DAYS + 1) * 86400
    monkeypatch.setattr(signing.TimestampSigner, "timestamp", lambda self: signing.b62_encode(old))
    link = url(upcoming, mentor)
    monkeypatch.undo()
    response = client.post(link)
    assert response.status_code == 410
    assert reverse("community:meeting", args=[upcoming.pk]).encode() in response.content
    assert not Rsvp.objects.exists()


def test_someone_who_left_the_program_cannot_answer(client, mentor, upcoming):
    mentor.memberships.update(status="alumni")
    assert client.get(url(upcoming, mentor)).status_code == 404


def test_a_cancelled_meeting_takes_no_answers(client, mentor, upcoming):
    link = url(upcoming, mentor)
    community_services.meeting_cancel(meeting=upcoming)
    response = client.post(link)
    assert response.status_code == 409 and b"cancelled" in response.content
    assert not Rsvp.objects.exists()
