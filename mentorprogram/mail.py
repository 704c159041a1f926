"""What every app that sends email by itself shares: how to read a mail server's refusal, how
long to wait before the next attempt, and the domain of the Message-IDs we make.

Meeting reminders (``reminders/``) and accountability nudges (``accountability/``) follow one
policy: a 4xx answer or network trouble is tried again with exponential backoff, up to
REMINDERS_MAX_ATTEMPTS; a 5xx answer is final."""

from __future__ import annotations

import random
import smtplib
from email.utils import parseaddr

from django.conf import settings


def mail_domain() -> str:
    """The domain of our sender address, for Message-IDs that stay the same across attempts."""
    address = parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    return address.rpartition("@")[2] or "localhost"


def classify_smtp_error(exc: BaseException) -> tuple[bool, bool, str]:
    """(transient, connection unusable, description) of a failure to hand a message over.
    4xx answers and network trouble are worth retrying; 5xx answers are final."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        code, text = next(iter(exc.recipients.values()), (550, b"refused"))
        text = text.decode(errors="replace") if isinstance(text, bytes) else str(text)
        return 400 <= code < 500, False, f"The mail server refused the address: {code} {text}"
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return True, True, f"The mail server closed the connection: {exc}"
    if isinstance(exc, smtplib.SMTPResponseException):
        text = exc.smtp_error.decode(errors="replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
        return 400 <= exc.smtp_code < 500, exc.smtp_code == 421, f"The mail server answered {exc.smtp_code} {text}"
    if isinstance(exc, OSError):  # refused or reset connections, timeouts, other SMTPExceptions
        return True, True, f"Could not talk to the mail server: {exc.__class__.__name__}: {exc}"
    return False, False, f"{exc.__class__.__name__}: {exc}"


def retry_delay(attempts: int) -> float:
    """Exponential backoff: base, 2 × base, 4 × base … capped, with a little jitter."""
    delay = settings.REMINDERS_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0)
    return min(delay, settings.REMINDERS_RETRY_MAX_SECONDS) * random.uniform(1.0, 1.2)
