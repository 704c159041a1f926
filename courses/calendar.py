"""One catalog session as an .ics file, so each part of a series or an event day can be put in
a calendar on its own. The UID is stable for the session, so a second download updates it."""

from __future__ import annotations

import icalendar
from django.utils import timezone

from .models import CourseSession

PRODID = "-//mentorprogram//Training catalog//EN"
UID_DOMAIN = "mentorprogram"


def session_uid(session: CourseSession) -> str:
    return f"course-session-{session.pk}@{UID_DOMAIN}"


def session_calendar(session: CourseSession, *, url: str) -> bytes:
    course = session.course
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("method", "PUBLISH")
    event = icalendar.Event()
    event.add("uid", session_uid(session))
    event.add("dtstamp", timezone.now())
    event.add("dtstart", session.starts_at)
    event.add("dtend", session.ends_at)
    event.add("summary", f"{course.title}: {session.label}")
    location = session.location or session.url
    if location:
        event.add("location", location)
    event.add("url", session.url or url)
    lines = [course.provider] if course.provider else []
    if session.url:
        lines.append(f"Registration or joining link: {session.url}")
    lines.append(f"In the catalog: {url}")
    event.add("description", "\n".join(lines))
    cal.add_component(event)
    return cal.to_ical()
