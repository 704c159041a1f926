"""A copy of everything the app holds about a person (README, "A person's data"): one zip with
``data.json`` and a CSV per table, made by a task, offered by an emailed link that is signed,
expires and works only for its person while they are signed in."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import uuid
import zipfile

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from mentorprogram.models import DataExport, OutboundEmail, User
from mentorprogram.outbox.composers import Builder, Composed, Skip
from mentorprogram.outbox.queueing import outbox_enqueue, outbox_queue

from .registry import exported_fields, installed_entries, rows_of, table_key

LINK_SALT = "mentorprogram.data-export"
README = """This is a copy of everything {site} holds about you, made on {made_at} (UTC).

data.json holds every table in one file; each CSV file holds one table, one row per record.
A table is named by the app, the kind of record and how the record refers to you: for
example "courses.Completion-user" lists your course records, and "courses.Completion-verified_by"
the records of other people you verified. Numbers in columns ending in "_id" refer to other
records (in these tables when they are yours).

Sign-in credentials (your password, single sign-on tokens, second-factor secrets, calendar
feed tokens) are not included.
"""


def lifetime() -> dt.timedelta:
    return dt.timedelta(hours=settings.DATA_EXPORT_HOURS)


def person_data(*, person_id: int) -> dict[str, list[dict]]:
    """Every registry table's rows about the person: ``{"courses.Completion:user": [row, …]}``."""
    tables: dict[str, list[dict]] = {}
    for entry, model in installed_entries():
        columns = exported_fields(entry, model)
        if columns:
            tables[table_key(entry)] = list(rows_of(entry, model, person_id).values(*columns))
    return tables


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dict | list):
        return json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    return str(value)


def build_zip(*, person_id: int, now: dt.datetime) -> bytes:
    tables = person_data(person_id=person_id)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.txt", README.format(site=settings.SITE_URL, made_at=now.isoformat()))
        document = {"person": person_id, "made_at": now, "tables": tables}
        archive.writestr("data.json", json.dumps(document, cls=DjangoJSONEncoder, ensure_ascii=False, indent=1))
        for key, rows in tables.items():
            entry = key.replace(":", "-")
            out = io.StringIO()
            columns = list(rows[0]) if rows else []
            writer = csv.writer(out)
            writer.writerow(columns)
            writer.writerows([_cell(row[c]) for c in columns] for row in rows)
            archive.writestr(f"{entry}.csv", out.getvalue())
    return buffer.getvalue()


# --- Asking, making, offering -----------------------------------------------------------------------

def data_export_request(*, person: User, now: dt.datetime | None = None) -> tuple[DataExport, bool]:
    """Ask for a copy; it is made by a task after this transaction commits and offered by email.
    While one is being made, asking again returns that one (False: nothing new was asked)."""
    from mentorprogram.tasks import build_data_export

    now = now or timezone.now()
    pending = DataExport.objects.filter(user=person, status=DataExport.Status.PENDING).first()
    if pending:
        return pending, False
    try:
        with transaction.atomic():
            export = DataExport.objects.create(user=person, requested_at=now)
            build_data_export.apply_async(args=[export.pk])  # after commit: TransactionAwareTask
    except IntegrityError:  # a second click at the same moment
        return DataExport.objects.get(user=person, status=DataExport.Status.PENDING), False
    return export, True


def data_export_build(*, export_id: int, now: dt.datetime | None = None) -> bool:
    """Make the zip of a pending request and record the email that offers it. A request already
    made (a redelivered task) or gone (the person was erased) is left alone."""
    now = now or timezone.now()
    with transaction.atomic():
        export = (DataExport.objects.select_for_update().select_related("user")
                  .filter(pk=export_id, status=DataExport.Status.PENDING).first())
        if export is None or not export.user.is_active:
            return False
        export.content = build_zip(person_id=export.user_id, now=now)
        export.size = len(export.content)
        export.status, export.ready_at, export.expires_at = DataExport.Status.READY, now, now + lifetime()
        export.save(update_fields=["content", "size", "status", "ready_at", "expires_at"])
        token = uuid.uuid4().hex
        outbox_enqueue([OutboundEmail(kind=OutboundEmail.Kind.DATA_EXPORT, dedupe_key=f"export:{export.pk}",
                                      user=export.user, to_address=export.user.email,
                                      context={"export": export.pk})], now=now, dispatch_token=token)
        outbox_queue(dispatch_token=token)
    return True


def data_export_purge(*, now: dt.datetime | None = None) -> int:
    """Delete the copies whose link has expired, and requests that never became one within a day."""
    now = now or timezone.now()
    deleted, _ = DataExport.objects.filter(
        Q(expires_at__lte=now) | Q(status__in=[DataExport.Status.PENDING, DataExport.Status.FAILED],
                                   requested_at__lte=now - dt.timedelta(days=1))).delete()
    return deleted


# --- The link -------------------------------------------------------------------------------------------

def download_token(export: DataExport) -> str:
    return signing.dumps({"x": export.pk, "u": export.user_id}, salt=LINK_SALT)


class LinkExpired(Exception):  # noqa: N818 (a verdict, not an error)
    """A genuine link of this person whose copy is gone or whose time is up."""


def export_for_download(*, token: str, user: User, now: dt.datetime | None = None) -> DataExport | None:
    """The copy a link offers, when the link is genuine and ``user`` is its person; None otherwise
    (a forged link, or another person's). Raises ``LinkExpired`` for the person's own stale link."""
    now = now or timezone.now()
    try:
        data = signing.loads(token, salt=LINK_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("u") != user.pk or not isinstance(data.get("x"), int):
        return None
    try:
        signing.loads(token, salt=LINK_SALT, max_age=lifetime())
    except signing.SignatureExpired:
        raise LinkExpired from None
    export = DataExport.objects.filter(pk=data["x"], user=user, status=DataExport.Status.READY).first()
    if export is None or export.expires_at <= now:
        raise LinkExpired
    return export


class DataExportComposer:
    """The email that offers a copy: the link is signed when the email is sent."""

    def prepare(self, emails: list[OutboundEmail], now: dt.datetime) -> Builder:
        exports = DataExport.objects.select_related("user").in_bulk({e.context.get("export") for e in emails})

        def build(email: OutboundEmail) -> Composed:
            export = exports.get(email.context.get("export"))
            if export is None or export.status != DataExport.Status.READY or export.expires_at <= now:
                raise Skip("The copy has expired or was removed.")
            user = export.user
            context = {
                "user": user,
                "url": settings.SITE_URL + reverse("data_export_download", args=[download_token(export)]),
                "profile_url": settings.SITE_URL + reverse("profile"),
                "hours": settings.DATA_EXPORT_HOURS,
            }
            subject = " ".join(render_to_string("emails/data_export_subject.txt", context).split())
            message = EmailMultiAlternatives(subject=settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + subject,
                                             body=render_to_string("emails/data_export.txt", context),
                                             to=[user.email])
            message.attach_alternative(render_to_string("emails/data_export.html", context), "text/html")
            return Composed(message)
        return build
