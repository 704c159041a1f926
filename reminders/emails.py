"""The reminder, change and cancellation emails: text, HTML and an iCalendar invitation.

Everything the recipients of one meeting share is built once per meeting (and per time zone
for the rendered bodies); each message then only fills in the person's name, their signed
RSVP link and their ATTENDEE line, and its MIME parts are copies of shared ones whose headers
were built once (mentorprogram/outbox/parts.py). The outbox adds the headers every automatic
email carries (Message-ID, Auto-Submitted, List-Unsubscribe) and sends it through Django's
email backend."""

from __future__ import annotations

import html
import re
import zoneinfo
from dataclasses import dataclass, field
from email import base64mime
from email.mime.text import MIMEText
from functools import cached_property

import icalendar
from django.conf import settings
from django.core import signing
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from icalendar.parser import Contentline, Parameters

from community.calendar import PRODID, meeting_event, meeting_organizer, meeting_summary
from community.models import AgendaItem, Meeting
from mentorprogram.outbox.parts import OutboxEmail, SharedPart

from . import tokens
from .models import ReminderDelivery

Kind = ReminderDelivery.Kind

TEMPLATES = {
    Kind.REMINDER: "emails/meeting_reminder",
    Kind.UPDATE: "emails/meeting_update",
    Kind.CANCELLATION: "emails/meeting_cancelled",
}
# Stand-ins rendered into the shared bodies and replaced per recipient. Letters and digits
# only, so autoescaping leaves them alone.
NAME_MARK = "Zq7RecipientNameZq7"
TOKEN_MARK = "Zq7RsvpTokenZq7"  # noqa: S105 (a stand-in, not a secret)


def effective_kind(delivery_kind: str, meeting: Meeting) -> str:
    """What to say now: a notice about a meeting that has since been cancelled is a
    cancellation; one about a cancelled meeting that was put back is a change."""
    if delivery_kind == Kind.REMINDER:
        return Kind.REMINDER
    return Kind.CANCELLATION if meeting.status == Meeting.Status.CANCELLED else Kind.UPDATE


def site_url(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def attendee_line(*, email: str, name: str) -> bytes:
    """The recipient's ATTENDEE content line, folded, exactly as icalendar writes it.

    For the common case — a name of ASCII letters, digits, spaces, dots, hyphens and
    apostrophes, an address without ``^`` — it is written directly: no escaping applies, the
    name is quoted when it holds a space or an apostrophe, and the line folds every 74
    characters. Anything else goes through icalendar."""
    cn = name or email
    if _SIMPLE_CN.fullmatch(cn) and "^" not in email:
        value = f'"{cn}"' if (" " in cn or "'" in cn) else cn
        line = f"ATTENDEE;CN={value};PARTSTAT=NEEDS-ACTION;ROLE=REQ-PARTICIPANT;RSVP=FALSE:mailto:{email}"
        return "\r\n ".join(line[i:i + _FOLD] for i in range(0, len(line), _FOLD)).encode()
    params = Parameters({"CN": cn, "ROLE": "REQ-PARTICIPANT", "PARTSTAT": "NEEDS-ACTION", "RSVP": "FALSE"})
    return Contentline.from_parts("ATTENDEE", params, f"mailto:{email}").to_ical()


_SIMPLE_CN = re.compile(r"[A-Za-z0-9 .'@_+-]+")
_FOLD = 74
"""Characters per folded line (icalendar folds ASCII text before the 75th octet)."""


@dataclass
class MeetingMail:
    """Builds the messages of one kind about one meeting."""

    meeting: Meeting
    kind: str
    agenda: list[AgendaItem]
    _bodies: dict[str, tuple[str, str, str]] = field(default_factory=dict)
    _ics: tuple[bytes, bytes] | None = None
    _signer: signing.TimestampSigner = field(default_factory=tokens.rsvp_signer)

    @property
    def method(self) -> str:
        return "CANCEL" if self.kind == Kind.CANCELLATION else "REQUEST"

    @property
    def sequence(self) -> int:
        return self.meeting.sequence

    def context(self, zone: zoneinfo.ZoneInfo) -> dict:
        meeting = self.meeting
        program = meeting.series.program
        rsvp_base = site_url(reverse("reminders:rsvp", args=[TOKEN_MARK, "yes"])).rsplit("yes/", 1)[0]
        return {
            "meeting": meeting,
            "program": program,
            "community_name": program.community_name,
            "title": meeting_summary(meeting),
            "starts": meeting.starts_at.astimezone(zone),
            "ends": meeting.ends_at.astimezone(zone),
            "zone_name": str(zone).replace("_", " "),
            "agenda": self.agenda,
            "presenter": meeting.presenter,
            "name": NAME_MARK,
            "meeting_url": site_url(reverse("community:meeting", args=[meeting.pk])),
            "profile_url": site_url(reverse("profile")),
            "rsvp_links": [(label, f"{rsvp_base}{value}/") for value, label in
                           (("yes", "Yes, I will come"), ("maybe", "Maybe"), ("no", "No, I cannot come"))],
            "site_name": settings.SITE_NAME,
        }

    def bodies(self, zone_name: str) -> tuple[str, str, str]:
        """(subject, text, html) with the recipient marks still in, rendered once per zone."""
        if zone_name not in self._bodies:
            zone = zoneinfo.ZoneInfo(zone_name)
            base = TEMPLATES[self.kind]
            context = self.context(zone)
            with timezone.override(zone):
                subject = " ".join(render_to_string(f"{base}_subject.txt", context).split())
                text = render_to_string(f"{base}.txt", context)
                body_html = render_to_string(f"{base}.html", context)
            self._bodies[zone_name] = (subject, text, body_html)
        return self._bodies[zone_name]

    def ics_parts(self) -> tuple[bytes, bytes]:
        """The invitation split where each recipient's ATTENDEE line goes."""
        if self._ics is None:
            meeting = self.meeting
            event = meeting_event(meeting, agenda=self.agenda,
                                  url=site_url(reverse("community:meeting", args=[meeting.pk])))
            cal = icalendar.Calendar()
            cal.add("prodid", PRODID)
            cal.add("version", "2.0")
            cal.add("calscale", "GREGORIAN")
            cal.add("method", self.method)
            cal.add_component(event)
            body = cal.to_ical()
            head, tail = body.split(b"END:VEVENT", 1)
            self._ics = (head, b"END:VEVENT" + tail)
        return self._ics

    def ics_for(self, *, email: str, name: str) -> bytes:
        head, tail = self.ics_parts()
        return head + attendee_line(email=email, name=name) + b"\r\n" + tail


    def message(self, delivery: ReminderDelivery) -> OutboxEmail:
        """One delivery's message."""
        user = delivery.user
        name = str(user)
        return self._message(
            zone_name=self.zone_of(user), email=user.email, name=name, name_html=html.escape(name),
            token=tokens.rsvp_token(meeting_id=self.meeting.pk, user_id=user.pk, signer=self._signer),
            ics=self.ics_for(email=user.email, name=name),
        )

    @cached_property
    def reply_to(self) -> str:
        """Replies to the email go where calendar replies go: the program's reply address (the
        same for every recipient of the meeting, so worked out once)."""
        return str(meeting_organizer(self.meeting)).removeprefix("mailto:")

    def zone_of(self, user) -> str:
        return user.time_zone or self.meeting.series.program.time_zone

    def _message(self, *, zone_name: str, email: str, name: str, name_html: str, token: str,
                 ics: bytes) -> OutboxEmail:
        subject, text, body_html = self.bodies(zone_name)
        text = text.replace(NAME_MARK, name).replace(TOKEN_MARK, token)
        body_html = body_html.replace(NAME_MARK, name_html).replace(TOKEN_MARK, token)
        message = OutboxEmail(
            subject=subject, body=text, from_email=settings.DEFAULT_FROM_EMAIL, to=[email],
            reply_to=[self.reply_to],
        )
        message.attach_alternative(body_html, "text/html")
        message.attach(self._calendar_part(ics))
        return message

    @cached_property
    def _calendar_template(self) -> SharedPart:
        """The calendar part's headers, the same for every recipient of the meeting: built once."""
        part = MIMEText("", "calendar", "utf-8")
        part.set_param("method", self.method)
        part.add_header("Content-Disposition", "attachment", filename="invite.ics")
        return SharedPart(part)

    def _calendar_part(self, ics: bytes) -> MIMEText:
        """One recipient's calendar part: the shared headers and their invitation, base64-encoded
        exactly as ``MIMEText(ics.decode(), "calendar", "utf-8")`` encodes it."""
        return self._calendar_template.copy(base64mime.body_encode(ics))


def preview(*, meeting: Meeting, delivery: ReminderDelivery) -> OutboxEmail:
    """One message, built the way the worker builds it (tests and the admin use this)."""
    kind = effective_kind(delivery.kind, meeting)
    agenda = list(meeting.agenda_items.select_related("topic"))
    return MeetingMail(meeting=meeting, kind=kind, agenda=agenda).message(delivery)
