"""A person's copy of their data (mentorprogram/privacy/export.py): the zip holds every row the
database holds about them and nobody else's; the emailed link is signed, expires and works only
for its person."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import zipfile

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core import mail, signing
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from accountability.models import Mentee
from mentorprogram.models import DataExport, OutboundEmail
from mentorprogram.privacy import export
from tests.factories.privacy import DataExportFactory, make_person_with_everything

INDIRECT = {
    # Rows that reach the person through another of their rows: (model, lookup to the person).
    "assessments.Answer": "response__user",
    "assessments.DomainScore": "response__user",
    "accountability.PlanItem": "plan__mentor",
    "accountability.PlanItemChange": "item__plan__mentor",
}


def unzip(content: bytes) -> tuple[dict, dict[str, list[dict]]]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        document = json.loads(archive.read("data.json"))
        tables = {name[:-4]: list(csv.DictReader(io.StringIO(archive.read(name).decode())))
                  for name in archive.namelist() if name.endswith(".csv")}
    return document, tables


def rows_pointing_at(person) -> dict[str, set[int]]:
    """Straight from the database, without the registry: every row whose person field is ``person``
    (or one of their mentee records), and the rows reached through them."""
    expected: dict[str, set[int]] = {}
    mentees = set(Mentee.objects.filter(Q(mentor=person) | Q(user=person)).values_list("pk", flat=True))
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if not (field.many_to_one or field.one_to_one):
                continue
            if field.related_model is get_user_model():
                ids = model._base_manager.filter(**{field.name: person}).values_list("pk", flat=True)
            elif field.related_model is Mentee:
                ids = model._base_manager.filter(**{f"{field.name}__in": mentees}).values_list("pk", flat=True)
            else:
                continue
            expected[f"{model._meta.label}:{field.name}"] = set(ids)
    for label, lookup in INDIRECT.items():
        expected[f"{label}:{lookup}"] = set(apps.get_model(label)._base_manager.filter(**{lookup: person})
                                            .values_list("pk", flat=True))
    expected["mentorprogram.User:pk"] = {person.pk}
    return expected


@pytest.fixture
def two(program):
    bee = make_person_with_everything(program, "Bee")
    ann = make_person_with_everything(program, "Ann", other=bee.person)
    return ann, bee


def test_the_zip_holds_every_row_of_the_person_and_nobody_elses(two):
    ann, bee = two
    now = timezone.now()
    document, tables = unzip(export.build_zip(person_id=ann.person.pk, now=now))
    expected = rows_pointing_at(ann.person)
    json_tables = document["tables"]
    # A table's key names its path to the person; the database walk names only its first field, and
    # one field may lead to the person by two paths (a mentee record of theirs, or about them).
    keys_of: dict[str, list[str]] = {}
    for key in json_tables:
        keys_of.setdefault(key.split(":")[0] + ":" + key.split(":")[1].split("__")[0], []).append(key)

    for key, ids in expected.items():
        if key.startswith(("socialaccount.SocialToken",)):  # credentials: never in the copy
            continue
        keys = [key] if key in json_tables else keys_of[key.split("__")[0]]
        assert {row["id"] for k in keys for row in json_tables[k]} == ids, key
        assert ids or key.startswith(("audit.", "mentorprogram.AuditEntry")), f"the test person has no {key}"
    covered = {k for key in expected for k in ([key] if key in json_tables else keys_of.get(key.split("__")[0], []))}
    assert covered >= set(json_tables)  # and no table beside them
    # Every value as the database holds it, in JSON and in the CSV.
    for key, rows in json_tables.items():
        label = key.split(":")[0]
        model = apps.get_model(label)
        columns = [c for c in (rows[0] if rows else {}) if "__" not in c]
        for row in rows:
            stored = model._base_manager.filter(pk=row["id"]).values(*columns).get()
            assert json.loads(json.dumps(stored, cls=DjangoJSONEncoder)) == {c: row[c] for c in columns}, key
        assert [int(r["id"]) for r in tables[key.replace(":", "-")]] == [r["id"] for r in rows]

    with zipfile.ZipFile(io.BytesIO(export.build_zip(person_id=ann.person.pk, now=now))) as archive:
        everything = b"".join(archive.read(name) for name in archive.namelist()).decode()
    assert ann.secret in everything and ann.email in everything
    assert bee.secret not in everything and bee.email not in everything and bee.name not in everything


def test_the_copy_leaves_out_credentials(two):
    ann, _ = two
    document, _ = unzip(export.build_zip(person_id=ann.person.pk, now=timezone.now()))
    text = json.dumps(document)
    assert "TOTPAnn" not in text and "token-Ann" not in text and "feed-Ann" not in text
    assert ann.person.password not in text


def test_asking_makes_the_copy_in_a_task_and_emails_a_link(client, mentor, send_inline, monkeypatch,
                                                          django_capture_on_commit_callbacks):
    from mentorprogram import tasks

    queued = []
    monkeypatch.setattr(tasks.build_data_export, "apply_async", lambda args, **kw: queued.append(args[0]))
    client.force_login(mentor)
    response = client.post(reverse("data_export_request"))
    assert response.status_code == 302
    client.post(reverse("data_export_request"))  # a second click while it is being made asks nothing more
    pending = DataExport.objects.get(user=mentor)
    assert queued == [pending.pk]

    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.build_data_export.run(pending.pk)
    assert not tasks.build_data_export.run(pending.pk)  # redelivered: done already
    pending.refresh_from_db()
    assert pending.status == "ready" and pending.size == len(pending.content)
    assert OutboundEmail.objects.get(kind="data_export", user=mentor).status == "sent"
    [message] = mail.outbox
    assert message.to == [mentor.email] and "Your copy of your data is ready" in message.subject
    link = next(line for line in message.body.splitlines() if "/profile/my-data/" in line).strip()
    download = client.get(link.removeprefix("http://127.0.0.1:8000"))
    assert download.status_code == 200 and download["Content-Type"] == "application/zip"
    document, _ = unzip(download.content)
    assert document["tables"]["mentorprogram.User:pk"][0]["email"] == mentor.email


def test_the_link_works_only_for_its_person(client, mentor, other_mentor, coordinator):
    token = export.download_token(DataExportFactory(user=mentor))
    url = reverse("data_export_download", args=[token])
    assert client.get(url).status_code == 302  # sign in first
    for someone in (other_mentor, coordinator):
        client.force_login(someone)
        assert client.get(url).status_code == 404
    client.force_login(mentor)
    assert client.get(url).status_code == 200


def test_a_forged_or_altered_link_is_refused(client, mentor, other_mentor):
    theirs = DataExportFactory(user=other_mentor)
    client.force_login(mentor)
    forged = signing.dumps({"x": theirs.pk, "u": mentor.pk}, salt="another purpose")
    tampered = export.download_token(theirs)[:-2] + "xx"
    for token in (forged, tampered, "not-a-token"):
        assert client.get(reverse("data_export_download", args=[token])).status_code == 404


def test_a_link_past_its_time_has_expired(client, mentor, monkeypatch, settings):
    mine = DataExportFactory(user=mentor)
    token = export.download_token(mine)
    client.force_login(mentor)
    later = timezone.now().timestamp() + settings.DATA_EXPORT_HOURS * 3600 + 60
    monkeypatch.setattr(signing.time, "time", lambda: later)
    response = client.get(reverse("data_export_download", args=[token]))
    assert response.status_code == 410 and b"This link has expired" in response.content


def test_an_expired_copy_is_purged_and_its_link_then_expired(client, mentor):
    mine = DataExportFactory(user=mentor, expires_at=timezone.now() - dt.timedelta(minutes=1))
    fresh = DataExportFactory(user=mentor)
    token = export.download_token(mine)
    client.force_login(mentor)
    assert client.get(reverse("data_export_download", args=[token])).status_code == 410
    assert export.data_export_purge() == 1
    assert export.data_export_purge() == 0  # run twice, same result
    assert list(DataExport.objects.values_list("pk", flat=True)) == [fresh.pk]
    assert client.get(reverse("data_export_download", args=[token])).status_code == 410


def test_the_profile_offers_the_download(client, mentor):
    client.force_login(mentor)
    assert b"Download my data" in client.get(reverse("profile")).content


@pytest.mark.parametrize("others", [1, 30])
def test_the_link_and_the_profile_answer_in_a_fixed_number_of_queries(client, program, mentor, others, cold):
    from tests.factories import MembershipFactory, ProgramFactory

    DataExportFactory.create_batch(others)
    for _ in range(others):
        MembershipFactory(user=mentor, program=ProgramFactory(self_erasure_allowed=True))
    token = export.download_token(DataExportFactory(user=mentor))
    client.force_login(mentor)
    # session, user, the copy
    with cold(3):
        assert client.get(reverse("data_export_download", args=[token])).status_code == 200
    # session, user, the programs' self-erasure switches, and the calendar feed's two
    with cold(5):
        assert client.get(reverse("profile")).status_code == 200
