from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from assessments.models import Domain, Instrument, InstrumentVersion
from courses.models import Course
from courses.selectors import suggest_for_domains
from tests.factories.courses import CourseFactory, CourseSessionFactory

NOW = timezone.now()


@pytest.fixture
def independence(db):
    """Only these courses address fostering independence (the seed catalog's are set aside)."""
    Course.objects.filter(domains__domain_key="fostering-independence").update(is_active=False)
    far = CourseFactory(title="Series starting later", domains=["fostering-independence"])
    CourseSessionFactory(course=far, starts_at=NOW + datetime.timedelta(days=60))
    soon = CourseFactory(title="Series starting soon", domains=["fostering-independence"])
    CourseSessionFactory(course=soon, starts_at=NOW + datetime.timedelta(days=5))
    CourseSessionFactory(course=soon, starts_at=NOW - datetime.timedelta(days=5))
    rich = CourseFactory(title="Self-paced, much credit", domains=["fostering-independence", "equity-inclusion"],
                         cme_credit_hours=Decimal("3"))
    poor = CourseFactory(title="Self-paced, no credit", domains=["fostering-independence"])
    old = CourseFactory(title="Only past sessions", domains=["fostering-independence"], cme_credit_hours=Decimal("1"))
    CourseSessionFactory(course=old, starts_at=NOW - datetime.timedelta(days=30))
    CourseFactory(title="Retired", domains=["fostering-independence"], is_active=False)
    CourseFactory(title="Other domain", domains=["equity-inclusion"])
    return {"far": far, "soon": soon, "rich": rich, "poor": poor, "old": old}


def test_it_orders_suggestions_by_upcoming_session_then_credit(independence):
    found = [c.title for c in suggest_for_domains({"fostering-independence"}, now=NOW)]
    assert found == ["Series starting soon", "Series starting later", "Self-paced, much credit",
                     "Only past sessions", "Self-paced, no credit"]


def test_it_gives_the_start_of_the_next_session(independence):
    first = suggest_for_domains(["fostering-independence"], now=NOW)[0]
    assert first.next_session_starts_at == independence["soon"].sessions.get(starts_at__gte=NOW).starts_at


def test_it_suggests_each_course_once_for_several_domains(independence):
    found = [c.title for c in suggest_for_domains(["fostering-independence", "equity-inclusion"], now=NOW)]
    assert found.count("Self-paced, much credit") == 1
    assert "Other domain" in found


def test_it_limits_suggestions_to_what_the_person_and_program_may_see(program, other_program, mentor):
    CourseFactory(title="Surgery's own", program=other_program, domains=["time-availability"])
    CourseFactory(title="Medicine's own", program=program, domains=["time-availability"])
    shared = {c.title for c in suggest_for_domains(["time-availability"])}
    assert {"Surgery's own", "Medicine's own"} <= shared
    assert "Surgery's own" not in {c.title for c in suggest_for_domains(["time-availability"], user=mentor)}
    assert "Surgery's own" not in {c.title for c in suggest_for_domains(["time-availability"], program=program)}
    assert "Medicine's own" in {c.title for c in suggest_for_domains(["time-availability"], program=program)}


def test_it_matches_domains_of_any_instrument_version_by_their_key(db):
    instrument = Instrument.objects.create(kind="skills", slug="skills-inventory", name="Skills inventory")
    v1, v2 = (InstrumentVersion.objects.create(instrument=instrument, number=n) for n in (1, 2))
    old = Domain.objects.create(version=v1, key="equity-inclusion", name="Equity and inclusion")
    new = Domain.objects.create(version=v2, key="equity-inclusion", name="Addressing equity and inclusion")
    course = CourseFactory(title="Inclusive mentoring", domains=["equity-inclusion"])
    assert course in suggest_for_domains([old.key])
    assert course in suggest_for_domains([new.key])


def test_the_seed_catalog_has_suggestions_for_every_skills_domain(db):
    from courses.domains import SKILLS_DOMAINS

    for key in SKILLS_DOMAINS:
        assert suggest_for_domains([key]).exists(), key


def test_it_runs_in_two_queries(independence, django_assert_num_queries):
    with django_assert_num_queries(2):
        courses = list(suggest_for_domains(["fostering-independence"], now=NOW))
        [d.domain_key for c in courses for d in c.domains.all()]
