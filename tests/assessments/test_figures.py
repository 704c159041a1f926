"""The person's own statuses read a submitted response's figures from its domain scores and count
a draft's progress in the database: both agree with the scoring rules they stand in for."""

from __future__ import annotations

import pytest

from assessments import scoring, selectors, services
from assessments.models import Item
from tests.factories.assessments import full_answers, items_of, make_instrument, make_response

A = scoring.AnswerValue
# Per type, the ways of answering an item fully, part way or not at all (one item is left out).
DRAFTS = {
    "checklist": [A(choice="yes"), A(choice="unsure")],
    "rating": [A(rating=5), A(not_applicable=True), A()],
    "ability_willingness": [A(rating=5, willingness="willing"), A(not_applicable=True), A(rating=3),
                            A(willingness="not_sure")],
    "text": [A(text="Done."), A(text="   "), A()],
}


@pytest.mark.parametrize("response_type", DRAFTS)
def test_a_drafts_progress_is_counted_as_the_scoring_rules_count_it(mentor, program, response_type):
    answers = DRAFTS[response_type]
    version = make_instrument(program, domains=1, items_per_domain=len(answers) + 1, response_type=response_type)
    partial = {item.pk: answer for item, answer in zip(items_of(version), answers, strict=False)}
    draft = services.response_start(user=mentor, program=program, version=version)
    services.response_save_draft(response=draft, answers=partial)
    status = next(s for s in selectors.statuses_for_taker(user=mentor) if s.version == version)
    expected = scoring.progress([selectors.domain_spec(d) for d in version.domains.all()],
                                selectors.answers_by_response([draft.pk])[draft.pk])
    assert (status.answered, status.total) == expected


@pytest.mark.parametrize("kind", ["skills", "readiness"])
def test_the_figures_are_those_of_the_scored_response(mentor, program, kind):
    version = make_instrument(program, kind=kind, domains=3, items_per_domain=2)
    baseline = make_response(mentor, program, version, rating=6, choice="yes")
    answers = full_answers(version, rating=2, choice="not_yet")
    first = items_of(version)[0]
    answers[first.pk] = A(choice="yes") if kind == "readiness" else A(rating=7, willingness="willing")
    latest = services.response_submit(
        response=services.response_start(user=mentor, program=program, version=version), answers=answers)
    status = next(s for s in selectors.statuses_for_taker(user=mentor) if s.version == version)
    scored = selectors.score_responses([baseline, latest])
    full = scored[latest.pk]
    assert status.latest.measure == full.measure
    assert status.latest.overall == pytest.approx(full.score.overall)
    assert status.latest.readiness == pytest.approx(full.score.readiness)
    assert status.latest.gap_count == len(full.score.gaps)
    assert status.latest.scale_max == Item.objects.filter(domain__version=version).first().scale_max
    change = scoring.compare(scored[baseline.pk].score, full.score).overall.change
    assert status.overall_change == pytest.approx(change)
