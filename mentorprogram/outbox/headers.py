"""Headers every automatic email carries: a Message-ID on the site's own domain that stays the
same across attempts, ``Auto-Submitted: auto-generated`` (RFC 3834), and on reminders and
nudges a signed one-click ``List-Unsubscribe`` (RFC 2369, RFC 8058)."""

from __future__ import annotations

import secrets
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
    return signing.dumps({"u": user_id, "t": topic}, salt=UNSUBSCRIBE_SALT, compress=True)


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


def unsubscribe_url(*, user_id: int, topic: str) -> str:
    return settings.SITE_URL + reverse("unsubscribe", args=[unsubscribe_token(user_id=user_id, topic=topic)])


def _with_boundaries(message: EmailMessage) -> None:
    """Give the message's multipart parts their boundaries as it is serialised, instead of letting
    the email package draw random ones and search the whole text for each (a third of the cost of
    serialising a reminder). Random too, and long enough never to occur in the text."""
    build = message.message

    def message_with_boundaries():
        mime = build()
        token = secrets.token_hex(12)
        for i, part in enumerate(mime.walk()):
            if part.is_multipart():
                part.set_boundary(f"=_outbox_{token}_{i}")
        return mime

    message.message = message_with_boundaries


def finish(message: EmailMessage, email: OutboundEmail, *, unsubscribe: str | None) -> EmailMessage:
    """Add the outbox's headers to a composed message."""
    _with_boundaries(message)
    message.extra_headers["Message-ID"] = message_id(email)
    message.extra_headers["Auto-Submitted"] = "auto-generated"
    if unsubscribe and email.user_id:
        message.extra_headers["List-Unsubscribe"] = f"<{unsubscribe_url(user_id=email.user_id, topic=unsubscribe)}>"
        message.extra_headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    if not message.from_email or message.from_email == settings.DEFAULT_FROM_EMAIL:
        message.from_email = settings.DEFAULT_FROM_EMAIL
    return message
