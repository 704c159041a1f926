"""Django's SMTP backend, told one more thing per message: whether the whole message had been
handed to the server when a failure came.

A connection that breaks, or a server that stays silent past EMAIL_TIMEOUT, *after* the message
and its closing dot went out most likely delivered it (the answer was late, not negative); the
outbox counts such a message as sent rather than sending it twice. Everything else — the SMTP
conversation, TLS, authentication — is Django's and smtplib's own. ``EMAIL_URL=smtp://…`` uses
this backend (settings)."""

from __future__ import annotations

import re
import smtplib
from functools import lru_cache

from django.conf import settings
from django.core.mail.backends import smtp
from django.core.mail.message import sanitize_address

from .parts import serialise

_sanitize = lru_cache(maxsize=64)(sanitize_address)
"""The sender's address is the same for every message of a batch: parsed once, not per message."""

_ATEXT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_BARE_ADDRESS = re.compile(rf"{_ATEXT}(?:\.{_ATEXT})*@[A-Za-z0-9-]{{1,63}}(?:\.[A-Za-z0-9-]{{1,63}})*")
"""An ASCII address with no name, of dot-atoms (RFC 5322) and a domain of letters, digits and hyphens."""


def _recipient(address, encoding: str) -> str:
    """``sanitize_address(address, encoding)``: an address of the common bare form is what it gives
    back unchanged (tests/outbox/test_outbox.py compares them), so it is not parsed per message."""
    if isinstance(address, str) and _BARE_ADDRESS.fullmatch(address):
        return address
    return sanitize_address(address, encoding)


class _Tracking:
    content_handed_over = False
    before_content = None

    def send(self, s):
        # smtplib.SMTP.data() writes the message as bytes ending in CRLF.CRLF; commands are str.
        content = isinstance(s, bytes | bytearray) and s.endswith(b"\r\n.\r\n")
        if content and self.before_content is not None:
            self.before_content()
        super().send(s)
        if content:
            self.content_handed_over = True


class _SMTP(_Tracking, smtplib.SMTP):
    pass


class _SMTP_SSL(_Tracking, smtplib.SMTP_SSL):  # noqa: N801
    pass


class EmailBackend(smtp.EmailBackend):
    before_content = None
    """Called just before a message's content goes out (after its envelope was accepted): the
    outbox makes sure the previous message's "sent" mark is written by then."""

    @property
    def connection_class(self):
        return _SMTP_SSL if self.use_ssl else _SMTP

    def _send(self, email_message) -> bool:
        """Django's own ``_send``, with the sender's address parsed once, a bare recipient's not at
        all, and the message written by the outbox's generator (the same bytes; the headers of
        shared parts written once: parts.py)."""
        if self.connection is not None:
            self.connection.content_handed_over = False
            self.connection.before_content = self.before_content
        if not email_message.recipients():
            return False
        encoding = email_message.encoding or settings.DEFAULT_CHARSET
        from_email = _sanitize(email_message.from_email, encoding)
        recipients = [_recipient(addr, encoding) for addr in email_message.recipients()]
        message = email_message.message()
        try:
            self.connection.sendmail(from_email, recipients, serialise(message))
        except smtplib.SMTPException:
            if not self.fail_silently:
                raise
            return False
        return True

    @property
    def content_handed_over(self) -> bool:
        """Whether the last message's content went out in full (its answer is what failed)."""
        return bool(self.connection is not None and self.connection.content_handed_over)
