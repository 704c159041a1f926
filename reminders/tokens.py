"""Signed, expiring RSVP links. The token names a meeting and a person; it is the only
credential the confirm page needs, so it is signed with the site's secret and expires."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core import signing

SALT = "reminders.rsvp"


class InvalidToken(Exception):
    """Tampered, malformed or signed with another key."""


class ExpiredToken(Exception):
    """Genuine but older than REMINDERS_RSVP_LINK_DAYS."""

    def __init__(self, meeting_id: int | None = None):
        super().__init__(meeting_id)
        self.meeting_id = meeting_id


def _signer() -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=SALT)


def rsvp_signer() -> signing.TimestampSigner:
    """The signer of RSVP tokens, for callers that sign many at once."""
    return _signer()


def rsvp_token(*, meeting_id: int, user_id: int, signer: signing.TimestampSigner | None = None) -> str:
    return (signer or _signer()).sign(f"{meeting_id}.{user_id}")


def read_rsvp_token(token: str) -> tuple[int, int]:
    """(meeting id, user id) of a genuine token younger than the link lifetime."""
    max_age = dt.timedelta(days=settings.REMINDERS_RSVP_LINK_DAYS)
    try:
        value = _signer().unsign(token, max_age=max_age)
    except signing.SignatureExpired:
        meeting_id = _signer().unsign(token).split(".")[0]
        raise ExpiredToken(int(meeting_id) if meeting_id.isdigit() else None) from None
    except signing.BadSignature:
        raise InvalidToken from None
    try:
        meeting_id, user_id = (int(part) for part in value.split("."))
    except ValueError:
        raise InvalidToken from None
    return meeting_id, user_id
