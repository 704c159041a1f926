from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from courses.selectors import credit_hours_in_academic_year
from tests.factories.courses import CompletionFactory, CourseFactory, CourseSessionFactory
from toolbox.periods import academic_year


def training_card(response) -> dict:
    return next(c for c in response.context["cards"] if c["title"] == "Training")


def test_it_shows_this_academic_years_credit_and_the_next_planned_session(client, program, mentor):
    today = timezone.localdate()
    year_start = academic_year(today, 7).start
    CompletionFactory(user=mentor, completed_on=today, credit_hours=Decimal("2.5"))
    CompletionFactory(user=mentor, completed_on=year_start - datetime.timedelta(days=1), credit_hours=Decimal("2"))
    series = CourseFactory(title="Three-part series")
    CompletionFactory(user=mentor, course=series, status="planned", completed_on=None, credit_hours=0)
    CourseSessionFactory(course=series, title="Part 1", starts_at=timezone.now() - datetime.timedelta(days=1))
    part2 = CourseSessionFactory(course=series, title="Part 2", starts_at=timezone.now() + datetime.timedelta(days=3))
    CourseSessionFactory(course=CourseFactory(), starts_at=timezone.now() + datetime.timedelta(days=1))
    client.force_login(mentor)
    response = client.get("/")
    card = training_card(response)
    assert card["credit_hours"] == Decimal("2.5")
    assert card["next_session"] == part2
    assert "Three-part series" in response.content.decode()


def test_it_tells_a_newcomer_there_is_nothing_yet(client, mentor):
    client.force_login(mentor)
    response = client.get("/")
    assert training_card(response)["credit_hours"] == 0
    assert "No session of a course you plan to take" in response.content.decode()


def test_the_card_runs_a_fixed_number_of_queries(client, mentor, django_assert_num_queries):
    from dashboard.cards import Viewer, training

    for _ in range(20):
        course = CourseFactory()
        CompletionFactory(user=mentor, course=course, status="enrolled", completed_on=None, credit_hours=0)
        CourseSessionFactory(course=course)
    memberships = list(mentor.memberships.select_related("program"))
    with django_assert_num_queries(2):
        card = training.card(Viewer(user=mentor, memberships=memberships, now=timezone.now()))
    assert card["next_session"] is not None


def test_it_counts_a_programs_academic_year_for_reporting(program, mentor):
    program.academic_year_start_month = 9
    CompletionFactory(user=mentor, completed_on=datetime.date(2025, 8, 31), credit_hours=Decimal("1"))
    CompletionFactory(user=mentor, completed_on=datetime.date(2025, 9, 1), credit_hours=Decimal("2"))
    now = datetime.datetime(2026, 1, 10, 12, tzinfo=datetime.UTC)
    assert credit_hours_in_academic_year(user=mentor, program=program, now=now) == Decimal("2")
    assert credit_hours_in_academic_year(user=mentor, program=program, year=2024) == Decimal("1")


def test_it_sums_a_programs_credit_by_academic_year_for_the_report(program, other_program, mentor, faculty,
                                                                    django_assert_num_queries):
    from courses.selectors import credit_hours_by_academic_year
    from tests.factories import MembershipFactory, make_member

    MembershipFactory(user=mentor, program=program, role="faculty")  # two roles, counted once
    CompletionFactory(user=mentor, completed_on=datetime.date(2025, 6, 30), credit_hours=Decimal("1"))
    CompletionFactory(user=mentor, completed_on=datetime.date(2025, 7, 1), credit_hours=Decimal("2.5"))
    CompletionFactory(user=faculty, completed_on=datetime.date(2026, 2, 1), credit_hours=Decimal("1.5"))
    CompletionFactory(user=faculty, status="planned", completed_on=None, credit_hours=0)
    CompletionFactory(user=make_member(other_program), completed_on=datetime.date(2025, 8, 1))
    with django_assert_num_queries(1):
        rows = credit_hours_by_academic_year(program=program)
    assert rows == [
        {"year_start": datetime.date(2024, 7, 1), "people": 1, "hours": Decimal("1")},
        {"year_start": datetime.date(2025, 7, 1), "people": 2, "hours": Decimal("4")},
    ]
