"""What builds each kind's messages. An app registers a composer for its kind when it starts
(its AppConfig.ready); the core's own kinds are registered here.

A composer's ``prepare(emails, now)`` is called once per batch with the rows of its kind, loads
and renders what they share, and returns the function that builds one row's message — or
raises ``Skip`` when the email should no longer go out (the meeting started, the person opted
out)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from django.core.mail import EmailMessage, EmailMultiAlternatives

from mentorprogram.models import OutboundEmail


class Skip(Exception):  # noqa: N818 (a verdict, not an error)
    """The email is no longer due; the reason is shown on the row."""


@dataclass
class Composed:
    message: EmailMessage
    unsubscribe: str | None = None
    """The topic a List-Unsubscribe link turns off ("reminders", "nudges"), if any."""


Builder = Callable[[OutboundEmail], Composed]


class Composer(Protocol):
    def prepare(self, emails: list[OutboundEmail], now: dt.datetime) -> Builder: ...


_COMPOSERS: dict[str, Composer] = {}


def register(kind: str, composer: Composer) -> None:
    _COMPOSERS[kind] = composer


def composer_for(kind: str) -> Composer:
    if kind not in _COMPOSERS:
        _register_core()
    return _COMPOSERS[kind]


class StoredComposer:
    """Emails whose content was rendered when they were recorded (account emails)."""

    def prepare(self, emails: list[OutboundEmail], now: dt.datetime) -> Builder:
        def build(email: OutboundEmail) -> Composed:
            message = EmailMultiAlternatives(subject=email.subject, body=email.body_text, to=[email.to_address])
            if email.body_html:
                message.attach_alternative(email.body_html, "text/html")
            return Composed(message)
        return build


class InvitationComposer:
    def prepare(self, emails: list[OutboundEmail], now: dt.datetime) -> Builder:
        from mentorprogram.models import Membership
        from mentorprogram.onboarding import invitation_message

        memberships = Membership.objects.select_related("user", "program").in_bulk(
            {e.context.get("membership") for e in emails})

        def build(email: OutboundEmail) -> Composed:
            membership = memberships.get(email.context.get("membership"))
            if membership is None:
                raise Skip("The membership was removed.")
            if not membership.user.is_active:
                raise Skip("The account is deactivated.")
            return Composed(invitation_message(membership, email.context.get("base_url", "")))
        return build


def _register_core() -> None:
    from mentorprogram.privacy.export import DataExportComposer

    _COMPOSERS.setdefault(OutboundEmail.Kind.ACCOUNT, StoredComposer())
    _COMPOSERS.setdefault(OutboundEmail.Kind.INVITATION, InvitationComposer())
    _COMPOSERS.setdefault(OutboundEmail.Kind.DATA_EXPORT, DataExportComposer())
