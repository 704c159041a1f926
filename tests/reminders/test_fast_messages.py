"""The worker's fast path: each message cut from what its recipients share must be the message
the reference rendering (Django's EmailMessage, as the SMTP backend serialises it) would
send — apart from the MIME boundaries and the second the Date was taken."""

from __future__ import annotations

import email
import re

import pytest
from django.core.mail.message import sanitize_address
from hypothesis import given, settings
from hypothesis import strategies as st
from icalendar.parser import Contentline, Parameters

from mentorprogram.models import Membership
from reminders import services, tokens
from reminders.emails import MeetingMail, attendee_line
from reminders.models import ReminderDelivery
from tests.factories import make_member

from .conftest import at

pytestmark = pytest.mark.django_db

Kind = ReminderDelivery.Kind


def normalised(data: bytes) -> bytes:
    """The message with its boundaries numbered in order, its Date blanked and each signed
    RSVP token replaced by the meeting and person it names (a token signed a second later
    carries another timestamp)."""
    for i, boundary in enumerate(dict.fromkeys(re.findall(rb'boundary="([^"]+)"', data))):
        data = data.replace(boundary, b"BOUNDARY-%d" % i)
    data = re.sub(rb"/reminders/rsvp/([^/]+)/",
                  lambda m: b"/reminders/rsvp/%d.%d/" % tokens.read_rsvp_token(m.group(1).decode()), data)
    return re.sub(rb"^Date: [^\r\n]*", b"Date: -", data, flags=re.MULTILINE)


def reference_bytes(mail: MeetingMail, delivery: ReminderDelivery) -> bytes:
    return mail.message(delivery).message().as_bytes(linesep="\r\n")


@pytest.fixture
def deliveries(people, meeting, program):
    """One reminder each for people in Los Angeles, London and Tokyo, one with an accented
    name, and two the fast path hands to the reference rendering: a name with a control
    character and an address with a non-ASCII domain."""
    people[2].time_zone = "Europe/London"
    people[2].save()
    make_member(program, Membership.Role.MENTOR, email="zoe@example.org", display_name="Zoë Ångström-Núñez",
                time_zone="Asia/Tokyo")
    make_member(program, Membership.Role.MENTOR, email="tab@example.org", display_name="Dr.\tTab")
    make_member(program, Membership.Role.MENTOR, email="ines@médecine.example.org", display_name="Inés")
    Membership.objects.filter(program=program).update(joined_on=at(30).date())
    services.reminders_dispatch(now=at(1))
    return list(ReminderDelivery.objects.select_related("user", "meeting__series__program", "meeting__presenter")
                .order_by("pk"))


def mail_for(meeting, kind: str) -> MeetingMail:
    return MeetingMail(meeting=meeting, kind=kind, agenda=list(meeting.agenda_items.select_related("topic")))


@pytest.mark.parametrize("kind", [Kind.REMINDER, Kind.UPDATE, Kind.CANCELLATION])
def test_each_message_is_the_reference_message_for_its_own_recipient(deliveries, meeting, kind):
    assert len(deliveries) == 6
    mail = mail_for(meeting, kind)
    for delivery in deliveries:
        recipient, data = mail.raw(delivery)
        assert normalised(data) == normalised(reference_bytes(mail, delivery)), delivery.user.email
        assert recipient == sanitize_address(delivery.user.email, "utf-8")


def test_each_recipient_gets_their_zone_their_token_their_attendee_line_and_their_message_id(deliveries, meeting):
    mail = mail_for(meeting, Kind.REMINDER)
    subjects, message_ids = {}, set()
    for delivery in deliveries:
        user = delivery.user
        message = email.message_from_bytes(mail.raw(delivery)[1])
        subjects[user.email] = " ".join(str(email.header.make_header(email.header.decode_header(message["Subject"])))
                                        .split())
        message_ids.add(message["Message-ID"])
        parts = {p.get_content_type(): p for p in message.walk()}
        text = parts["text/plain"].get_payload(decode=True).decode()
        html = parts["text/html"].get_payload(decode=True).decode()
        [token] = set(re.findall(r"/reminders/rsvp/([^/]+)/yes/", text))
        assert tokens.read_rsvp_token(token) == (meeting.pk, user.pk)
        assert f"/reminders/rsvp/{token}/yes/" in html
        assert f"Hello {user}," in text
        invitation = parts["text/calendar"].get_payload(decode=True).decode().replace("\r\n ", "")
        assert f"mailto:{user.email}" in invitation.split("ATTENDEE", 1)[1].split("\r\n", 1)[0]
    assert len(message_ids) == len(deliveries)
    assert subjects["mentor@example.org"].endswith("Monday, March 9 at 12:00 PM PDT")
    assert subjects["other.mentor@example.org"].endswith("Monday, March 9 at 7:00 PM GMT")
    assert subjects["zoe@example.org"].endswith("Tuesday, March 10 at 4:00 AM JST")


def test_an_accented_name_turns_a_plain_ascii_part_into_8bit_like_the_reference(deliveries, meeting):
    mail = mail_for(meeting, Kind.REMINDER)

    def text_part(address):
        [delivery] = [d for d in deliveries if d.user.email == address]
        message = email.message_from_bytes(mail.raw(delivery)[1])
        return next(p for p in message.walk() if p.get_content_type() == "text/plain")

    assert text_part("mentor@example.org")["Content-Transfer-Encoding"] == "7bit"
    zoe = text_part("zoe@example.org")
    assert zoe["Content-Transfer-Encoding"] == "8bit"
    assert "Hello Zoë Ångström-Núñez," in zoe.get_payload(decode=True).decode()


@settings(max_examples=300, deadline=None)
@given(
    name=st.text(alphabet=st.sampled_from("abcXYZ019 .'@_+-^\\\",;:’éü\t"), max_size=120),
    local=st.text(alphabet=st.sampled_from("abcz019._+-^'"), min_size=1, max_size=50),
)
def test_the_attendee_line_is_what_icalendar_writes(name, local):
    address = f"{local}@medicine.example.org"
    params = Parameters({"CN": name or address, "ROLE": "REQ-PARTICIPANT", "PARTSTAT": "NEEDS-ACTION",
                         "RSVP": "FALSE"})
    assert attendee_line(email=address, name=name) == Contentline.from_parts(
        "ATTENDEE", params, f"mailto:{address}").to_ical()
