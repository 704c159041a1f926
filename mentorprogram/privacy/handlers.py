"""What erasure does beyond one update per registry entry (mentorprogram/personal_data.py names
these by their dotted paths). Each is called with the erasure under way, before its entry's own
handling, inside the erasure's transaction, and does nothing more when run again."""

from __future__ import annotations

import importlib
import inspect
import logging

from django.contrib.admin.models import LogEntry
from django.db.models import Q

from mentorprogram.models import OutboundEmail
from mentorprogram.personal_data import ERASED_NAME
from mentorprogram.session_limits import user_sign_out_everywhere

from .erasure import Erasure

log = logging.getLogger(__name__)

def account_access(erasure: Erasure) -> None:
    """No way back in: groups and permissions gone, every session ended (factors, sign-on links and
    addresses are entries of their own)."""
    person = erasure.person
    person.groups.clear()
    person.user_permissions.clear()
    erasure.counts["sessions ended"] += user_sign_out_everywhere(user=person)


def outbox(erasure: Erasure) -> None:
    """Emails to the person that were not sent go no more; emails recorded to their address without
    the account are anonymised as well; other people's nudges that carry the person's name as their
    sender ("a reminder from …") carry it no more."""
    theirs = Q(user_id=erasure.person_id) | Q(to_address__iexact=erasure.old_email) | Q(to_address=erasure.new_email)
    OutboundEmail.objects.filter(theirs, status__in=[OutboundEmail.Status.QUEUED, OutboundEmail.Status.SENDING]).update(
        status=OutboundEmail.Status.SKIPPED, claim_token="", next_attempt_at=None)
    erasure.counts["anonymised"] += OutboundEmail.objects.filter(
        to_address__iexact=erasure.old_email, user__isnull=True).exclude(to_address="").update(
        to_address=erasure.new_email, subject="", body_text="", body_html="", context={}, last_error="")
    signature = erasure.old_name or erasure.old_email
    if signature and signature != ERASED_NAME:
        for email in OutboundEmail.objects.filter(kind=OutboundEmail.Kind.NUDGE, context__by=signature):
            email.context = {**email.context, "by": ERASED_NAME}
            email.save(update_fields=["context"])
            erasure.counts["anonymised"] += 1


def admin_log(erasure: Erasure) -> None:
    """The admin's log keeps what was done, not to whom: entries about the person's own objects are
    renamed to their kind, and the person's name and address are taken out of every entry."""
    for content_type_id, ids in erasure.objects.items():
        for entry in LogEntry.objects.filter(content_type_id=content_type_id, object_id__in=ids).select_related(
                "content_type"):
            model = entry.content_type.model_class()
            kind = model._meta.verbose_name if model else entry.content_type.model
            entry.object_repr = ERASED_NAME if entry.content_type.model == "user" else f"{kind} of an erased person"
            entry.change_message = erasure.scrub(entry.change_message)
            entry.save(update_fields=["object_repr", "change_message"])
    words = Q()
    for word in erasure.old_words:
        words |= Q(object_repr__icontains=word) | Q(change_message__icontains=word)
    if words:
        for entry in LogEntry.objects.filter(words):
            entry.object_repr, entry.change_message = erasure.scrub(entry.object_repr), erasure.scrub(
                entry.change_message)
            entry.save(update_fields=["object_repr", "change_message"])


AUDIT_MODULES = ("audit", "audit.services", "mentorprogram.audit")
"""Where the audit trail's ``scrub_person(user)`` may live."""


def audit_trail(erasure: Erasure) -> None:
    """The audit trail keeps that the erasure happened, not what was erased: its ``scrub_person``,
    where the audit trail is installed, is given the person as they were before (their old name
    and address, to find them by; the database already holds the anonymised account), and who
    erased them and when, if it asks."""
    for name in AUDIT_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name and not name.startswith(exc.name):
                raise  # the module is there but broken: say so
            continue
        scrub = getattr(module, "scrub_person", None)
        if callable(scrub):
            accepted = inspect.signature(scrub).parameters
            options = {"by": erasure.by, "now": erasure.erased_at, "objects": erasure.erased_objects}
            scrub(erasure.person, **{name: value for name, value in options.items() if name in accepted})
            return
