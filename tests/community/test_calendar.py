"""Calendar files: one meeting's .ics, and the private subscription feed."""

from __future__ import annotations

import datetime as dt

import icalendar
import pytest
import vobject
from django.urls import reverse
from django.utils import timezone

from community import services
from community.models import CalendarFeed
from mentorprogram.models import Membership
from tests.factories import make_member
from tests.factories.community import AgendaItemFactory, MeetingFactory, MeetingSeriesFactory


def _event(body: bytes):
    """Parse with vobject, a parser independent of the icalendar library that wrote it."""
    cal = vobject.readOne(body.decode())
    return cal, cal.vevent


def test_a_meeting_downloads_as_an_ics_that_an_independent_parser_reads(client, mentor, meeting):
    AgendaItemFactory(meeting=meeting)
    client.force_login(mentor)
    response = client.get(reverse("community:meeting_ics", args=[meeting.pk]))
    assert response["Content-Type"].startswith("text/calendar")
    assert "attachment" in response["Content-Disposition"]
    cal, event = _event(response.content)
    assert cal.method.value == "PUBLISH"
    assert event.uid.value == f"meeting-{meeting.uid}@mentorprogram"
    assert event.dtstart.value == meeting.starts_at
    assert event.dtend.value == meeting.ends_at
    assert int(event.sequence.value) == 0
    assert event.location.value == meeting.place
    assert "Reading: Giving feedback that lands (https://example.org/readings/feedback)" in event.description.value
    assert "Initial conversations" in event.description.value


def test_a_moved_meeting_keeps_its_uid_and_raises_its_sequence(client, mentor, meeting):
    client.force_login(mentor)
    url = reverse("community:meeting_ics", args=[meeting.pk])
    _, before = _event(client.get(url).content)
    services.meeting_move(meeting=meeting, starts_at=meeting.starts_at + dt.timedelta(days=1))
    _, after = _event(client.get(url).content)
    assert after.uid.value == before.uid.value
    assert int(after.sequence.value) == int(before.sequence.value) + 1
    assert after.dtstart.value == before.dtstart.value + dt.timedelta(days=1)


def test_a_cancelled_meeting_is_sent_as_a_cancellation(client, mentor, meeting):
    services.meeting_cancel(meeting=meeting)
    client.force_login(mentor)
    cal, event = _event(client.get(reverse("community:meeting_ics", args=[meeting.pk])).content)
    assert cal.method.value == "CANCEL"
    assert event.status.value == "CANCELLED"
    assert int(event.sequence.value) == 1


def test_the_feed_serves_the_persons_programs_meetings_without_a_session(client, program, other_program, mentor):
    mine = MeetingFactory(series=MeetingSeriesFactory(program=program))
    MeetingFactory(series=MeetingSeriesFactory(program=other_program))
    feed = services.calendar_feed_regenerate(user=mentor)
    response = client.get(reverse("community:feed", args=[feed.token]))
    assert response.status_code == 200
    cal = vobject.readOne(response.content.decode())
    assert [e.uid.value for e in cal.vevent_list] == [f"meeting-{mine.uid}@mentorprogram"]
    assert icalendar.Calendar.from_ical(response.content).get("X-WR-CALNAME")


def test_the_feed_shows_the_new_time_with_a_higher_sequence_after_a_move(client, mentor, meeting):
    feed = services.calendar_feed_regenerate(user=mentor)
    url = reverse("community:feed", args=[feed.token])
    services.meeting_move(meeting=meeting, starts_at=meeting.starts_at + dt.timedelta(hours=2))
    event = vobject.readOne(client.get(url).content.decode()).vevent
    assert event.dtstart.value == meeting.starts_at
    assert int(event.sequence.value) == 1


def test_a_wrong_or_revoked_token_gets_404(client, mentor, meeting):
    assert client.get(reverse("community:feed", args=["not-a-token"])).status_code == 404
    old = services.calendar_feed_regenerate(user=mentor).token
    new = services.calendar_feed_regenerate(user=mentor).token
    assert old != new
    assert client.get(reverse("community:feed", args=[old])).status_code == 404
    assert client.get(reverse("community:feed", args=[new])).status_code == 200
    services.calendar_feed_revoke(user=mentor)
    assert client.get(reverse("community:feed", args=[new])).status_code == 404


def test_an_inactive_persons_feed_is_gone(client, mentor):
    token = services.calendar_feed_regenerate(user=mentor).token
    mentor.is_active = False
    mentor.save()
    assert client.get(reverse("community:feed", args=[token])).status_code == 404


def test_the_profile_page_creates_renews_and_turns_off_the_feed(client, mentor):
    client.force_login(mentor)
    assert "Create my calendar address" in client.get(reverse("profile")).content.decode()
    client.post(reverse("community:feed_regenerate"))
    token = CalendarFeed.objects.get(user=mentor).token
    assert token in client.get(reverse("profile")).content.decode()
    client.post(reverse("community:feed_regenerate"))
    assert CalendarFeed.objects.get(user=mentor).token != token
    client.post(reverse("community:feed_revoke"))
    assert not CalendarFeed.objects.filter(user=mentor).exists()


@pytest.mark.parametrize("members", [5, 200])
def test_the_feed_costs_the_same_queries_whatever_its_size(
    client, program, series, mentor, members, django_assert_num_queries,
):
    for weeks in range(1, 13):
        m = MeetingFactory(series=series, starts_at=timezone.now() + dt.timedelta(weeks=weeks), with_reading=True)
        AgendaItemFactory(meeting=m)
    for _ in range(members):
        make_member(program, Membership.Role.MENTOR)
    token = services.calendar_feed_regenerate(user=mentor).token
    # the token, the person's programs, the meetings (with their readings), their agendas
    with django_assert_num_queries(4):
        response = client.get(reverse("community:feed", args=[token]))
    assert len(vobject.readOne(response.content.decode()).vevent_list) == 12


# RFC 5546's required properties of a VEVENT, per METHOD (§3.2.1 PUBLISH, §3.2.2 REQUEST, §3.2.5 CANCEL).
REQUIRED = {
    "PUBLISH": {"DTSTAMP", "DTSTART", "ORGANIZER", "SUMMARY", "UID"},
    "REQUEST": {"ATTENDEE", "DTSTAMP", "DTSTART", "ORGANIZER", "SUMMARY", "UID"},
    "CANCEL": {"ATTENDEE", "DTSTAMP", "ORGANIZER", "SEQUENCE", "UID"},
}


def assert_valid_itip(body: bytes) -> icalendar.Event:
    """Both parsers read it, and it carries what RFC 5546 requires for its METHOD."""
    cal = icalendar.Calendar.from_ical(body)
    assert {"PRODID", "VERSION", "METHOD"} <= set(cal)
    method = str(cal["METHOD"])
    [event] = cal.walk("VEVENT")
    missing = REQUIRED[method] - set(event)
    assert not missing, f"{method} lacks {missing}"
    parsed = vobject.readOne(body.decode())
    assert parsed.method.value == method and parsed.vevent.uid.value == str(event["UID"])
    assert parsed.vevent.organizer.value.lower().startswith("mailto:")
    return event


def test_every_download_names_the_program_as_organizer_at_its_reply_address(client, program, mentor, meeting):
    program.calendar_reply_email = "mentoring-rsvp@med.example.edu"
    program.save()
    client.force_login(mentor)
    event = assert_valid_itip(client.get(reverse("community:meeting_ics", args=[meeting.pk])).content)
    assert str(event["ORGANIZER"]) == "mailto:mentoring-rsvp@med.example.edu"
    assert event["ORGANIZER"].params["CN"] == program.community_name


def test_without_a_program_address_the_organizer_is_the_setting_then_the_sender(client, mentor, meeting, settings):
    client.force_login(mentor)
    url = reverse("community:meeting_ics", args=[meeting.pk])
    assert str(assert_valid_itip(client.get(url).content)["ORGANIZER"]) == "mailto:noreply@example.org"
    settings.CALENDAR_REPLY_EMAIL = "calendar@med.example.edu"
    assert str(assert_valid_itip(client.get(url).content)["ORGANIZER"]) == "mailto:calendar@med.example.edu"


def test_a_cancelled_meetings_download_names_its_organizer_and_the_attendee(client, mentor, meeting):
    services.meeting_cancel(meeting=meeting)
    client.force_login(mentor)
    event = assert_valid_itip(client.get(reverse("community:meeting_ics", args=[meeting.pk])).content)
    assert str(event["ATTENDEE"]) == f"mailto:{mentor.email}"
    assert event["STATUS"] == "CANCELLED"


def test_the_feeds_events_have_an_organizer(client, mentor, meeting):
    client.force_login(mentor)
    client.post(reverse("community:feed_regenerate"))
    feed = CalendarFeed.objects.get(user=mentor)
    body = client.get(reverse("community:feed", args=[feed.token])).content
    for event in icalendar.Calendar.from_ical(body).walk("VEVENT"):
        assert str(event["ORGANIZER"]).startswith("mailto:")
    assert all(e.organizer for e in vobject.readOne(body.decode()).vevent_list)
