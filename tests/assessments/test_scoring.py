"""Scoring rules, computed by hand (assessments/scoring.py; no database)."""

from __future__ import annotations

import pytest

from assessments.scoring import (
    AnswerValue,
    DomainSpec,
    ItemSpec,
    compare,
    domain_score,
    is_answered,
    missing_required,
    overall_score,
    progress,
    readiness_share,
    score_response,
)


def skills_domain(key: str, first_id: int, n: int = 3) -> DomainSpec:
    return DomainSpec(key, key.title(), tuple(
        ItemSpec(first_id + i, f"{key} {i}", "ability_willingness") for i in range(n)))


def checklist_domain(key: str, first_id: int, n: int = 4) -> DomainSpec:
    return DomainSpec(key, key.title(), tuple(ItemSpec(first_id + i, f"{key} {i}", "checklist") for i in range(n)))


def rated(rating: int, willingness: str = "willing") -> AnswerValue:
    return AnswerValue(rating=rating, willingness=willingness)


NA = AnswerValue(not_applicable=True)


def test_it_takes_the_mean_of_the_numeric_answers_of_a_domain():
    assert domain_score([5, 6, 7]) == 6.0
    assert domain_score([2, None, 3]) == 2.5


def test_it_gives_an_empty_domain_no_score_rather_than_zero():
    assert domain_score([]) is None
    assert domain_score([None, None]) is None


def test_it_averages_domain_scores_with_equal_weight_for_the_overall_score():
    # (6 + 3) / 2, not the mean of the items: an empty domain is left out, not counted as 0.
    assert overall_score([6.0, 3.0, None]) == 4.5
    assert overall_score([None]) is None


def test_it_leaves_not_applicable_answers_out_of_the_domain_score():
    domains = [skills_domain("communication", 1)]
    # Items 1..3: 6, not applicable, 3 → (6 + 3) / 2 = 4.5, not (6 + 0 + 3) / 3 = 3.
    score = score_response(domains, {1: rated(6), 2: NA, 3: rated(3)}, threshold=4)
    assert score.domains[0].score == 4.5
    assert score.overall == 4.5
    assert score.gaps == ()


def test_it_scores_a_whole_skills_response_and_finds_the_gaps():
    domains = [skills_domain("communication", 1), skills_domain("independence", 11), skills_domain("equity", 21)]
    answers = {
        1: rated(7), 2: rated(6), 3: rated(5),          # communication 6.0
        11: rated(3), 12: rated(4), 13: rated(2),       # independence 3.0 → gap (below 4)
        21: NA, 22: NA, 23: NA,                         # equity: every answer n/a → no score, no gap
    }
    score = score_response(domains, answers, threshold=4)
    assert [d.score for d in score.domains] == [6.0, 3.0, None]
    assert score.overall == 4.5  # (6 + 3) / 2
    assert score.readiness is None
    assert list(score.gaps_by_key) == ["independence"]


def test_it_counts_a_score_equal_to_the_threshold_as_no_gap():
    domains = [skills_domain("communication", 1, n=2)]
    score = score_response(domains, {1: rated(4), 2: rated(4)}, threshold=4)
    assert score.domains[0].score == 4.0
    assert score.gaps == ()
    assert score_response(domains, {1: rated(4), 2: rated(3)}, threshold=4).domains[0].gap  # 3.5


def test_it_reports_willingness_separately_and_never_mixes_it_into_ability():
    domains = [skills_domain("communication", 1)]
    answers = {1: rated(2, "willing"), 2: rated(2, "not_sure"), 3: rated(2, "willing")}
    result = score_response(domains, answers, threshold=4).domains[0]
    assert result.score == 2.0  # ability only
    assert (result.willingness.willing, result.willingness.not_sure, result.willingness.not_willing) == (2, 1, 0)
    assert result.willingness.willing_share == pytest.approx(2 / 3)
    assert result.gap


def test_it_does_not_ask_willingness_of_a_not_applicable_item():
    domains = [skills_domain("communication", 1, n=1)]
    assert score_response(domains, {1: NA}, threshold=4).domains[0].willingness.answered == 0


def test_it_gives_a_checklist_answered_all_not_yet_a_readiness_of_zero_and_a_gap_everywhere():
    domains = [checklist_domain("time", 1), checklist_domain("boundaries", 11)]
    answers = {i: AnswerValue(choice="not_yet") for i in (1, 2, 3, 4, 11, 12, 13, 14)}
    score = score_response(domains, answers, threshold=4)
    assert score.readiness == 0.0
    assert [d.readiness for d in score.domains] == [0.0, 0.0]
    assert [d.key for d in score.gaps] == ["time", "boundaries"]
    assert len(score.domains[0].gap_items) == 4
    assert score.overall is None  # a checklist has no numeric score


def test_it_counts_the_share_of_yes_and_lists_not_yet_and_unsure_items():
    domains = [checklist_domain("time", 1), checklist_domain("boundaries", 11)]
    answers = {
        1: AnswerValue(choice="yes"), 2: AnswerValue(choice="yes"), 3: AnswerValue(choice="yes"),
        4: AnswerValue(choice="yes"),
        11: AnswerValue(choice="yes"), 12: AnswerValue(choice="unsure"), 13: AnswerValue(choice="not_yet"),
        14: AnswerValue(choice="yes"),
    }
    score = score_response(domains, answers, threshold=4)
    assert score.readiness == 6 / 8
    assert [d.readiness for d in score.domains] == [1.0, 0.5]
    assert list(score.gaps_by_key) == ["boundaries"]
    assert score.domains[1].gap_items == (("boundaries 1", "unsure"), ("boundaries 2", "not_yet"))
    assert readiness_share(["yes", "", "unsure"]) == 0.5  # blanks are not counted


def test_it_compares_domains_by_key_and_computes_the_change():
    domains = [skills_domain("communication", 1, n=2), skills_domain("equity", 11, n=2)]
    baseline = score_response(domains, {1: rated(3), 2: rated(4), 11: rated(2), 12: rated(2)}, threshold=4)
    # A new version added a domain: it has no baseline and no change.
    later = [*domains, skills_domain("development", 21, n=1)]
    latest = score_response(later, {1: rated(5), 2: rated(6), 11: rated(3), 12: rated(2), 21: rated(6)}, threshold=4)
    comparison = compare(baseline, latest)
    rows = {r.key: (r.baseline, r.latest, r.change) for r in comparison.domains}
    assert rows == {"communication": (3.5, 5.5, 2.0), "equity": (2.0, 2.5, 0.5), "development": (None, 6.0, None)}
    # Overall: baseline (3.5 + 2) / 2 = 2.75; latest (5.5 + 2.5 + 6) / 3 = 4.666…
    assert comparison.overall.baseline == 2.75
    assert comparison.overall.change == pytest.approx(14 / 3 - 2.75)
    assert comparison.measure == "score"


def test_it_compares_checklists_by_their_share_of_yes():
    domains = [checklist_domain("time", 1, n=2)]
    before = score_response(domains, {1: AnswerValue(choice="not_yet"), 2: AnswerValue(choice="yes")}, threshold=4)
    after = score_response(domains, {1: AnswerValue(choice="yes"), 2: AnswerValue(choice="yes")}, threshold=4)
    comparison = compare(before, after)
    assert comparison.measure == "readiness"
    assert (comparison.overall.baseline, comparison.overall.latest, comparison.overall.change) == (0.5, 1.0, 0.5)


def test_it_needs_ability_and_willingness_unless_not_applicable_for_a_complete_answer():
    item = ItemSpec(1, "q", "ability_willingness")
    assert not is_answered(item, AnswerValue(rating=5))
    assert not is_answered(item, AnswerValue(willingness="willing"))
    assert is_answered(item, AnswerValue(rating=5, willingness="willing"))
    assert is_answered(item, NA)
    assert not is_answered(ItemSpec(2, "t", "text"), AnswerValue(text="   "))


def test_it_lists_missing_required_items_and_ignores_optional_ones():
    domain = DomainSpec("d", "D", (
        ItemSpec(1, "a", "checklist"), ItemSpec(2, "b", "checklist"), ItemSpec(3, "c", "text", required=False)))
    assert missing_required([domain], {1: AnswerValue(choice="yes")}) == [2]
    assert progress([domain], {1: AnswerValue(choice="yes")}) == (1, 3)
