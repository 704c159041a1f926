"""Reminders: the RSVP confirm page behind the links in reminder emails.

The signed token is the credential, so every role holding the owner's link gets the confirm
page (GET) and records the owner's answer (POST); nobody needs to be signed in. A tampered,
malformed or foreign token is a 404 and an expired one a 410 (tests/reminders/test_rsvp.py)."""

from __future__ import annotations

from reminders.tokens import rsvp_token
from tests.factories.community import MeetingFactory, MeetingSeriesFactory

from . import PUBLIC, Route, builder, expect


@builder
def reminder_objects(w) -> None:
    w.objects.reminded_meeting = MeetingFactory(series=MeetingSeriesFactory(program=w.program))
    w.objects.rsvp_token = rsvp_token(meeting_id=w.reminded_meeting.pk, user_id=w.people["owner"].pk)


ROUTES = [
    # "Send reminders now": the question (GET), then the sending (POST, back to the meeting).
    Route("admin:community_meeting_send_reminders", kwargs=lambda w: {"object_id": str(w.reminded_meeting.pk)},
          get=expect(owner=302, other_mentor=302, coordinator=200, other_coordinator=404, staff=404,
                     mentee=302, other_mentee=302),
          post=expect(owner=302, other_mentor=302, coordinator=302, other_coordinator=404, staff=404,
                      mentee=302, other_mentee=302)),
    Route("reminders:rsvp", kwargs=lambda w: {"token": w.rsvp_token, "answer": "yes"}, get=PUBLIC, post=PUBLIC),
]
