"""Words on every page: each HTML page of the authorization matrix, for each role that may read
it, shows no message twice and no count of one with a plural noun ("1 CME credit hours")."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from django.urls import reverse

from accountability.models import ReportingRequirement
from tests import authz
from tests.factories.accountability import ReportingRequirementFactory
from tests.factories.courses import CompletionFactory, CourseFactory

ROUTES = authz.all_routes()
ROLES = ("owner", "coordinator", "other_mentor")
ONE_WITH_PLURAL = re.compile(
    r"(?<![\d.,])1 (?:CME |credit |of 1 )*(hours|meetings|mentees|responses|items|goals|people|credits|days)\b")


def _text(html: str) -> str:
    body = re.sub(r"(?s)<(script|style|svg)\b.*?</\1>", " ", html)
    return " ".join(re.sub(r"<[^>]+>", " ", body).split())


def _messages(html: str) -> list[str]:
    """The texts of alerts, invalid-feedback and error lists: what would read as said twice."""
    found = re.findall(
        r'(?s)<(?:div|li|p|span)[^>]*class="[^"]*(?:alert|invalid-feedback|errorlist)[^"]*"[^>]*>(.*?)</', html)
    texts = (" ".join(re.sub(r"<[^>]+>", " ", m).split()) for m in found)
    return [t for t in texts if t]  # an alert's leading icon alone (up to its </i>) says nothing


@pytest.fixture
def singular_world(world):
    """The matrix's world, with exactly one of each thing a page counts."""
    owner, program = world.people["owner"], world.program
    CompletionFactory(user=owner, course=CourseFactory(program=program, cme_credit_hours=1), credit_hours=1)
    for metric in (ReportingRequirement.Metric.MENTEE_MEETINGS, ReportingRequirement.Metric.COMMUNITY_ATTENDANCE):
        if not program.reporting_requirements.filter(metric=metric).exists():
            ReportingRequirementFactory(program=program, metric=metric, target=1)
    return world


def test_no_page_says_one_with_a_plural_or_a_message_twice(client, singular_world):
    world, checked = singular_world, 0
    for role in ROLES:
        client.force_login(world.people[role])
        for route in ROUTES:
            if route.get[role] != 200:
                continue
            response = client.get(reverse(route.name, kwargs=route.kwargs(world)))
            if not response.get("Content-Type", "").startswith("text/html"):
                continue
            html = response.content.decode()
            text = _text(html)
            assert not ONE_WITH_PLURAL.search(text), (route.name, role, ONE_WITH_PLURAL.search(text).group(0))
            doubled = [m for m, n in Counter(_messages(html)).items() if n > 1]
            assert not doubled, (route.name, role, doubled)
            checked += 1
        client.logout()
    assert checked > 40


def test_the_sign_in_pages_say_each_thing_once(client, mentor):
    pages = [
        client.get(reverse("account_login")),
        client.post(reverse("account_login"), {"login": mentor.email, "password": "not the password"}),
        client.get(reverse("account_reset_password")),
        client.post(reverse("account_reset_password"), {"email": "not an email"}),
    ]
    for response in pages:
        html = response.content.decode()
        doubled = [m for m, n in Counter(_messages(html)).items() if n > 1]
        assert not doubled, (response.request["PATH_INFO"], doubled)
        assert _text(html).count("Forgot your password?") <= 1
    assert "not correct" in _text(pages[1].content.decode())  # the error is said, once
    assert _text(pages[0].content.decode()).count("Forgot your password?") == 1


def test_the_pattern_catches_what_it_is_for():
    assert ONE_WITH_PLURAL.search("you have 1 CME credit hours this year")
    assert ONE_WITH_PLURAL.search("1 of 1 meetings attended")
    assert not ONE_WITH_PLURAL.search("2.1 hours, 11 meetings, 1 hour, 1 of 2 meetings")
