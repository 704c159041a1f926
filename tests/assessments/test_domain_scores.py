"""A submitted response's figures per domain are counted once, by the scoring rules, and the
migration that brought them in counted the responses submitted before it the same way."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from assessments import services
from assessments.models import DomainScore, Instrument
from assessments.scoring import AnswerValue
from tests.factories.assessments import items_of, make_instrument, make_response


def figures(response) -> dict[str, tuple]:
    return {s.domain.key: (s.score, s.readiness, s.checked, s.yes)
            for s in DomainScore.objects.filter(response=response).select_related("domain")}


def test_it_counts_the_mean_rating_of_each_domain_leaving_not_applicable_out(mentor, program):
    version = make_instrument(program, domains=2, items_per_domain=2, keys=["listening", "feedback"],
                              response_type="rating")
    first, second, third, fourth = items_of(version)
    draft = services.response_start(user=mentor, program=program, version=version)
    answers = {first.pk: AnswerValue(rating=2), second.pk: AnswerValue(rating=5),
               third.pk: AnswerValue(rating=6), fourth.pk: AnswerValue(not_applicable=True)}
    services.response_save_draft(response=draft, answers=answers)
    assert not DomainScore.objects.exists()  # a draft may still change: nothing is counted

    submitted = services.response_submit(response=draft, answers=answers)

    assert figures(submitted) == {"listening": (3.5, None, 0, 0), "feedback": (6.0, None, 0, 0)}


def test_it_counts_the_share_of_yes_of_a_checklist(mentor, program):
    version = make_instrument(program, kind=Instrument.Kind.READINESS, domains=1, items_per_domain=4,
                              keys=["expectations"])
    draft = services.response_start(user=mentor, program=program, version=version)
    choices = ["yes", "not_yet", "unsure", "yes"]
    answers = {item.pk: AnswerValue(choice=c) for item, c in zip(items_of(version), choices, strict=True)}

    submitted = services.response_submit(response=draft, answers=answers)

    assert figures(submitted) == {"expectations": (None, 0.5, 4, 2)}


pytestmark_migration = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def migrate(targets=None):
    executor = MigrationExecutor(connection)
    executor.migrate(targets or executor.loader.graph.leaf_nodes())


@pytestmark_migration
def test_the_migration_counts_the_responses_submitted_before_it(mentor, other_mentor, program):
    version = make_instrument(program, domains=2, items_per_domain=3)
    baseline = make_response(mentor, program, version, rating=3)
    follow_up = make_response(mentor, program, version, rating=6)
    theirs = make_response(other_mentor, program, version, rating=4)
    draft = make_response(other_mentor, program, version, submitted=False)
    counted = {r.pk: figures(r) for r in (baseline, follow_up, theirs)}
    changes = dict(DomainScore.objects.values_list("response_id", "score_change").order_by("response_id"))
    try:
        migrate([("assessments", "0003_default_instruments")])
    finally:
        migrate()

    assert {r.pk: figures(r) for r in (baseline, follow_up, theirs)} == counted
    assert all(score == 3.0 for score, *_ in counted[baseline.pk].values())
    # the follow-up's change from the baseline, counted again from the baseline counted first
    assert dict(DomainScore.objects.values_list("response_id", "score_change").order_by("response_id")) == changes
    assert changes == {baseline.pk: None, follow_up.pk: 3.0, theirs.pk: None}
    assert not DomainScore.objects.filter(response=draft).exists()
