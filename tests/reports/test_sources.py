"""The report reads each section from the selectors of the app that owns its data, in the shape
the section expects, each source at most once per report."""

from __future__ import annotations

import datetime as dt
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from accountability.models import ReportingRequirement
from mentorprogram.models import Membership
from reports.sources import ReportSources
from tests.factories import make_member
from tests.factories.accountability import AccountabilityPlanFactory, PlanItemFactory
from tests.factories.assessments import make_instrument, make_response
from tests.factories.community import AttendanceFactory, MeetingFactory, MeetingSeriesFactory
from tests.factories.courses import CompletionFactory

NOW = dt.datetime(2026, 3, 20, 18, tzinfo=dt.UTC)


def test_it_feeds_the_report_domain_means_changes_and_readiness_shares(program):
    program.privacy_threshold = 2
    skills = make_instrument(program, domains=2, items_per_domain=2, name="Skills")
    readiness = make_instrument(program, kind="readiness", domains=1, items_per_domain=2, name="Readiness")
    then = timezone.now() - timedelta(days=90)
    for rating_before, rating_after in ((3, 5), (4, 5)):
        person = make_member(program)
        make_response(person, program, skills, rating=rating_before, now=then)
        make_response(person, program, skills, rating=rating_after)
        make_response(person, program, readiness, choice="yes")

    src = ReportSources(program, timezone.now())
    rows = src.domain_scores("skills")
    key = f"{skills.instrument.slug}-d1"
    assert rows[0] == {"domain": "Domain 1", "key": key, "baseline_mean": 3.5, "baseline_n": 2, "latest_mean": 5.0,
                       "latest_n": 2}
    assert src.domain_scores("readiness")[0]["latest_mean"] == 100.0
    assert src.readiness_shares() == [100.0, 100.0]
    assert src.domain_change()[0] == {"domain": "Domain 1", "key": key, "mean_change": 1.5, "n": 2}


def test_it_reads_the_skills_aggregates_once_for_both_sections(program, django_assert_num_queries):
    skills = make_instrument(program, domains=1, items_per_domain=1, name="Skills")
    for _ in range(5):
        make_response(make_member(program), program, skills, rating=4)
    src = ReportSources(program, timezone.now())
    # the program's instruments, then every instrument's aggregates (baselines and latest, with the
    # count of baselines)
    with django_assert_num_queries(2):
        src.domain_scores("skills")
        src.domain_change()
    with django_assert_num_queries(0):
        src.domain_scores("skills")


def test_it_gives_the_report_nothing_to_show_below_the_threshold(program):
    skills = make_instrument(program, domains=2, items_per_domain=1, name="Skills")
    make_response(make_member(program), program, skills, rating=2)
    src = ReportSources(program, timezone.now())
    assert [(r["baseline_mean"], r["baseline_n"]) for r in src.domain_scores("skills")] == [(None, 1), (None, 1)]
    assert src.readiness_shares() == []


def test_it_feeds_attendance_per_month_with_the_people_it_rests_on(program, mentor, other_mentor):
    Membership.objects.filter(program=program).update(joined_on=dt.date(2025, 1, 1))
    series = MeetingSeriesFactory(program=program)
    for day in (3, 17):
        meeting = MeetingFactory(series=series, status="held",
                                 starts_at=dt.datetime(2026, 2, day, 20, tzinfo=dt.UTC))
        AttendanceFactory(meeting=meeting, user=mentor)
    data = ReportSources(program, NOW).attendance_by_month([dt.date(2026, 2, 1), dt.date(2026, 3, 1)])
    assert data == {dt.date(2026, 2, 1): {"meetings": 2, "attended": 2, "expected": 4, "people": 2}}


def test_it_feeds_compliance_plans_and_credit_for_the_programs_today(program, mentor):
    ReportingRequirement.objects.create(program=program, metric="training_credit", target=2, period="academic_year")
    CompletionFactory(user=mentor, completed_on=dt.date(2025, 9, 1), credit_hours=Decimal("2.5"))
    plan = AccountabilityPlanFactory(program=program, mentor=mentor, period_start=dt.date(2025, 7, 1))
    PlanItemFactory(plan=plan, due_on=dt.date(2026, 3, 1))
    PlanItemFactory(plan=plan, due_on=dt.date(2026, 4, 1))
    # 20 March 01:00 UTC is still 19 March in Los Angeles: the item due on the 19th is not overdue yet.
    PlanItemFactory(plan=plan, due_on=dt.date(2026, 3, 19))
    program.time_zone = "America/Los_Angeles"
    src = ReportSources(program, dt.datetime(2026, 3, 20, 1, tzinfo=dt.UTC))
    assert src.today == dt.date(2026, 3, 19)
    requirement = program.reporting_requirements.get()
    assert src.requirement_compliance() == [
        {"requirement": "Training credit hours", "key": f"{requirement.pk}:2025-07-01", "target": "2 per academic year",
         "on_track": 1, "behind": 0}]
    assert src.plan_completion() == {"people": 1, "items": 3, "completed": 0, "overdue": 1}
    assert src.credit_hours_by_year() == [{"year_start": dt.date(2025, 7, 1), "people": 1, "hours": Decimal("2.5")}]
