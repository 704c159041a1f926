"""iCalendar output for meetings: one meeting's invitation and a person's subscription feed.

The UID is stable for the life of a meeting (moves included) and SEQUENCE counts changes of
time, place and status, so calendar clients update the event they already hold."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from email.utils import parseaddr

import icalendar
from django.conf import settings

from .models import Meeting

PRODID = "-//mentorprogram//Mentor Community//EN"
UID_DOMAIN = "mentorprogram"


def meeting_uid(meeting: Meeting) -> str:
    return f"meeting-{meeting.uid}@{UID_DOMAIN}"


def meeting_summary(meeting: Meeting) -> str:
    return f"{meeting.series.program.community_name}: {meeting.series.title}"


def meeting_description(meeting: Meeting, agenda: Iterable, url: str | None) -> str:
    lines = []
    items = list(agenda)
    if items:
        lines.append("Agenda:")
        lines += [f"- {item}" for item in items]
    if meeting.presenter_id:
        lines.append(f"Presenter: {meeting.presenter}")
    if meeting.reading_id:
        reading = meeting.reading
        lines.append(f"Reading: {reading.title}" + (f" ({reading.url})" if reading.url else ""))
    if meeting.video_url:
        lines.append(f"Video link: {meeting.video_url}")
    if url:
        lines.append(f"Details and RSVP: {url}")
    return "\n".join(lines)


def organizer_email(program) -> str:
    """Where calendar clients send Accept and Decline replies: the program's reply address, else
    the CALENDAR_REPLY_EMAIL setting, else the sender address."""
    return (program.calendar_reply_email or settings.CALENDAR_REPLY_EMAIL
            or parseaddr(settings.DEFAULT_FROM_EMAIL)[1])


def meeting_organizer(meeting: Meeting) -> icalendar.vCalAddress:
    """The ORGANIZER every calendar part carries (RFC 5546 requires it for PUBLISH, REQUEST and
    CANCEL): the program, by its community's name, at its reply address."""
    program = meeting.series.program
    organizer = icalendar.vCalAddress(f"mailto:{organizer_email(program)}")
    organizer.params["cn"] = icalendar.vText(program.community_name or program.name)
    return organizer


def attendee(*, email: str, name: str) -> icalendar.vCalAddress:
    address = icalendar.vCalAddress(f"mailto:{email}")
    address.params.update({"cn": icalendar.vText(name or email), "role": "REQ-PARTICIPANT",
                           "partstat": "NEEDS-ACTION", "rsvp": "FALSE"})
    return address


def meeting_event(meeting: Meeting, *, agenda: Iterable = (), url: str | None = None) -> icalendar.Event:
    event = icalendar.Event()
    event.add("uid", meeting_uid(meeting))
    event.add("dtstamp", meeting.updated_at)
    event.add("last-modified", meeting.updated_at)
    event.add("dtstart", meeting.starts_at)
    event.add("dtend", meeting.ends_at)
    event.add("sequence", meeting.sequence)
    event.add("summary", meeting_summary(meeting))
    event.add("status", "CANCELLED" if meeting.status == Meeting.Status.CANCELLED else "CONFIRMED")
    location = meeting.place or meeting.video_url
    if location:
        event.add("location", location)
    if url:
        event.add("url", url)
    description = meeting_description(meeting, agenda, url)
    if description:
        event.add("description", description)
    event.add("organizer", meeting_organizer(meeting))
    return event


def _calendar(method: str, name: str | None = None) -> icalendar.Calendar:
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", method)
    if name:
        cal.add("x-wr-calname", name)
    return cal


def meeting_calendar(meeting: Meeting, *, agenda: Iterable = (), url: str | None = None, user=None) -> bytes:
    """One meeting as an .ics file: PUBLISH, or once cancelled METHOD:CANCEL naming ``user`` as
    the attendee it is cancelled for (RFC 5546 §3.2.5 requires ORGANIZER and ATTENDEE there)."""
    cancelled = meeting.status == Meeting.Status.CANCELLED and user is not None
    cal = _calendar("CANCEL" if cancelled else "PUBLISH")
    event = meeting_event(meeting, agenda=agenda, url=url)
    if cancelled:
        event.add("attendee", attendee(email=user.email, name=str(user)))
    cal.add_component(event)
    return cal.to_ical()


def feed_calendar(meetings: Iterable[Meeting], *, url_for: Callable[[Meeting], str]) -> bytes:
    """A subscription feed: every meeting, cancelled ones marked STATUS:CANCELLED."""
    cal = _calendar("PUBLISH", name=f"{settings.SITE_NAME} meetings")
    for meeting in meetings:
        cal.add_component(meeting_event(meeting, agenda=meeting.agenda_items.all(), url=url_for(meeting)))
    return cal.to_ical()
