"""The program report reads its self-assessment sections from the assessments aggregates."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from reports import sources
from tests.factories import make_member
from tests.factories.assessments import make_instrument, make_response


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

    rows = sources.domain_scores(program, "skills")
    assert rows[0] == {"domain": "Domain 1", "baseline_mean": 3.5, "baseline_n": 2, "latest_mean": 5.0,
                       "latest_n": 2}
    assert sources.domain_scores(program, "readiness")[0]["latest_mean"] == 100.0
    assert sources.readiness_shares(program) == [100.0, 100.0]
    assert sources.domain_change(program)[0] == {"domain": "Domain 1", "mean_change": 1.5, "n": 2}


def test_it_gives_the_report_nothing_to_show_below_the_threshold(program):
    skills = make_instrument(program, domains=2, items_per_domain=1, name="Skills")
    make_response(make_member(program), program, skills, rating=2)
    rows = sources.domain_scores(program, "skills")
    assert [(r["baseline_mean"], r["baseline_n"]) for r in rows] == [(None, 1), (None, 1)]
    assert sources.readiness_shares(program) == []
