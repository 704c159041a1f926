"""Issue 9 done: in the demo, the coordinator opens the report and finds every section with its
chart and table, downloads the CSVs, and imports a 20-row CSV with two bad rows (shown in the
preview, not imported); the demo mentor gets a 404 on the report."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from config.celery import app as celery_app
from demo.seeders.core import DEMO_PASSWORD, DEMO_PROGRAM_SLUG
from mentorprogram.models import Membership, Program

SECTIONS = ["people", "readiness", "skills", "readiness-shares", "impact", "training-change", "attendance",
            "compliance", "plans", "training"]
MAIN_SECTIONS = ["readiness", "skills", "readiness-shares", "impact", "training-change", "attendance", "compliance",
                 "plans", "training"]


@pytest.fixture
def demo(db, settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())
    return Program.objects.get(slug=DEMO_PROGRAM_SLUG)


@pytest.fixture(autouse=True)
def _eager_celery():
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


def twenty_rows_two_bad() -> str:
    lines = ["email,name,role,department"]
    lines += [f"newcomer{i:02d}@med.example.edu,Dr. Newcomer {i:02d},{'mentor' if i % 2 else 'faculty'},Medicine"
              for i in range(1, 21)]
    lines[4] = "newcomer04-at-med.example.edu,Dr. Newcomer 04,mentor,Medicine"
    lines[9] = "newcomer09@med.example.edu,Dr. Newcomer 09,chair,Medicine"
    return "\n".join(lines) + "\n"


def test_the_demo_coordinator_reads_a_filled_report_downloads_it_and_imports_people(
    client, demo, django_capture_on_commit_callbacks
):
    assert client.login(email="coordinator@example.org", password=DEMO_PASSWORD)
    response = client.get(reverse("reports:program", args=[demo.slug]))
    assert response.status_code == 200
    html = response.content.decode()
    start = html.index('<script id="report-charts" type="application/json">')
    charts = json.loads(html[html.index(">", start) + 1:html.index("</script>", start)])
    for key in MAIN_SECTIONS:
        assert f'data-chart="{key}"' in html
        assert any(v is not None for d in charts[key]["datasets"] for v in d["data"]), key

    for key in SECTIONS:
        download = client.get(reverse("reports:csv", args=[demo.slug, key]))
        assert download.status_code == 200 and download["Content-Type"].startswith("text/csv")
        rows = list(csv.reader(io.StringIO(download.content.decode("utf-8-sig"))))
        assert len(rows) > 1, key
        if key in ("readiness", "skills", "impact", "compliance", "plans"):
            assert all("fewer than 5 responses" not in row for row in rows), key

    import_url = reverse("admin:mentorprogram_membership_import")
    preview = client.post(import_url, {
        "program": demo.pk,
        "file": SimpleUploadedFile("people.csv", twenty_rows_two_bad().encode(), content_type="text/csv"),
    })
    assert preview.status_code == 200
    assert preview.context["plan"].counts == {"create": 18, "update": 0, "unchanged": 0, "error": 2}
    assert "chair" in preview.content.decode()
    assert not Membership.objects.filter(user__email__endswith="@med.example.edu").exists()
    form = preview.context["confirm_form"]
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(import_url, {"program": form.initial["program"], "payload": form.initial["payload"],
                                        "confirm": "1"})
    assert done.status_code == 302
    imported = Membership.objects.filter(program=demo, user__email__endswith="@med.example.edu")
    assert imported.count() == 18
    assert not imported.filter(user__email__in=["newcomer04-at-med.example.edu", "newcomer09@med.example.edu"])


def test_the_demo_mentor_gets_a_404_on_the_report(client, demo):
    assert client.login(email="mentor@example.org", password=DEMO_PASSWORD)
    assert client.get(reverse("reports:program", args=[demo.slug])).status_code == 404
    assert client.get(reverse("reports:csv", args=[demo.slug, "skills"])).status_code == 404
