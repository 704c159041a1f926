"""The reminder, change and cancellation emails: text, HTML and an iCalendar invitation.

Everything the recipients of one meeting share is built once per meeting (and per time zone
for the rendered bodies); each message then only fills in the person's name, their signed
RSVP link and their ATTENDEE line. That is what lets one worker send thousands of reminders a
minute over one SMTP connection."""

from __future__ import annotations

import base64
import html
import re
import time
import zoneinfo
from dataclasses import dataclass, field
from email.mime.text import MIMEText
from email.utils import formatdate, parseaddr

import icalendar
from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.core.mail.message import sanitize_address
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from icalendar.parser import Contentline, Parameters

from community.calendar import PRODID, meeting_event, meeting_summary
from community.models import AgendaItem, Meeting
from mentorprogram.mail import mail_domain

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


_last_date: tuple[float, bool, bytes] = (0.0, False, b"")


def _date_header() -> bytes:
    """The Date header Django's EmailMessage would write now (whole seconds, so it is
    formatted once a second rather than once a message)."""
    global _last_date  # noqa: PLW0603 (a one-entry cache)
    second, localtime = time.time() // 1, settings.EMAIL_USE_LOCALTIME
    if _last_date[:2] != (second, localtime):
        _last_date = (second, localtime, formatdate(second, localtime=localtime).encode())
    return _last_date[2]


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
    _cuts: dict[tuple[str, bool], _Cut] = field(default_factory=dict)
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
            organizer = icalendar.vCalAddress(f"mailto:{parseaddr(settings.DEFAULT_FROM_EMAIL)[1]}")
            organizer.params["cn"] = icalendar.vText(meeting.series.program.community_name)
            event.add("organizer", organizer)
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


    def message(self, delivery: ReminderDelivery) -> EmailMultiAlternatives:
        """The reference rendering of one delivery; :meth:`raw` must produce the same bytes."""
        user = delivery.user
        name = str(user)
        return self._message(
            zone_name=self.zone_of(user), email=user.email, name=name, name_html=html.escape(name),
            token=tokens.rsvp_token(meeting_id=self.meeting.pk, user_id=user.pk),
            message_id=self.message_id(delivery.pk), ics=self.ics_for(email=user.email, name=name),
        )

    def zone_of(self, user) -> str:
        return user.time_zone or self.meeting.series.program.time_zone

    @staticmethod
    def message_id(delivery_id: int | str) -> str:
        return f"<reminder-{delivery_id}@{mail_domain()}>"

    def _message(self, *, zone_name: str, email: str, name: str, name_html: str, token: str, message_id: str,
                 ics: bytes) -> EmailMultiAlternatives:
        subject, text, body_html = self.bodies(zone_name)
        text = text.replace(NAME_MARK, name).replace(TOKEN_MARK, token)
        body_html = body_html.replace(NAME_MARK, name_html).replace(TOKEN_MARK, token)
        message = EmailMultiAlternatives(
            subject=subject, body=text, from_email=settings.DEFAULT_FROM_EMAIL, to=[email],
            headers={"Message-ID": message_id},
        )
        message.attach_alternative(body_html, "text/html")
        part = MIMEText(ics.decode(), "calendar", "utf-8")
        part.set_param("method", self.method)
        part.add_header("Content-Disposition", "attachment", filename="invite.ics")
        message.attach(part)
        return message

    # --- the fast path: the same message as bytes, by substitution ----------------------------

    def raw(self, delivery: ReminderDelivery) -> tuple[str, bytes]:
        """(envelope recipient, message bytes) of one delivery, as Django's SMTP backend would
        put the reference :meth:`message` on the wire, apart from the MIME boundaries and the
        Date. The message is cut once per time zone into literal bytes and the places where
        the person's details go; each delivery then joins those pieces with its own values.
        Details the cut cannot carry faithfully (a non-ASCII or very long address, a name with
        control characters, a line that would grow too long) go through the reference
        rendering instead."""
        user = delivery.user
        name = str(user)
        email = user.email
        if not _fits_template(email, name):
            message = self.message(delivery).message()
            return sanitize_address(email, settings.DEFAULT_CHARSET), message.as_bytes(linesep="\r\n")
        cut = self._cut(self.zone_of(user), name.isascii())
        values = {
            "name": name.encode(),
            "name_html": html.escape(name).encode(),
            "token": tokens.rsvp_token(meeting_id=self.meeting.pk, user_id=user.pk, signer=self._signer).encode(),
            "to": email.encode(),
            "id": str(delivery.pk).encode(),
            "date": _date_header(),
        }
        if not cut.fits(values):
            return email, self.message(delivery).message().as_bytes(linesep="\r\n")
        values["ics"] = base64.encodebytes(self.ics_for(email=email, name=name)).replace(b"\n", b"\r\n")
        return email, cut.join(values)

    def _cut(self, zone_name: str, ascii_name: bool) -> _Cut:
        key = (zone_name, ascii_name)
        if key not in self._cuts:
            marks = _MARKS if ascii_name else _WIDE_MARKS
            message = self._message(
                zone_name=zone_name, email=marks["to"], name=marks["name"], name_html=marks["name_html"],
                token=marks["token"], message_id=self.message_id(marks["id"]), ics=b"-",
            ).message()
            message.replace_header("Date", marks["date"])
            calendar = next(p for p in message.walk() if p.get_content_type() == "text/calendar")
            calendar.set_payload(marks["ics"] + "\n")  # like the base64 it stands for
            self._cuts[key] = _Cut.of(message.as_bytes(linesep="\r\n"), marks)
        return self._cuts[key]


@dataclass
class _Cut:
    """A serialised message cut at the stand-ins for one person's details."""

    pieces: list[bytes | str]
    """Literal bytes, and the names of the details that go between them."""
    lines: list[tuple[int, list[str]]]
    """For each line holding a detail: its length without the details, and their names."""

    @classmethod
    def of(cls, data: bytes, marks: dict[str, str]) -> _Cut:
        by_mark = {mark.encode(): slot for slot, mark in marks.items() if slot != "ics"}
        by_mark[marks["ics"].encode() + b"\r\n"] = "ics"
        splitter = re.compile(b"(" + b"|".join(map(re.escape, by_mark)) + b")")
        pieces = [by_mark[piece] if i % 2 else piece for i, piece in enumerate(splitter.split(data))]
        lines = [(len(splitter.sub(b"", line)), [by_mark[m] for m in splitter.findall(line)])
                 for line in data.split(b"\r\n") if splitter.search(line)]
        return cls(pieces=pieces, lines=lines)

    def fits(self, values: dict[str, bytes]) -> bool:
        """Whether no line grows past the length at which the reference rendering would
        switch that part to quoted-printable."""
        return all(base + sum(len(values[slot]) for slot in slots) <= MAX_LINE for base, slots in self.lines)

    def join(self, values: dict[str, bytes]) -> bytes:
        return b"".join(values[piece] if isinstance(piece, str) else piece for piece in self.pieces)


# Stand-ins for each person's details in the cut message. The "wide" set carries a non-ASCII
# letter so that the parts holding the name get the 8-bit transfer encoding a non-ASCII name
# gets in the reference rendering.
_MARKS = {
    "name": NAME_MARK, "name_html": "Zq7HtmlNameZq7", "token": TOKEN_MARK, "to": "zq7recipient@zq7.invalid",
    "id": "Zq7DeliveryIdZq7", "date": "Zq7DateZq7", "ics": "Zq7InvitationZq7",
}
_WIDE_MARKS = {**_MARKS, "name": "Zq7RecipientNam\u00e9Zq7", "name_html": "Zq7HtmlNam\u00e9Zq7"}
MAX_LINE = 998
"""Longest line (in bytes) the reference sends as it is; a longer one makes it quoted-printable."""
_PLAIN_ADDRESS = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9.-]{1,190}")


def _fits_template(email: str, name: str) -> bool:
    """Whether substitution can give exactly the reference message for these details: a plain
    ASCII address short enough never to be folded, and a printable name that cannot contain a
    MIME boundary."""
    return (len(email) <= 70 and _PLAIN_ADDRESS.fullmatch(email) is not None
            and name.isprintable() and "==" not in name)


def preview(*, meeting: Meeting, delivery: ReminderDelivery) -> EmailMultiAlternatives:
    """One message, built the way the worker builds it (tests and the admin use this)."""
    kind = effective_kind(delivery.kind, meeting)
    agenda = list(meeting.agenda_items.select_related("topic"))
    return MeetingMail(meeting=meeting, kind=kind, agenda=agenda).message(delivery)
