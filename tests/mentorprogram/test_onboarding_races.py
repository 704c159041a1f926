"""The import under bad input and under a race: a cell over the csv module's limit, a NUL byte, and
the confirmation posted twice — one after the other and at the same moment."""

from __future__ import annotations

import csv
import threading

import pytest
from django.core import mail
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from mentorprogram import onboarding
from mentorprogram.models import Membership, User
from tests.factories import ProgramFactory, make_member
from tests.snapshots import differences, snapshot

from .test_onboarding import IMPORT_URL, confirm, twenty_rows, upload

pytestmark = pytest.mark.usefixtures("eager_celery")


def test_it_explains_a_cell_longer_than_the_csv_field_limit(client, program, coordinator):
    client.force_login(coordinator)
    huge = "x" * (csv.field_size_limit() + 10)
    response = upload(client, program, f"email,name,role,department\na@example.org,A,mentor,{huge}\n")
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors["file"])
    assert "Line 2 cannot be read as CSV" in errors and "longer than" in errors
    assert not User.objects.filter(email="a@example.org").exists()


def test_it_explains_a_nul_byte_in_a_cell_at_the_preview(client, program, coordinator):
    client.force_login(coordinator)
    response = upload(client, program, "email,name,role,department\na@example.org,A\x00B,mentor,Medicine\n")
    assert response.status_code == 200
    assert "Line 2 holds a NUL character" in " ".join(response.context["form"].errors["file"])


def test_it_skips_a_signed_row_with_a_nul_byte_at_the_confirmation(client, program, coordinator):
    client.force_login(coordinator)
    rows = [onboarding.Row(line=2, email="a\x00@example.org", name="A", role="mentor", department="M"),
            onboarding.Row(line=3, email="b@example.org", name="B\x00", role="mentor", department="M")]
    token = onboarding.sign_rows(user=coordinator, program=program, rows=rows)
    before = snapshot()
    response = client.post(reverse(IMPORT_URL), {"program": program.pk, "payload": token, "confirm": "1"})
    assert response.status_code == 302
    assert differences(before, snapshot()) == []
    assert "2 rows with errors skipped" in [str(m) for m in response.wsgi_request._messages][0]


def test_it_changes_nothing_when_the_confirmation_comes_a_second_time(
    client, program, coordinator, django_capture_on_commit_callbacks
):
    client.force_login(coordinator)
    preview = upload(client, program, twenty_rows())
    with django_capture_on_commit_callbacks(execute=True):
        assert confirm(client, preview).status_code == 302
    before, sent = snapshot(), len(mail.outbox)
    with django_capture_on_commit_callbacks(execute=True):
        assert confirm(client, preview).status_code == 302
    assert differences(before, snapshot()) == []
    assert len(mail.outbox) == sent == 18


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs row locks and two real connections")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_it_imports_once_when_the_confirmation_is_posted_twice_at_the_same_moment():
    program = ProgramFactory()
    coordinator = make_member(program, Membership.Role.COORDINATOR)
    first = Client(raise_request_exception=False)
    first.force_login(coordinator)
    preview = upload(first, program, twenty_rows())
    data = {"program": program.pk, "payload": preview.context["confirm_form"].initial["payload"], "confirm": "1"}
    barrier, answers = threading.Barrier(2), []

    def post():
        client = Client(raise_request_exception=False)
        client.force_login(coordinator)
        try:
            barrier.wait()
            answers.append(client.post(reverse(IMPORT_URL), data).status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=post) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert answers == [302, 302]
    imported = Membership.objects.filter(program=program, user__email__endswith="@med.example.edu")
    assert imported.count() == 18
    assert User.objects.filter(email__endswith="@med.example.edu").count() == 18
