"""The program report: who may open it, every section filled from the apps' own data, the
privacy threshold in the page, the charts and the CSV, and a fixed number of queries."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from accountability.models import ReportingRequirement
from assessments.constants import SKILLS_INVENTORY_SLUG
from assessments.models import Instrument
from demo.seeders import core, seeder_modules
from mentorprogram.models import Membership
from reports import selectors
from reports.privacy import change, count, figure
from reports.sources import ReportSources
from tests.factories import make_member
from tests.factories.accountability import (
    AccountabilityPlanFactory,
    MenteeFactory,
    MenteeMeetingFactory,
    PlanItemFactory,
    mentees_who_answered,
)
from tests.factories.assessments import make_instrument, make_response
from tests.factories.community import AttendanceFactory, MeetingFactory, MeetingSeriesFactory
from tests.factories.courses import CompletionFactory
from toolbox.periods import academic_year

HIDDEN = "fewer than 5 responses"
NOW = datetime(2026, 3, 20, 18, tzinfo=UTC)
SECTIONS = ["people", "readiness", "skills", "readiness-shares", "impact", "training-change", "attendance",
            "compliance", "plans", "training", "mentee-feedback"]


def report_url(program) -> str:
    return reverse("reports:program", args=[program.slug])


def csv_url(program, table: str) -> str:
    return reverse("reports:csv", args=[program.slug, table])


def csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def charts(response) -> dict:
    html = response.content.decode()
    start = html.index('<script id="report-charts" type="application/json">') + len(
        '<script id="report-charts" type="application/json">')
    return json.loads(html[start:html.index("</script>", start)])


def section(program, key: str, now: datetime | None = None):
    return selectors.program_report(program=program, now=now, only=key).section(key)


def texts(row) -> list[str]:
    return [str(cell) for cell in row]


def mentors(program, n: int) -> list:
    people = [make_member(program) for _ in range(n)]
    Membership.objects.filter(program=program).update(joined_on=date(2024, 1, 1))
    return people


def assess(program, people, *, before: int = 3, after: int | None = 5, followers: int | None = None):
    """Each person's baseline skills inventory (rating ``before``) and readiness checklist (all
    “yes”); the first ``followers`` of them (everyone by default) a follow-up rated ``after``."""
    skills = make_instrument(program, domains=2, items_per_domain=1, name="Skills inventory")
    readiness = make_instrument(program, kind="readiness", domains=1, items_per_domain=2, name="Readiness")
    then = timezone.now() - timedelta(days=120)
    for i, person in enumerate(people):
        make_response(person, program, skills, rating=before, now=then)
        make_response(person, program, readiness, choice="yes", now=then)
        if after is not None and (followers is None or i < followers):
            make_response(person, program, skills, rating=after)


@pytest.fixture
def filled(program):
    """Six mentors with data for every section, dated around now."""
    people = mentors(program, 6)
    assess(program, people)
    now = timezone.now()
    today = timezone.localdate(now, timezone=__import__("zoneinfo").ZoneInfo(program.time_zone))
    meeting = MeetingFactory(series=MeetingSeriesFactory(program=program), status="held",
                             starts_at=now - timedelta(hours=3))
    for i, person in enumerate(people):
        AttendanceFactory(meeting=meeting, user=person, present=i != 0)
    ReportingRequirement.objects.create(program=program, metric="training_credit", target=Decimal("2.5"),
                                        period="academic_year")
    year = academic_year(today, program.academic_year_start_month)
    for person in people:
        CompletionFactory(user=person, completed_on=today, credit_hours=Decimal("2.5"))
        plan = AccountabilityPlanFactory(program=program, mentor=person, period_start=year.start,
                                         period_end=year.end)
        PlanItemFactory(plan=plan, due_on=today + timedelta(days=30), status="done", completed_on=today)
        PlanItemFactory(plan=plan, due_on=today + timedelta(days=30))
    # Mentees' feedback: each mentor rated by one mentee, beside their own shared skills inventory.
    shared_skills = Instrument.objects.get(slug=SKILLS_INVENTORY_SLUG, program__isnull=True).versions.first()
    for person in people:
        make_response(person, program, shared_skills, rating=5)
        mentees_who_answered(person, program, 1, rating=4)
    return people


# --- who may read it ------------------------------------------------------------------------

@pytest.mark.parametrize("who", ["mentor", "faculty", "other_coordinator", "outsider", "staff_without_membership"])
def test_it_answers_404_to_anyone_but_the_programs_coordinators(client, program, request, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(report_url(program)).status_code == 404
    for table in SECTIONS:
        assert client.get(csv_url(program, table)).status_code == 404


def test_it_lets_a_superuser_read_any_programs_report(client, program, superuser):
    client.force_login(superuser)
    assert client.get(report_url(program)).status_code == 200


def test_it_is_linked_from_the_admin_index_and_the_programs_admin_page(client, program, other_program, coordinator):
    client.force_login(coordinator)
    index = client.get(reverse("admin:index")).content.decode()
    assert report_url(program) in index
    assert report_url(other_program) not in index
    assert reverse("accountability:compliance", args=[program.slug]) in index  # who is behind
    assert reverse("accountability:compliance", args=[program.slug]) in client.get(report_url(program)).content.decode()
    assert reverse("accountability:compliance", args=[other_program.slug]) not in index
    change_page = client.get(reverse("admin:mentorprogram_program_change", args=[program.pk])).content.decode()
    assert report_url(program) in change_page


# --- every section, filled ------------------------------------------------------------------

def test_it_shows_the_coordinator_every_section_with_a_chart_a_table_and_a_csv(client, program, coordinator, filled):
    client.force_login(coordinator)
    response = client.get(report_url(program))
    html = response.content.decode()
    for title in ("People in the program", "Readiness by domain", "Skills by domain", "How ready people are",
                  "Evidence of impact", "Meeting attendance", "Reporting requirements",
                  "Accountability plan completion", "Training credit hours"):
        assert title in html
    assert 'src="/static/js/reports.js"' in html
    assert "<script>" not in html.replace('<script id="report-charts" type="application/json">', "")
    assert 'role="status"' not in html  # no section is empty

    data = charts(response)
    assert sorted(data) == sorted(k for k in SECTIONS if k != "people")
    for key, chart in data.items():
        if key != "training-change":  # six people cannot make two groups of five (its own tests below)
            assert any(v is not None for d in chart["datasets"] for v in d["data"]), key
        assert f'data-chart="{key}"' in html

    tables = {key: csv_rows(client.get(csv_url(program, key))) for key in SECTIONS}
    for key, rows in tables.items():
        if key == "training-change":  # six people cannot make two groups of five (its own tests below)
            continue
        assert all(HIDDEN.capitalize() not in row[-1] for row in rows[1:]), key  # nothing hidden
    # Numbers in numeric columns, units in the headers.
    assert tables["people"][2] == ["Mentor", "0", "0", "6", "0", "6", ""]
    assert tables["skills"][0] == ["Domain", "Baseline mean (1–7)", "Latest mean (1–7)", "Change (points on 1–7)",
                                   "People (latest)", "Status"]
    assert tables["skills"][1] == ["Domain 1", "3.0", "5.0", "2.0", "6", ""]
    assert tables["readiness"][0][1:4] == ["Baseline mean (%)", "Latest mean (%)", "Change (percentage points)"]
    assert tables["readiness"][1] == ["Domain 1", "100", "100", "0", "6", ""]
    assert tables["readiness-shares"][-2:] == [["80–100%", "6", ""], ["All people", "6", ""]]
    assert tables["impact"][0] == ["Domain", "Baseline mean (1–7)", "Follow-up mean (1–7)",
                                   "Mean change (points on 1–7)", "People with both", "Status"]
    assert tables["impact"][1:] == [["Domain 1", "3.0", "5.0", "2.00", "6", ""], ["Domain 2", "3.0", "5.0", "2.00",
                                                                                "6", ""]]
    this_month = [row for row in tables["attendance"][1:] if row[1] != "0"]
    assert tables["attendance"][0][-2:] == ["Attendance rate (%)", "Status"]
    assert this_month == [[this_month[0][0], "1", "5", "83", ""]]
    quiet = next(row for row in tables["attendance"][1:] if row[1] == "0")
    assert quiet[2:] == ["", "", "Attendance rate: no meetings"]
    requirement, target, on_track, behind, share, status = tables["compliance"][1]
    assert (requirement, target, on_track, behind, share) == ("Training credit hours", "2.5 per academic year",
                                                                "6", "0", "100")
    assert tables["compliance"][0][-2] == "Share on track (%)"
    assert {row[0]: row[1] for row in tables["plans"][1:]} == {
        "People with a plan": "6", "Plan items": "12", "Completed": "6", "Overdue": "0", "Share completed (%)": "50"}
    assert tables["training"][0][-2:] == ["Mean per person (credit hours)", "Status"]
    assert tables["training"][1][1:] == ["6", "15.0", "2.5", ""]


def test_it_says_so_when_a_section_has_nothing_to_report(client, program, coordinator, mentor):
    client.force_login(coordinator)
    html = client.get(report_url(program)).content.decode()
    assert "The program has no reporting requirements yet" in html
    assert "Nobody in the program has recorded completed training yet." in html
    rows = csv_rows(client.get(csv_url(program, "training")))
    assert rows == [["Academic year", "People who trained", "Credit hours", "Mean per person (credit hours)", "Status"]]


def test_it_downloads_each_table_as_a_dated_csv(client, program, coordinator, mentor):
    client.force_login(coordinator)
    response = client.get(csv_url(program, "people"))
    assert response["Content-Disposition"].startswith(f'attachment; filename="{program.slug}-people-')
    rows = csv_rows(response)
    assert rows[0] == ["Role", "Invited", "Prospective", "Active", "Alumni", "Total", "Status"]
    assert rows[1:] == [["Coordinator", "0", "0", "1", "0", "1", ""], ["Mentor", "0", "0", "1", "0", "1", ""],
                        ["Faculty", "0", "0", "0", "0", "0", ""]]
    assert client.get(csv_url(program, "nonsense")).status_code == 404


# --- privacy: one section at a time, where a single mentor's figure could be read off -------

@pytest.mark.parametrize("kind", ["skills", "readiness"])
def test_it_hides_a_single_mentors_scores_by_domain(client, program, coordinator, mentor, kind):
    assess(program, [mentor], before=6, after=7)
    client.force_login(coordinator)
    response = client.get(report_url(program))
    assert all(v is None for d in charts(response)[kind]["datasets"] for v in d["data"])
    rows = csv_rows(client.get(csv_url(program, kind)))[1:]
    # Suppressed cells are empty; the status column says why.
    assert rows and all(row[1:5] == [""] * 4 and row[5].startswith(HIDDEN.capitalize()) for row in rows)


def test_it_shows_the_readiness_distribution_only_over_enough_people(client, program, coordinator):
    assess(program, mentors(program, 4), after=None)
    client.force_login(coordinator)
    response = client.get(report_url(program))
    assert charts(response)["readiness-shares"]["datasets"][0]["data"] == [None] * 5
    rows = csv_rows(client.get(csv_url(program, "readiness-shares")))[1:]
    assert [row[1] for row in rows] == [""] * 6
    assert all(row[2].startswith(HIDDEN.capitalize()) for row in rows)


def test_it_hides_the_change_of_the_only_mentor_with_a_follow_up(client, program, coordinator):
    assess(program, mentors(program, 6), before=3, after=6, followers=1)
    client.force_login(coordinator)
    response = client.get(report_url(program))
    assert charts(response)["impact"]["datasets"][0]["data"] == [None, None]
    rows = csv_rows(client.get(csv_url(program, "impact")))
    status = f"{HIDDEN.capitalize()}: Baseline mean, Follow-up mean, Mean change, People with both not shown"
    assert rows[1:] == [["Domain 1", "", "", "", "", status], ["Domain 2", "", "", "", "", status]]
    assert "+3.00" not in response.content.decode()
    # The skills section itself rests on all six baselines and shows.
    assert csv_rows(client.get(csv_url(program, "skills")))[1][1] == "3.0"


def test_it_counts_people_not_attendances_one_mentor_at_five_meetings_stays_hidden(program, mentor):
    Membership.objects.filter(program=program).update(joined_on=date(2025, 1, 1))
    series = MeetingSeriesFactory(program=program)
    for day in (2, 5, 9, 12, 16):
        meeting = MeetingFactory(series=series, status="held", starts_at=datetime(2026, 2, day, 20, tzinfo=UTC))
        AttendanceFactory(meeting=meeting, user=mentor, present=day != 16)
    attendance = section(program, "attendance", NOW)
    february = next(r for r in attendance.rows if r[0] == "Feb 2026")
    assert texts(february) == ["Feb 2026", "5", HIDDEN, HIDDEN]
    assert attendance.chart["datasets"][0]["data"] == [None] * 12
    assert "80" not in " ".join(" ".join(row) for row in attendance.csv_rows())


def test_it_hides_a_requirement_that_only_one_mentor_is_measured_on(program):
    people = mentors(program, 6)
    for metric, target in (("training_credit", 2), ("mentee_meetings", 1)):
        ReportingRequirement.objects.create(program=program, metric=metric, target=target, period="month")
    MenteeMeetingFactory(mentee=MenteeFactory(program=program, mentor=people[0]), held_on=date(2026, 3, 2))
    for person in people[:4]:
        CompletionFactory(user=person, completed_on=date(2026, 3, 3), credit_hours=Decimal("2"))
    compliance = section(program, "compliance", NOW)
    by_name = {row[0]: texts(row) for row in compliance.rows}
    assert by_name["Training credit hours"] == ["Training credit hours", "2 per month", "4", "2", "67%"]
    assert by_name["Meetings with each mentee"][2:] == [HIDDEN] * 3
    chart = compliance.chart
    # long labels come on short lines, so a phone shows them whole
    assert chart["labels"] == [["Training credit", "hours"], ["Meetings with", "each mentee"]] or \
        chart["labels"] == [["Meetings with", "each mentee"], ["Training credit", "hours"]]
    labels = [" ".join(label) for label in chart["labels"]]
    assert dict(zip(labels, chart["datasets"][0]["data"], strict=True)) == {
        "Training credit hours": 4, "Meetings with each mentee": None}


def test_it_hides_the_plan_of_the_only_mentor_who_has_one(program, mentor):
    plan = AccountabilityPlanFactory(program=program, mentor=mentor, period_start=date(2025, 7, 1))
    for i in range(6):
        PlanItemFactory(plan=plan, due_on=date(2026, 2, 1), status="done" if i < 4 else "planned",
                        completed_on=date(2026, 1, 20) if i < 4 else None)
    plans = section(program, "plans", NOW)
    assert [row[1].text for row in plans.rows] == [HIDDEN] * 5
    assert plans.chart["datasets"][0]["data"] == [None, None, None]


def test_it_hides_a_year_in_which_one_person_trained(program):
    people = mentors(program, 5)
    for person in people:
        CompletionFactory(user=person, completed_on=date(2025, 10, 1), credit_hours=Decimal("2.5"))
    CompletionFactory(user=people[0], completed_on=date(2024, 10, 1), credit_hours=Decimal("9.5"))
    training = section(program, "training", NOW)
    assert [texts(row) for row in training.rows] == [
        ["2024–25", HIDDEN, HIDDEN, HIDDEN], ["2025–26", "5", "12.5", "2.5"]]
    assert training.chart["datasets"][0]["data"] == [None, 12.5]


def test_it_follows_the_programs_own_threshold(client, program, coordinator, filled):
    program.privacy_threshold = 7
    program.save()
    client.force_login(coordinator)
    response = client.get(report_url(program))
    for key, chart in charts(response).items():
        assert all(v is None for d in chart["datasets"] for v in d["data"]), key
    assert "fewer than 7 responses" in response.content.decode()


# --- the report's own rules, on given figures -----------------------------------------------

def test_it_hides_a_change_when_either_end_rests_on_too_few_people(program, monkeypatch):
    monkeypatch.setattr(ReportSources, "domain_scores", lambda self, kind: [
        {"domain": "Aligning expectations", "baseline_mean": 3.0, "baseline_n": 4, "latest_mean": 5.0,
         "latest_n": 12}])
    _, baseline, latest, delta, n = section(program, "skills").rows[0]
    assert baseline.hidden and not latest.hidden and delta.hidden
    assert latest.text == "5.0" and n.text == "12"


def test_it_bins_the_readiness_shares_and_hides_them_all_under_the_threshold(program, monkeypatch):
    monkeypatch.setattr(ReportSources, "readiness_shares", lambda self: [100, 90, 40, 10])
    shares = section(program, "readiness-shares")
    assert all(cell.hidden for _, cell in shares.rows)
    monkeypatch.setattr(ReportSources, "readiness_shares", lambda self: [100, 90, 85, 40, 10, 0])
    shares = section(program, "readiness-shares")
    assert [row[1].text for row in shares.rows] == ["2", "0", "1", "0", "3", "6"]


def test_it_reports_attendance_for_each_of_the_last_twelve_months(program, monkeypatch):
    monkeypatch.setattr(ReportSources, "attendance_by_month", lambda self, months: {
        date(2026, 2, 1): {"meetings": 1, "attended": 9, "expected": 12, "people": 12},
        date(2026, 1, 1): {"meetings": 1, "attended": 2, "expected": 3, "people": 3},
    })
    attendance = section(program, "attendance", NOW)
    assert attendance.rows[0][0] == "Apr 2025" and attendance.rows[-1][0] == "Mar 2026"
    feb = next(r for r in attendance.rows if r[0] == "Feb 2026")
    jan = next(r for r in attendance.rows if r[0] == "Jan 2026")
    assert (feb[2].text, feb[3].text) == ("9", "75%")
    assert jan[3].text == HIDDEN
    assert attendance.rows[0][3] == "no meetings"


def test_figures_read_as_the_reader_expects():
    assert figure(4.25, 5, threshold=5).text == "4.2"
    assert figure(4.25, 4, threshold=5).text == HIDDEN
    assert figure(4.25, 4, threshold=5).chart is None
    assert figure(None, 9, threshold=5).text == "—"
    assert figure(75, 9, threshold=5, places=0, suffix="%").text == "75%"
    assert change(0.4, 6, threshold=5).text == "+0.4"
    assert change(-0.4, 6, threshold=5).text == "-0.4"
    assert count(1200, threshold=5).text == "1,200"
    assert count(3, threshold=5).text == HIDDEN


def test_it_counts_months_in_the_programs_time_zone():
    # 1 March 03:00 UTC is still February in Los Angeles.
    months = selectors.last_months(datetime(2026, 3, 1, 3, tzinfo=UTC), "America/Los_Angeles")
    assert months[-1] == date(2026, 2, 1) and months[0] == date(2025, 3, 1) and len(months) == 12


def test_it_names_academic_years_as_the_program_counts_them(program, monkeypatch):
    monkeypatch.setattr(ReportSources, "credit_hours_by_year", lambda self: [
        {"year_start": dt.date(2025, 1, 1), "people": 6, "hours": Decimal("9")}])
    assert section(program, "training").rows[0][0] == "2025"


# --- speed ----------------------------------------------------------------------------------

# 250 mentors against 10 shows a count that grows with the data; bench/pages.py counts at 1,000.
@pytest.mark.parametrize("size", [10, 250])
def test_it_computes_the_whole_report_in_a_fixed_number_of_queries(
    client, program, coordinator, mentor, faculty, size, cold
):
    """The demo seeders give every mentor a year of data: assessments, attendance, plans,
    mentee records and training, above the privacy threshold at both sizes."""
    extra = core.seed_extra_mentors(program, size)
    people = {"coordinator": coordinator, "mentor": mentor, "faculty": faculty}
    for module in seeder_modules():
        module.seed(program=program, people=people, mentors=extra)
    client.force_login(coordinator)
    # the session, its user, their live memberships with their programs (the coordinator check and the
    # navigation's), the membership counts (4); self-assessments: the program's instruments, every
    # instrument's aggregates with its count of baselines, the readiness shares (3); the evidence of impact
    # and training beside it (1); attendance (1); compliance: the requirements, then every measure of every
    # mentor and their statuses decided and counted (2); plans (1); credit hours (1); mentees' feedback: the scores of
    # their latest answers and of their mentors' own skills inventories (1); the release counter with what
    # the report published before (1), and, this first time, recording the releases: the counter made and
    # the releases in one insert, in a transaction (4)
    with cold(19):
        response = client.get(report_url(program))
    html = response.content.decode()
    assert f"{size + 1:,}" in html
    data = charts(response)
    for key in ("readiness", "skills", "attendance", "compliance", "plans", "training"):
        assert any(v is not None for d in data[key]["datasets"] for v in d["data"]), key
    # A second visit computes the report again and publishes nothing new: the same figures, and no
    # writes (the 14 reads and the 1 of what was published).
    def cells(r):
        return [[str(c) for c in row] for s in r.context["report"].sections for row in s.rows]

    with cold(15):
        again = client.get(report_url(program))
    assert cells(again) == cells(response)
    assert charts(again) == data
    assert f"{size + 1:,}" in again.content.decode()


def test_it_recomputes_the_report_after_any_write(client, program, coordinator, mentor):
    client.force_login(coordinator)

    def mentors_total():
        rows = client.get(report_url(program)).context["report"].section("people").rows
        return next(row[-1] for row in rows if row[0] == Membership.Role.MENTOR.label)

    before = mentors_total()
    make_member(program, "mentor")
    assert int(mentors_total()) == int(before) + 1


def test_it_keeps_a_cached_report_to_the_programs_own_coordinators(client, program, other_program, coordinator,
                                                                     other_coordinator):
    client.force_login(coordinator)
    assert client.get(report_url(program)).status_code == 200
    client.force_login(other_coordinator)
    assert client.get(report_url(program)).status_code == 404
