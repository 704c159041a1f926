"""Django's SMTP backend, told one more thing per message: whether the whole message had been
handed to the server when a failure came.

A connection that breaks, or a server that stays silent past EMAIL_TIMEOUT, *after* the message
and its closing dot went out most likely delivered it (the answer was late, not negative); the
outbox counts such a message as sent rather than sending it twice. Everything else — the SMTP
conversation, TLS, authentication — is Django's and smtplib's own. ``EMAIL_URL=smtp://…`` uses
this backend (settings)."""

from __future__ import annotations

import smtplib

from django.core.mail.backends import smtp


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
        if self.connection is not None:
            self.connection.content_handed_over = False
            self.connection.before_content = self.before_content
        return super()._send(email_message)

    @property
    def content_handed_over(self) -> bool:
        """Whether the last message's content went out in full (its answer is what failed)."""
        return bool(self.connection is not None and self.connection.content_handed_over)
