from __future__ import annotations

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from courses import services
from tests.factories.courses import CompletionFactory, CourseFactory
from toolbox.periods import academic_year_label, academic_year_named, academic_year_of


def test_it_names_academic_years_by_their_start():
    assert academic_year_of(datetime.date(2025, 6, 30), 7) == 2024
    assert academic_year_of(datetime.date(2025, 7, 1), 7) == 2025
    # Half-open: the end is the first day of the next year.
    july = academic_year_named(2025, 7)
    assert (july.start, july.end) == (datetime.date(2025, 7, 1), datetime.date(2026, 7, 1))
    assert july.contains(datetime.date(2026, 6, 30)) and not july.contains(datetime.date(2026, 7, 1))
    january = academic_year_named(2025, 1)
    assert (january.start, january.end) == (datetime.date(2025, 1, 1), datetime.date(2026, 1, 1))
    assert academic_year_label(2025, 7) == "2025–26"
    assert academic_year_label(2099, 9) == "2099–00"
    assert academic_year_label(2025, 1) == "2025"


@pytest.fixture
def history(mentor):
    CompletionFactory(user=mentor, course__title="Spring workshop", completed_on=datetime.date(2025, 6, 30),
                      credit_hours=Decimal("1.5"))
    CompletionFactory(user=mentor, course__title="Autumn course", completed_on=datetime.date(2025, 7, 1),
                      credit_hours=Decimal("2.5"))
    CompletionFactory(user=mentor, course__title="Winter day", completed_on=datetime.date(2026, 1, 15),
                      credit_hours=Decimal("1"))
    CompletionFactory(user=mentor, course__title="Planned series", status="planned", completed_on=None,
                      credit_hours=0)


def test_it_groups_credit_by_the_programs_academic_year(client, mentor, history):
    client.force_login(mentor)
    transcript = client.get(reverse("courses:transcript")).context["transcript"]
    assert [(y.label, y.credit_hours) for y in transcript.years] == [("2025–26", Decimal("3.5")),
                                                                     ("2024–25", Decimal("1.5"))]
    assert [c.course.title for c in transcript.in_progress] == ["Planned series"]
    assert transcript.credit_hours == Decimal("5")


def test_it_follows_a_different_start_month(client, program, mentor, history):
    program.academic_year_start_month = 1
    program.save()
    client.force_login(mentor)
    transcript = client.get(reverse("courses:transcript")).context["transcript"]
    assert [(y.label, y.credit_hours) for y in transcript.years] == [("2026", Decimal("1")), ("2025", Decimal("4"))]


def test_it_shows_one_academic_year(client, mentor, history):
    client.force_login(mentor)
    response = client.get(reverse("courses:transcript"), {"year": 2024})
    assert [y.label for y in response.context["transcript"].years] == ["2024–25"]
    assert "Autumn course" not in response.content.decode()


def test_it_counts_verified_credit_apart(client, mentor, coordinator, history):
    completion = mentor.course_completions.get(course__title="Autumn course")
    services.completion_verify(completion=completion, by=coordinator)
    client.force_login(mentor)
    year = client.get(reverse("courses:transcript")).context["transcript"].years[0]
    assert (year.credit_hours, year.verified_credit_hours) == (Decimal("3.5"), Decimal("2.5"))


def test_it_shows_a_person_s_transcript_to_their_coordinator(client, mentor, coordinator, history):
    client.force_login(coordinator)
    response = client.get(reverse("courses:person_transcript", args=[mentor.pk]))
    assert response.status_code == 200
    assert "Autumn course" in response.content.decode()


@pytest.mark.parametrize("who", ["other_mentor", "other_coordinator", "outsider", "staff_without_membership"])
def test_it_hides_a_transcript_from_everyone_else(client, request, mentor, history, who):
    client.force_login(request.getfixturevalue(who))
    for name in ("courses:person_transcript", "courses:transcript_csv", "courses:transcript_print"):
        assert client.get(reverse(name, args=[mentor.pk])).status_code == 404


def test_it_downloads_the_transcript_as_csv(client, mentor, history):
    client.force_login(mentor)
    response = client.get(reverse("courses:transcript_csv", args=[mentor.pk]))
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:2] == ["Academic year", "Course"]
    assert rows[1][:2] == ["2025–26", "Winter day"]
    assert rows[1][6] == "1.00"
    assert rows[-1][1:5] == ["Planned series", "Faculty Development Office", "Workshop series", "Planned"]


def test_it_neutralises_formulas_in_the_csv(client, mentor):
    CompletionFactory(user=mentor, course__title='=HYPERLINK("http://evil.example","click")',
                      course__provider="@SUM(A1)")
    client.force_login(mentor)
    content = client.get(reverse("courses:transcript_csv", args=[mentor.pk])).content.decode("utf-8-sig")
    row = list(csv.reader(io.StringIO(content)))[1]
    assert row[1] == '\'=HYPERLINK("http://evil.example","click")'
    assert row[2] == "'@SUM(A1)"


def test_it_has_a_printable_view(client, mentor, history):
    client.force_login(mentor)
    response = client.get(reverse("courses:transcript_print", args=[mentor.pk]), {"year": 2025})
    body = response.content.decode()
    assert response.status_code == 200
    assert "Academic year 2025–26" in body
    assert "data-print" in body
    assert 'class="navbar' not in body
    assert "<script>" not in body


@pytest.mark.parametrize("count", [5, 200])
def test_it_shows_the_transcript_in_a_fixed_number_of_queries(client, mentor, count, cold):
    courses = CourseFactory.create_batch(count, cme_credit_hours=Decimal("1"))
    start = datetime.date(2020, 7, 1)
    for i, course in enumerate(courses):
        CompletionFactory(user=mentor, course=course, completed_on=start + datetime.timedelta(days=7 * i),
                          credit_hours=Decimal("1"))
    client.force_login(mentor)
    # session, user and their memberships, the person's program (academic year), completions
    with cold(5):
        response = client.get(reverse("courses:transcript"))
    assert response.context["transcript"].credit_hours == count
    with cold(4):  # the same less the memberships
        client.get(reverse("courses:transcript_csv", args=[mentor.pk]))
