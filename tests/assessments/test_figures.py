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


def test_the_responses_query_is_compiled_once_a_shape_and_each_person_gets_their_own(
    mentor, other_mentor, program, monkeypatch,
):
    """The statuses' query is compiled once for a program's instruments, then run with each
    person's id: the figures and the drafts' progress stay each person's, and a new instrument
    is a new shape."""
    from toolbox import compiled

    version = make_instrument(program, domains=2, items_per_domain=2)
    make_response(mentor, program, version, rating=6)
    make_response(other_mentor, program, version, submitted=False)
    monkeypatch.setattr(compiled, "_shapes", type(compiled._shapes)())
    builds = []
    real = compiled.Compiled
    monkeypatch.setattr(compiled, "Compiled", lambda queryset: builds.append(queryset) or real(queryset))

    def status_of(person, of=version):
        return next(s for s in selectors.statuses_for_taker(user=person) if s.version == of)

    mine, theirs = status_of(mentor), status_of(other_mentor)
    assert (mine.state, mine.latest.overall, mine.draft) == ("submitted", 6, None)
    assert (theirs.state, theirs.latest, theirs.answered, theirs.total) == ("draft", None, 1, 4)
    assert len(builds) == 1
    make_response(mentor, program, version, rating=2)  # a follow-up shows on the next read
    assert status_of(mentor).overall_change == pytest.approx(-4)
    assert len(builds) == 1
    readiness = make_instrument(program, kind="readiness", domains=1, items_per_domain=2)
    assert status_of(mentor, readiness).state == "not_started"
    assert len(builds) == 2
