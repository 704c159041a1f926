"""Headers every automatic email carries: a Message-ID on the site's own domain that stays the
same across attempts, ``Auto-Submitted: auto-generated`` (RFC 3834), and on reminders and
nudges a signed one-click ``List-Unsubscribe`` (RFC 2369, RFC 8058)."""

from __future__ import annotations

import itertools
import os
import secrets
from email._policybase import Compat32
from functools import cache
from urllib.parse import urlsplit

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage
from django.urls import reverse

from mentorprogram.models import OutboundEmail

UNSUBSCRIBE_SALT = "mentorprogram.unsubscribe"
TOPICS = {"reminders": "reminders_opt_out", "nudges": "nudges_opt_out"}
"""What an unsubscribe link can turn off → the person's field that turns it off."""


def site_domain() -> str:
    return urlsplit(settings.SITE_URL).hostname or "localhost"


def message_id(email: OutboundEmail) -> str:
    return email.message_id or f"<{email.kind}.{email.pk}@{site_domain()}>"


def unsubscribe_token(*, user_id: int, topic: str) -> str:
    # Not compressed: zlib costs more than the few bytes it would save. Links made compressed
    # before are read all the same (signing.loads knows both).
    return signing.dumps({"u": user_id, "t": topic}, salt=UNSUBSCRIBE_SALT)


def read_unsubscribe_token(token: str) -> tuple[int, str] | None:
    """(user id, topic) of a genuine link, else None. The links do not expire: RFC 8058 asks that
    they keep working, and all they can do is turn emails off."""
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("t") not in TOPICS or not isinstance(data.get("u"), int):
        return None
    return data["u"], data["t"]


_TOKEN_MARK = "Zq7TokenZq7"  # noqa: S105 (a stand-in, not a secret)


@cache
def _unsubscribe_pattern(site_url: str) -> str:
    return site_url + reverse("unsubscribe", args=[_TOKEN_MARK])


def unsubscribe_url(*, user_id: int, topic: str) -> str:
    # The path is resolved once; only the token differs from one person to the next.
    return _unsubscribe_pattern(settings.SITE_URL).replace(_TOKEN_MARK, unsubscribe_token(user_id=user_id, topic=topic))


class SerialisingPolicy(Compat32):
    """compat32, the policy of Django's messages, with short cuts for the common headers — an
    ASCII value on one line that needs no folding is written as it is, and one too long for its
    line with nowhere to fold it (no space, comma or semicolon: a List-Unsubscribe link, a
    Message-ID) goes whole onto a line of its own — exactly what compat32 writes for them
    (``tests/outbox/test_outbox.py`` compares the two), without building an
    ``email.header.Header`` for each of a message's two dozen headers, which was a third of
    the cost of serialising a reminder."""

    def _fold(self, name, value, sanitize):
        if isinstance(value, str) and value.isascii() and "\r" not in value and "\n" not in value \
                and self.max_line_length:
            if len(name) + 2 + len(value) <= self.max_line_length:
                return f"{name}: {value}{self.linesep}"
            if value.isprintable() and " " not in value and ";" not in value and "," not in value:
                return f"{name}: {self.linesep} {value}{self.linesep}"
        return super()._fold(name, value, sanitize)


SERIALISING_POLICY = SerialisingPolicy()
_BOUNDARY_SALT = secrets.token_hex(4)
_boundary_numbers = itertools.count()


def _prepare_serialising(message: EmailMessage) -> None:
    """Give the message's multipart parts their boundaries as it is serialised, instead of letting
    the email package draw random ones and search the whole text for each. Unique to the process
    and the message, and in a form its text never holds (base64 and quoted-printable have no
    "=_"); drawn without asking the system for randomness per message, which is slow on some
    hosts. The message is written with ``SERIALISING_POLICY``."""
    build = message.message

    def message_prepared():
        mime = build()
        mime.policy = SERIALISING_POLICY  # the generator writes every part with the root's policy
        token = f"{_BOUNDARY_SALT}{os.getpid():x}_{next(_boundary_numbers)}"
        for i, part in enumerate(mime.walk()):
            if part.is_multipart():
                part.set_boundary(f"=_ob{token}_{i}")
        return mime

    message.message = message_prepared


def finish(message: EmailMessage, email: OutboundEmail, *, unsubscribe: str | None) -> EmailMessage:
    """Add the outbox's headers to a composed message."""
    _prepare_serialising(message)
    message.extra_headers["Message-ID"] = message_id(email)
    message.extra_headers["Auto-Submitted"] = "auto-generated"
    if unsubscribe and email.user_id:
        message.extra_headers["List-Unsubscribe"] = f"<{unsubscribe_url(user_id=email.user_id, topic=unsubscribe)}>"
        message.extra_headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    if not message.from_email or message.from_email == settings.DEFAULT_FROM_EMAIL:
        message.from_email = settings.DEFAULT_FROM_EMAIL
    return message
