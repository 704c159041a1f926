"""The dashboard's next-meeting card."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from dashboard.cards import Viewer, meetings
from mentorprogram import selectors
from mentorprogram.models import Membership
from tests.factories import make_member
from tests.factories.community import AgendaItemFactory, MeetingFactory, ProcessAgreementFactory, RsvpFactory


def test_the_card_shows_the_next_meeting_agenda_reading_rsvp_state_and_calendar_link(client, mentor, meeting, series):
    MeetingFactory(series=series, starts_at=meeting.starts_at + dt.timedelta(days=28))
    AgendaItemFactory(meeting=meeting, topic=None, text="Round the table: one success, one worry")
    RsvpFactory(meeting=meeting, user=mentor, answer="maybe")
    client.force_login(mentor)
    response = client.get("/")
    card = next(c for c in response.context["cards"] if c["title"] == "Next community meeting")
    assert card["meeting"] == meeting and card["my_rsvp"] == "maybe"
    body = response.content.decode()
    assert "Round the table: one success, one worry" in body
    assert "Giving feedback that lands" in body
    assert f"/community/meetings/{meeting.pk}/calendar.ics" in body
    assert 'value="maybe" class="btn btn-sm btn-secondary" aria-pressed="true"' in body


def test_the_card_skips_cancelled_meetings(client, mentor, meeting, series):
    meeting.status = "cancelled"
    meeting.save()
    later = MeetingFactory(series=series, starts_at=timezone.now() + dt.timedelta(days=30))
    client.force_login(mentor)
    card = client.get("/").context["cards"][0]
    assert card["meeting"] == later


@pytest.mark.parametrize("members", [5, 200])
def test_it_costs_the_same_queries_whatever_the_size(
    client, program, mentor, meeting, members, django_assert_num_queries,
):
    AgendaItemFactory(meeting=meeting)
    ProcessAgreementFactory(program=program)
    for _ in range(members):
        RsvpFactory(meeting=meeting, user=make_member(program, Membership.Role.MENTOR))
    memberships = list(selectors.memberships_for_user(user=mentor))
    # The meeting with the person's RSVP, its agenda, the agreements with their acknowledgement:
    # the same three whatever the size.
    with django_assert_num_queries(3):
        card = meetings.card(Viewer(user=mentor, memberships=memberships, now=timezone.now()))
    assert card["meeting"] == meeting
    assert card["agreements_to_review"]


def test_a_message_shows_once_on_the_dashboard(client, mentor, meeting):
    client.force_login(mentor)
    client.get("/")
    page = client.post(reverse("community:meeting_rsvp", args=[meeting.pk]), {"answer": "yes", "next": "/"},
                       follow=True).content.decode()
    assert "is saved: yes" in page
    assert "is saved: yes" not in client.get("/").content.decode()
