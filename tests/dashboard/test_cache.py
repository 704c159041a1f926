"""The dashboard keeps each person's cards in the cache until anything is written."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from mentorprogram import freshness
from mentorprogram.models import User
from tests.factories import make_member
from tests.factories.courses import CompletionFactory, CourseFactory, CourseSessionFactory


def _plan_course(user, title):
    course = CourseFactory(title=title)
    CompletionFactory(user=user, course=course, status="planned", completed_on=None, credit_hours=0)
    CourseSessionFactory(course=course, starts_at=timezone.now() + timedelta(days=3))


def test_it_answers_a_repeat_visit_without_a_query_whatever_the_data(client, program, mentor,
                                                                     django_assert_num_queries):
    client.force_login(mentor)
    for size in (10, 60):
        while program.memberships.count() < size:
            make_member(program)
        client.get(reverse("dashboard:home"))
        with django_assert_num_queries(0):  # session, user and page all come from the cache
            response = client.get(reverse("dashboard:home"))
        assert response.status_code == 200


def test_it_shows_a_change_on_the_next_request(client, mentor):
    client.force_login(mentor)
    client.get(reverse("dashboard:home"))
    _plan_course(mentor, "Motivational Interviewing Basics")
    assert "Motivational Interviewing Basics" in client.get(reverse("dashboard:home")).content.decode()


def test_it_sees_writes_that_send_no_signals(client, mentor):
    client.force_login(mentor)
    _plan_course(mentor, "Feedback Conversations")
    client.get(reverse("dashboard:home"))
    from courses.models import Course

    Course.objects.filter(title="Feedback Conversations").update(title="Giving Feedback That Lands")
    page = client.get(reverse("dashboard:home")).content.decode()
    assert "Giving Feedback That Lands" in page
    assert "Feedback Conversations" not in page


def test_it_never_shows_one_persons_cards_to_another(client, program, mentor, other_mentor):
    _plan_course(mentor, "Only Mine Course")
    client.force_login(mentor)
    assert "Only Mine Course" in client.get(reverse("dashboard:home")).content.decode()
    client.force_login(other_mentor)
    assert "Only Mine Course" not in client.get(reverse("dashboard:home")).content.decode()


def test_a_write_makes_a_new_stamp(mentor):
    from django.core.cache import cache

    freshness.bump()
    before = cache.get(freshness.STAMP_KEY)
    User.objects.filter(pk=mentor.pk).update(display_name="Dr. Renamed")
    assert cache.get(freshness.STAMP_KEY) != before


def test_its_kept_cards_carry_each_requests_own_csrf_token(program, mentor):
    import re

    from django.test import Client

    from dashboard.views import CSRF_PLACEHOLDER
    from tests.factories.assessments import make_instrument

    make_instrument(program)
    client = Client(enforce_csrf_checks=True)
    client.force_login(mentor)
    client.get(reverse("dashboard:home"))
    page = client.get(reverse("dashboard:home")).content.decode()  # from the cache
    assert CSRF_PLACEHOLDER not in page
    action, token = re.search(
        r'<form method="post" action="([^"]+)"[^>]*>\s*<input type="hidden" name="csrfmiddlewaretoken" value="([^"]+)"',
        page,
    ).groups()
    assert client.post(action, {"csrfmiddlewaretoken": token}).status_code != 403

