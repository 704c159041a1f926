from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from courses.models import Course
from tests.factories.courses import CompletionFactory, CourseFactory, CourseSessionFactory, ThemeFactory

CATALOG = reverse("courses:catalog")


def titles(response) -> list[str]:
    return [c.title for c in response.context["page"]]


@pytest.fixture
def signed_in(client, mentor):
    client.force_login(mentor)
    return client


def test_it_lists_the_shared_seed_catalog(signed_in):
    response = signed_in.get(CATALOG)
    assert response.status_code == 200
    assert "Mentor training for faculty: a self-paced online course" in titles(response)
    assert "National Research Mentoring Network: workshops and resources" in titles(response)


def test_it_shows_a_programs_own_courses_only_to_its_people(client, program, other_program, mentor, other_coordinator):
    own = CourseFactory(program=program, title="Medicine-only workshop")
    client.force_login(mentor)
    assert own.title in titles(client.get(CATALOG))
    assert client.get(own.get_absolute_url()).status_code == 200
    client.force_login(other_coordinator)
    assert own.title not in titles(client.get(CATALOG))
    assert client.get(own.get_absolute_url()).status_code == 404


def test_it_leaves_inactive_courses_out_of_the_catalog(signed_in):
    CourseFactory(title="Retired workshop", is_active=False)
    assert "Retired workshop" not in titles(signed_in.get(CATALOG, {"q": "Retired"}))


def test_it_filters_to_courses_with_cme_credit(signed_in):
    CourseFactory(title="Credited course", cme_credit_hours=Decimal("1.5"))
    response = signed_in.get(CATALOG, {"with_credit": "on"})
    found = titles(response)
    assert "Credited course" in found
    assert "Mentor training for faculty: a self-paced online course" in found
    assert all(c.cme_credit_hours > 0 for c in response.context["page"])


def test_it_filters_by_kind_theme_domain_and_search(signed_in):
    stress = ThemeFactory(name="stress", slug="stress")
    CourseFactory(title="Stress clinic", modality=Course.Modality.CONFERENCE_WORKSHOP, themes=[stress],
                  domains=["equity-inclusion"])
    assert titles(signed_in.get(CATALOG, {"modality": "conference_workshop", "q": "stress"})) == ["Stress clinic"]
    by_theme = titles(signed_in.get(CATALOG, {"theme": "stress"}))
    assert set(by_theme) == {"Stress clinic", "Mentor training for faculty: a self-paced online course"}
    by_domain = titles(signed_in.get(CATALOG, {"domain": "equity-inclusion", "q": "Stress clinic"}))
    assert by_domain == ["Stress clinic"]
    assert "Stress clinic" not in titles(signed_in.get(CATALOG, {"domain": "fostering-independence"}))


def test_it_filters_to_courses_with_upcoming_sessions(signed_in):
    soon = CourseFactory(title="Coming soon")
    CourseSessionFactory(course=soon)
    past = CourseFactory(title="All done")
    CourseSessionFactory(course=past, starts_at=timezone.now() - datetime.timedelta(days=30))
    assert titles(signed_in.get(CATALOG, {"upcoming": "on"})) == ["Coming soon"]


def test_it_ignores_unknown_filter_values(signed_in):
    response = signed_in.get(CATALOG, {"modality": "telepathy", "theme": "nope", "with_credit": "on"})
    assert response.status_code == 200
    assert "Mentor training for faculty: a self-paced online course" in titles(response)


def test_it_marks_the_courses_the_person_has_recorded(signed_in, mentor):
    CompletionFactory(user=mentor, course__title="Already done")
    assert "You: attended" in signed_in.get(CATALOG, {"q": "Already done"}).content.decode()


@pytest.mark.parametrize("count", [5, 200])
def test_it_shows_the_catalog_in_a_fixed_number_of_queries(signed_in, mentor, count, cold):
    theme = ThemeFactory(name="feedback", slug="feedback")
    courses = CourseFactory.create_batch(count, themes=[theme], domains=["effective-communication"],
                                         cme_credit_hours=Decimal("1"))
    for course in courses[:5]:
        CourseSessionFactory(course=course)
        CompletionFactory(user=mentor, course=course, status="planned", completed_on=None, credit_hours=0)
    # session, user and memberships, themes, count, page, themes and domains of the page, my records
    with cold(9):
        response = signed_in.get(CATALOG, {"with_credit": "on"})
    assert response.context["page"].paginator.count == count + 1


def test_it_pages_a_long_catalog(signed_in):
    CourseFactory.create_batch(30, title="Repeated workshop")
    response = signed_in.get(CATALOG, {"q": "Repeated", "page": 2})
    assert response.context["page"].number == 2
    assert len(titles(response)) == 5


def test_it_shows_a_course_with_its_sessions_and_tags(signed_in):
    course = Course.objects.get(title="Mentor training for faculty: a self-paced online course")
    body = signed_in.get(course.get_absolute_url()).content.decode()
    assert "2.5 hours on completion" in body
    for theme in ["good and bad starts", "stress", "mood", "gender and inter-generational dynamics",
                  "giving and receiving feedback"]:
        assert theme in body
    assert "Maintaining effective communication" in body
