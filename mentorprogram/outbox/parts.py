"""MIME parts whose headers many messages share: built once, copied per message.

Django builds every part of every message from scratch — a ``SafeMIMEText`` looks for long lines,
encodes the text, sets its Content-Type, MIME-Version and Content-Transfer-Encoding — and the
email package then writes each header of each part anew. Yet a text part's headers depend only on
its subtype and its transfer encoding, and a reminder's calendar part's only on the meeting, so
5,000 reminders carry the same few part headers. A ``SharedPart`` holds one part built the
ordinary way and its headers written once; each message gets a copy with its own payload, which
the outbox's generator (``serialise``) writes without going over those headers again. The bytes
are those Django's own message would have (tests/outbox/test_parts.py compares them); a copy
whose headers were changed afterwards is written the ordinary way.

``OutboxEmail`` is an ``EmailMultiAlternatives`` whose text parts are such copies. Backends that
read ``body``, ``alternatives``, ``attachments`` and ``extra_headers`` see an ordinary message."""

from __future__ import annotations

import copy
from email._policybase import Compat32
from email.generator import NLCRE, BytesGenerator
from email.message import Message
from functools import lru_cache
from io import BytesIO

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.message import (
    DNS_NAME,
    RFC5322_EMAIL_LINE_LENGTH_LIMIT,
    SafeMIMEText,
    forbid_multi_line_headers,
    formatdate,
    make_msgid,
)


class SharedPart:
    """One part's headers, shared by the copies that carry each message's own payload."""

    def __init__(self, template: Message):
        self.template = copy.copy(template)
        self.template._headers = list(template._headers)
        self._written: dict[tuple, bytes] = {}

    def copy(self, payload: str) -> Message:
        part = copy.copy(self.template)
        part._headers = list(self.template._headers)
        part.defects = []
        part._payload = payload
        part._shared = self
        return part

    def headers_written(self, policy) -> bytes:
        """The headers as ``BytesGenerator`` writes them under this policy, blank line included."""
        key = (type(policy), policy.linesep, policy.max_line_length)
        if key not in self._written:
            lines = [policy.fold_binary(name, value) for name, value in self.template.raw_items()]
            self._written[key] = b"".join(lines) + policy.linesep.encode()
        return self._written[key]


class SharedText:
    """The text parts of one subtype ("plain", "html") in UTF-8: one ``SharedPart`` per transfer
    encoding, taken from the first part Django builds with it. Text that Django would send
    quoted-printable (a line over 998 octets) is always built by Django."""

    def __init__(self, subtype: str):
        self.subtype = subtype
        self._by_encoding: dict[str, SharedPart] = {}

    def part(self, text: str) -> Message:
        data = text.encode()
        encoding = "quoted-printable" if _has_long_lines(text, data) else "7bit" if data.isascii() else "8bit"
        shared = self._by_encoding.get(encoding)
        if shared is not None:
            # What MIMEText.set_payload stores for UTF-8 text with no transfer encoding.
            return shared.copy(data.decode("ascii", "surrogateescape"))
        part = SafeMIMEText(text, self.subtype, "utf-8")
        if encoding != "quoted-printable" and part["Content-Transfer-Encoding"] == encoding:
            self._by_encoding[encoding] = SharedPart(part)
        return part


def _has_long_lines(text: str, data: bytes) -> bool:
    """Django's test for quoted-printable (SafeMIMEText.set_payload); a line of the encoded text
    is at least as long as any of Django's lines within it, so short ones settle it at once."""
    if max(map(len, data.splitlines()), default=0) <= RFC5322_EMAIL_LINE_LENGTH_LIMIT:
        return False
    return any(len(line.encode(errors="surrogateescape")) > RFC5322_EMAIL_LINE_LENGTH_LIMIT
               for line in text.splitlines())


TEXT = {"plain": SharedText("plain"), "html": SharedText("html")}
"""Shared by every message of the process: a text part's headers depend on nothing else."""


class OutboxEmail(EmailMultiAlternatives):
    """An EmailMultiAlternatives whose text body and text alternatives are copies of shared parts
    (``TEXT``). Anything but UTF-8 is built by Django as usual."""

    def _shared_text(self, content, mimetype: str) -> Message | None:
        basetype, _, subtype = mimetype.partition("/")
        if basetype != "text" or subtype not in TEXT or not isinstance(content, str) or self._charset() != "utf-8":
            return None
        return TEXT[subtype].part(content)

    def _charset(self) -> str:
        return self.encoding or settings.DEFAULT_CHARSET

    def _create_mime_attachment(self, content, mimetype):
        return self._shared_text(content, mimetype) or super()._create_mime_attachment(content, mimetype)

    def message(self):
        msg = self._shared_text(self.body, f"text/{self.content_subtype}")
        if msg is None:
            return super().message()
        msg = self._create_message(msg)
        # From here on as Django's EmailMessage.message(), which builds the body's part itself;
        # the headers many messages share are checked and encoded once (_checked).
        _set_shared(msg, "Subject", self.subject)
        _set_shared(msg, "From", self.extra_headers.get("From", self.from_email))
        self._set_list_header_if_not_empty(msg, "To", self.to)
        self._set_list_header_if_not_empty(msg, "Cc", self.cc)
        if "Reply-To" not in self.extra_headers and self.reply_to:
            _set_shared(msg, "Reply-To", ", ".join(str(v) for v in self.reply_to))
        else:
            self._set_list_header_if_not_empty(msg, "Reply-To", self.reply_to)
        header_names = [key.lower() for key in self.extra_headers]
        if "date" not in header_names:
            msg["Date"] = formatdate(localtime=settings.EMAIL_USE_LOCALTIME)
        if "message-id" not in header_names:
            msg["Message-ID"] = make_msgid(domain=DNS_NAME)
        for name, value in self.extra_headers.items():
            if name.lower() not in {"from", "to", "cc", "reply-to"}:
                msg[name] = value
        return msg


_checked = lru_cache(maxsize=256)(forbid_multi_line_headers)
"""Django's check and encoding of a header value (a subject's, the sender's): the same for every
recipient of a meeting, and the subject's encoding was half the cost of building a message."""


def _set_shared(msg: Message, name: str, value) -> None:
    """``msg[name] = value`` as Django's Safe MIME classes set it, with the value checked once."""
    name, value = _checked(name, str(value), msg.encoding)
    Message.__setitem__(msg, name, value)


class _Generator(BytesGenerator):
    """``BytesGenerator`` that writes a shared part's copy as its headers, written once, and its
    payload — exactly what the generator itself would write for it."""

    def _write(self, msg):
        shared = getattr(msg, "_shared", None)
        if (shared is None or self._mangle_from_ or not isinstance(self.policy, Compat32)
                or self.policy.cte_type != "8bit" or not isinstance(msg._payload, str)
                or msg._headers != shared.template._headers):
            return super()._write(msg)
        self._fp.write(shared.headers_written(self.policy))
        # What _write_lines makes of the payload's line ends.
        payload = msg._payload
        payload = payload.replace("\n", self._NL) if "\r" not in payload else NLCRE.sub(self._NL, payload)
        self._fp.write(payload.encode("ascii", "surrogateescape"))


def serialise(message: Message, *, linesep: str = "\r\n") -> bytes:
    """The message's bytes, as ``message.as_bytes(linesep=linesep)`` writes them for Django's
    messages."""
    out = BytesIO()
    _Generator(out, mangle_from_=False).flatten(message, linesep=linesep)
    return out.getvalue()
