"""Parts whose headers many messages share (mentorprogram/outbox/parts.py): the bytes must be
those of Django's own EmailMultiAlternatives with the same content, whatever the text."""

from __future__ import annotations

from email import message_from_bytes
from email.mime.text import MIMEText

import pytest
from django.core.mail import EmailMultiAlternatives

from mentorprogram.outbox.headers import SERIALISING_POLICY
from mentorprogram.outbox.parts import OutboxEmail, SharedPart, serialise

TEXTS = [
    "Hello Dr. Okafor,\n\nThe circle meets tomorrow at noon.\n",
    "Bonjour José Núñez,\n\nLa réunion – demain à midi.\n",
    "A line of its own: " + "x" * 1200 + "\nand a short one\n",  # quoted-printable, as Django sends it
    "Old Mac line ends\rand Windows ones\r\nand a last line without one",
    "",
]


def pair(text: str, html: str, **kwargs) -> tuple[OutboxEmail, EmailMultiAlternatives]:
    def build(cls):
        message = cls(subject=kwargs.get("subject", "Reminder: the circle meets Monday"), body=text,
                      from_email="Mentoring <noreply@example.org>", to=["Dr. A <a@example.org>"],
                      reply_to=kwargs.get("reply_to", ["circle@example.org"]),
                      headers={"Date": "Tue, 01 Dec 2026 11:00:00 -0000", "Message-ID": "<m.1@example.org>",
                               **kwargs.get("headers", {})})
        message.attach_alternative(html, "text/html")
        calendar = MIMEText("BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "calendar", "utf-8")
        message.attach(SharedPart(calendar).copy(calendar.get_payload()))
        return message
    return build(OutboxEmail), build(EmailMultiAlternatives)


def written(ours, reference) -> tuple[bytes, bytes]:
    mine, theirs = ours.message(), reference.message()
    for a, b in zip(mine.walk(), theirs.walk(), strict=True):
        if a.is_multipart():
            boundary = f"=_ob{id(a)}"
            a.set_boundary(boundary)
            b.set_boundary(boundary)
    mine.policy = SERIALISING_POLICY
    return serialise(mine), theirs.as_bytes(linesep="\r\n")


@pytest.mark.parametrize("text", TEXTS)
@pytest.mark.parametrize("html", ["<p>Hello Dr. Okafor</p>\n", "<p>Café – José</p>\n", "<p>" + "y" * 1100 + "</p>"])
def test_a_message_of_shared_parts_is_written_as_django_writes_its_own(text, html):
    for _ in range(2):  # the first builds the shared part, the second copies it
        mine, theirs = written(*pair(text, html))
        assert mine == theirs
    if text:  # Django leaves an empty body out
        body = message_from_bytes(mine).get_payload()[0].get_payload()[0].get_payload(decode=True)
        assert body.splitlines() == text.encode().splitlines()


@pytest.mark.parametrize("kwargs", [
    {"subject": "Réunion : le cercle se réunit lundi"},
    {"subject": "A subject long enough to be folded by the email package, " * 3},
    {"reply_to": []},
    {"headers": {"Reply-To": "other@example.org"}},
    {"headers": {"From": "Someone Else <else@example.org>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}},
])
def test_the_headers_it_checks_once_are_the_ones_django_writes(kwargs):
    for _ in range(2):
        mine, theirs = written(*pair(TEXTS[0], "<p>Hi</p>", **kwargs))
        assert mine == theirs


def test_a_subject_with_a_line_break_is_refused_as_django_refuses_it():
    from django.core.mail import BadHeaderError

    ours, _ = pair(TEXTS[0], "<p>Hi</p>", subject="Hi\nBcc: someone@example.org")
    with pytest.raises(BadHeaderError):
        ours.message()


def test_a_copy_whose_headers_were_changed_is_written_with_its_own():
    ours, reference = pair(TEXTS[0], "<p>Hi</p>")
    first, _ = written(ours, reference)
    message = ours.message()
    text_part = message.get_payload()[0].get_payload()[0]
    text_part["X-Changed"] = "yes"
    assert b"X-Changed: yes" in serialise(message)
    assert b"X-Changed" not in first


def test_messages_in_another_charset_are_built_by_django():
    ours, reference = pair("Grüße\n", "<p>Grüße</p>")
    ours.encoding = reference.encoding = "iso-8859-1"
    mine, theirs = written(ours, reference)
    assert mine == theirs and b'charset="iso-8859-1"' in mine
