"""The program report: who may open it, the privacy threshold, charts, tables and CSV downloads."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime

import pytest
from django.urls import reverse

from demo.seeders.core import seed_extra_mentors
from reports import selectors, sources
from reports.privacy import change, count, figure

SKILLS = [
    {"domain": "Maintaining effective communication", "baseline_mean": 4.2, "baseline_n": 6,
     "latest_mean": 5.1, "latest_n": 6},
    {"domain": "Fostering independence", "baseline_mean": 6.6, "baseline_n": 1, "latest_mean": 6.9, "latest_n": 1},
]


def report_url(program) -> str:
    return reverse("reports:program", args=[program.slug])


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def charts(response) -> dict:
    html = response.content.decode()
    start = html.index('<script id="report-charts" type="application/json">') + len(
        '<script id="report-charts" type="application/json">')
    return json.loads(html[start:html.index("</script>", start)])


@pytest.fixture
def skills_data(monkeypatch):
    monkeypatch.setattr(sources, "domain_scores", lambda program, kind: SKILLS if kind == "skills" else None)


def test_it_shows_the_coordinator_every_section(client, program, coordinator, mentor):
    client.force_login(coordinator)
    response = client.get(report_url(program))
    assert response.status_code == 200
    html = response.content.decode()
    for title in ("People in the program", "Readiness by domain", "Skills by domain", "How ready people are",
                  "Evidence of impact", "Meeting attendance", "Reporting requirements",
                  "Accountability plan completion", "Training credit hours"):
        assert title in html
    assert "Not available yet" in html
    assert 'src="/static/js/reports.js"' in html
    assert "<script>" not in html.replace('<script id="report-charts" type="application/json">', "")


@pytest.mark.parametrize("who", ["mentor", "faculty", "other_coordinator", "outsider", "staff_without_membership"])
def test_it_answers_404_to_anyone_but_the_programs_coordinators(client, program, request, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(report_url(program)).status_code == 404
    assert client.get(reverse("reports:csv", args=[program.slug, "people"])).status_code == 404


def test_it_lets_a_superuser_read_any_programs_report(client, program, superuser):
    client.force_login(superuser)
    assert client.get(report_url(program)).status_code == 200


def test_it_hides_a_single_mentors_scores_in_the_page_the_chart_and_the_csv(
    client, program, coordinator, skills_data
):
    client.force_login(coordinator)
    response = client.get(report_url(program))
    html = response.content.decode()
    assert "4.2" in html and "5.1" in html and "+0.9" in html
    for secret in ("6.6", "6.9", "+0.3", "0.3"):
        assert secret not in html
    assert html.count("fewer than 5 responses") >= 4

    chart = charts(response)["skills"]
    assert chart["datasets"][0]["data"] == [4.2, None]
    assert chart["datasets"][1]["data"] == [5.1, None]

    rows = csv_rows(client.get(reverse("reports:csv", args=[program.slug, "skills"])))
    assert rows[0] == ["Domain", "Baseline mean", "Latest mean", "Change", "People (latest)"]
    assert rows[1] == ["Maintaining effective communication", "4.2", "5.1", "+0.9", "6"]
    assert rows[2] == ["Fostering independence"] + ["fewer than 5 responses"] * 4


def test_it_follows_the_programs_own_threshold(client, program, coordinator, skills_data):
    program.privacy_threshold = 7
    program.save()
    client.force_login(coordinator)
    html = client.get(report_url(program)).content.decode()
    assert "4.2" not in html
    assert "fewer than 7 responses" in html


def test_it_hides_a_change_when_either_end_rests_on_too_few_people(program):
    data = [{"domain": "Aligning expectations", "baseline_mean": 3.0, "baseline_n": 4,
             "latest_mean": 5.0, "latest_n": 12}]
    sources_domain = sources.domain_scores
    try:
        sources.domain_scores = lambda program, kind: data
        section = selectors.program_report(program=program, only="skills").section("skills")
    finally:
        sources.domain_scores = sources_domain
    _, baseline, latest, delta, n = section.rows[0]
    assert baseline.hidden and not latest.hidden and delta.hidden
    assert latest.text == "5.0" and n.text == "12"


def test_it_shows_the_distribution_only_over_enough_people(program, monkeypatch):
    monkeypatch.setattr(sources, "readiness_shares", lambda program: [100, 90, 40, 10])
    section = selectors.program_report(program=program, only="readiness-shares").section("readiness-shares")
    assert all(cell.hidden for _, cell in section.rows)
    assert section.chart["datasets"][0]["data"] == [None] * 5

    monkeypatch.setattr(sources, "readiness_shares", lambda program: [100, 90, 85, 40, 10, 0])
    section = selectors.program_report(program=program, only="readiness-shares").section("readiness-shares")
    assert [row[1].text for row in section.rows] == ["2", "0", "1", "0", "3", "6"]


def test_it_reports_attendance_for_each_of_the_last_twelve_months(program, monkeypatch):
    now = datetime(2026, 3, 15, 18, tzinfo=UTC)
    monkeypatch.setattr(sources, "attendance_by_month", lambda program, months: {
        date(2026, 2, 1): {"meetings": 1, "attended": 9, "expected": 12},
        date(2026, 1, 1): {"meetings": 1, "attended": 2, "expected": 3},
    })
    section = selectors.program_report(program=program, now=now, only="attendance").section("attendance")
    assert [r[0] for r in section.rows][0] == "Apr 2025" and section.rows[-1][0] == "Mar 2026"
    feb = next(r for r in section.rows if r[0] == "Feb 2026")
    jan = next(r for r in section.rows if r[0] == "Jan 2026")
    assert (feb[2].text, feb[3].text) == ("9", "75%")
    assert jan[3].text == "fewer than 5 responses"
    assert section.rows[0][3] == "no meetings"


def test_it_reports_compliance_plans_and_credit_hours(program, monkeypatch):
    monkeypatch.setattr(sources, "requirement_compliance", lambda program: [
        {"requirement": "Meetings with mentees", "target": "monthly", "on_track": 8, "behind": 2},
        {"requirement": "Training credit hours", "target": "4 h a year", "on_track": 1, "behind": 1},
    ])
    monkeypatch.setattr(sources, "plan_completion",
                        lambda program: {"people": 10, "items": 40, "completed": 30, "overdue": 4})
    monkeypatch.setattr(sources, "credit_hours_by_year", lambda program: [
        {"year_start": date(2025, 7, 1), "people": 8, "hours": 20.0},
        {"year_start": date(2024, 7, 1), "people": 2, "hours": 5.0},
    ])
    report = selectors.program_report(program=program)
    compliance = report.section("compliance").rows
    assert [c.text for c in compliance[0][2:]] == ["8", "2", "80%"]
    assert all(c.hidden for c in compliance[1][2:])
    assert report.section("plans").rows[-1][1].text == "75%"
    training = report.section("training").rows
    assert training[0][0] == "2024–25" and training[0][2].hidden
    assert [c.text for c in training[1][1:]] == ["8", "20.0", "2.5"]


def test_it_downloads_every_available_table_as_csv(client, program, coordinator, mentor, skills_data):
    client.force_login(coordinator)
    response = client.get(reverse("reports:csv", args=[program.slug, "people"]))
    assert response["Content-Disposition"].startswith(f'attachment; filename="{program.slug}-people-')
    rows = csv_rows(response)
    assert rows[0] == ["Role", "Invited", "Prospective", "Active", "Alumni", "Total"]
    assert rows[1:] == [["Coordinator", "0", "0", "1", "0", "1"], ["Mentor", "0", "0", "1", "0", "1"],
                        ["Faculty", "0", "0", "0", "0", "0"]]
    assert client.get(reverse("reports:csv", args=[program.slug, "skills"])).status_code == 200
    assert client.get(reverse("reports:csv", args=[program.slug, "training"])).status_code == 404
    assert client.get(reverse("reports:csv", args=[program.slug, "nonsense"])).status_code == 404


def test_it_is_linked_from_the_admin_index_and_the_programs_admin_page(client, program, other_program, coordinator):
    client.force_login(coordinator)
    index = client.get(reverse("admin:index")).content.decode()
    assert report_url(program) in index
    assert report_url(other_program) not in index
    change_page = client.get(reverse("admin:mentorprogram_program_change", args=[program.pk])).content.decode()
    assert report_url(program) in change_page


@pytest.mark.parametrize("mentors", [10, 1000])
def test_it_computes_the_report_in_a_fixed_number_of_queries(
    client, program, coordinator, mentors, django_assert_num_queries
):
    seed_extra_mentors(program, mentors)
    client.force_login(coordinator)
    # the user, the program, the coordinator check, the membership counts (4); the self-assessment
    # sections: for readiness and skills by domain and for the change, the instrument and three
    # aggregate queries each (12), for the readiness shares the instrument and a count (2)
    with django_assert_num_queries(18):
        response = client.get(report_url(program))
    assert f"{mentors:,}" in response.content.decode()


def test_figures_read_as_the_reader_expects():
    assert figure(4.25, 5, threshold=5).text == "4.2"
    assert figure(4.25, 4, threshold=5).text == "fewer than 5 responses"
    assert figure(4.25, 4, threshold=5).chart is None
    assert figure(None, 9, threshold=5).text == "—"
    assert figure(75, 9, threshold=5, places=0, suffix="%").text == "75%"
    assert change(0.4, 6, threshold=5).text == "+0.4"
    assert change(-0.4, 6, threshold=5).text == "-0.4"
    assert count(1200, threshold=5).text == "1,200"
    assert count(3, threshold=5).text == "fewer than 5 responses"


def test_it_counts_months_in_the_programs_time_zone():
    # 1 March 03:00 UTC is still February in Los Angeles.
    months = selectors.last_months(datetime(2026, 3, 1, 3, tzinfo=UTC), "America/Los_Angeles")
    assert months[-1] == date(2026, 2, 1) and months[0] == date(2025, 3, 1) and len(months) == 12
