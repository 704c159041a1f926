"""Selectors other apps use: program aggregates (reporting) and gaps by domain key (plans)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from assessments import selectors, services
from assessments.scoring import AnswerValue
from mentorprogram.models import Membership
from tests.factories import make_member
from tests.factories.assessments import items_of, make_instrument, make_response

NA = "na"
T0 = timezone.now() - timedelta(days=400)


def submit(person, program, version, ratings: list, days: int):
    """ratings: one per item in order; NA for not applicable."""
    answers = {
        item.pk: AnswerValue(not_applicable=True) if r == NA else AnswerValue(rating=r, willingness="willing")
        for item, r in zip(items_of(version), ratings, strict=True)
    }
    draft = services.response_start(user=person, program=program, version=version)
    return services.response_submit(response=draft, answers=answers, now=T0 + timedelta(days=days))


@pytest.fixture
def inventory(program):
    return make_instrument(program, domains=3, items_per_domain=2, keys=["listening", "goals", "equity"])


@pytest.fixture
def three_people(program, inventory):
    p1, p2, p3 = (make_member(program, Membership.Role.MENTOR) for _ in range(3))
    #                       listening  goals    equity
    submit(p1, program, inventory, [2, 4, 4, 4, 5, 5], days=0)      # 3, 4, 5
    submit(p1, program, inventory, [5, 5, 6, 4, 5, 5], days=100)    # 5, 5, 5   (latest)
    submit(p2, program, inventory, [3, 3, NA, 6, NA, NA], days=10)  # 3, 6, —   (baseline = latest)
    submit(p3, program, inventory, [6, 6, 2, 2, NA, NA], days=20)   # 6, 2, —
    submit(p3, program, inventory, [1, 1, 2, 2, NA, NA], days=50)   # 1, 2, —
    submit(p3, program, inventory, [7, 7, 3, 3, NA, NA], days=90)   # 7, 3, —   (latest)
    return p1, p2, p3


def test_it_aggregates_baseline_and_latest_means_by_domain(program, inventory, three_people,
                                                           django_assert_max_num_queries):
    program.privacy_threshold = 3
    with django_assert_max_num_queries(3):
        result = selectors.program_aggregates(program=program, instrument=inventory.instrument)
    assert (result.hidden, result.n, result.measure) == (False, 3, "score")
    rows = {d.key: d for d in result.domains}
    assert list(rows) == ["listening", "goals", "equity"]
    # Listening: baseline (3 + 3 + 6) / 3 = 4; latest (5 + 3 + 7) / 3 = 5.
    assert (rows["listening"].baseline_mean, rows["listening"].latest_mean, rows["listening"].change) == (4.0, 5.0, 1.0)
    # Goals: each person counts once — (4 + 6 + 2) / 3 = 4, not the mean of the five answers (3.6).
    assert rows["goals"].baseline_mean == 4.0
    assert rows["goals"].latest_mean == pytest.approx((5 + 6 + 3) / 3)
    assert rows["goals"].n == 3
    # Equity: one person answered it, fewer than the threshold: hidden on its own.
    assert (rows["equity"].hidden, rows["equity"].n, rows["equity"].baseline_mean) == (True, 1, None)


def test_it_hides_everything_below_the_privacy_threshold(program, inventory, three_people,
                                                         django_assert_max_num_queries):
    program.privacy_threshold = 4
    with django_assert_max_num_queries(3):
        result = selectors.program_aggregates(program=program, instrument=inventory.instrument)
    assert result.hidden
    # The domains are named so a report can say what is hidden, but carry no figure.
    assert [d.key for d in result.domains] == ["listening", "goals", "equity"]
    assert all(d.hidden and d.baseline_mean is None and d.latest_mean is None and d.mean_change is None
               for d in result.domains)
    assert selectors.program_readiness_shares(program=program, instrument=inventory.instrument) == []


def test_it_averages_each_persons_own_change_for_people_with_a_follow_up(program, inventory, three_people):
    program.privacy_threshold = 2
    rows = {d.key: d for d in selectors.program_aggregates(program=program, instrument=inventory.instrument).domains}
    # Listening: person 1 went 3 → 5 (+2), person 3 went 6 → 7 (+1); person 2 has no follow-up.
    assert (rows["listening"].n_change, rows["listening"].mean_change) == (2, 1.5)
    # Goals: 4 → 5 and 2 → 3.
    assert (rows["goals"].n_change, rows["goals"].mean_change) == (2, 1.0)
    program.privacy_threshold = 3
    rows = {d.key: d for d in selectors.program_aggregates(program=program, instrument=inventory.instrument).domains}
    assert (rows["listening"].n_change, rows["listening"].mean_change) == (2, None)  # too few to show


def test_it_lists_each_persons_latest_readiness_share(program):
    program.privacy_threshold = 2
    checklist = make_instrument(program, kind="readiness", domains=2, items_per_domain=2)
    first, second = make_member(program), make_member(program)
    make_response(first, program, checklist, choice="not_yet")
    make_response(first, program, checklist, choice="yes")  # latest: 100%
    answers = {item.pk: AnswerValue(choice="yes" if i == 0 else "unsure") for i, item in enumerate(items_of(checklist))}
    draft = services.response_start(user=second, program=program, version=checklist)
    services.response_submit(response=draft, answers=answers)  # 25%
    shares = selectors.program_readiness_shares(program=program, instrument=checklist.instrument)
    assert sorted(shares) == [25.0, 100.0]


def test_it_leaves_drafts_and_other_programs_out_of_aggregates(program, other_program, inventory, three_people):
    program.privacy_threshold = 3
    stranger = make_member(other_program)
    submit(stranger, other_program, inventory, [1, 1, 1, 1, 1, 1], days=5)
    make_response(make_member(program), program, inventory, submitted=False)
    result = selectors.program_aggregates(program=program, instrument=inventory.instrument)
    assert result.n == 3
    assert {d.key: d.baseline_mean for d in result.domains}["listening"] == 4.0


def test_it_aggregates_a_checklist_as_the_share_of_yes(program):
    program.privacy_threshold = 2
    checklist = make_instrument(program, kind="readiness", domains=1, items_per_domain=2, keys=["time"])
    make_response(make_member(program), program, checklist, choice="yes")
    make_response(make_member(program), program, checklist, choice="not_yet")
    result = selectors.program_aggregates(program=program, instrument=checklist.instrument)
    assert result.measure == "readiness"
    assert result.domains[0].baseline_mean == 0.5


def test_it_gives_the_gaps_of_the_baseline_and_of_the_latest_by_domain_key(program, inventory, three_people):
    p1 = three_people[0]
    assert set(selectors.baseline_gaps(user=p1, program=program)) == {"listening"}
    assert selectors.latest_gaps(user=p1, program=program) == {}
    p3 = three_people[2]
    assert set(selectors.baseline_gaps(user=p3, program=program)) == {"goals"}
    assert set(selectors.latest_gaps(user=p3, program=program)) == {"goals"}


def test_it_uses_the_programs_gap_threshold(program, inventory, three_people):
    program.gap_threshold = 5
    program.save()
    assert set(selectors.baseline_gaps(user=three_people[0], program=program)) == {"listening", "goals"}


def test_it_finds_no_gaps_without_a_baseline(program, mentor, inventory):
    assert selectors.baseline_gaps(user=mentor, program=program) == {}


def test_it_replaces_a_shared_instrument_with_the_programs_own_of_the_same_kind(program, other_program):
    shared = make_instrument(shared=True, kind="skills", slug="shared-skills")
    own = make_instrument(program, kind="skills", slug="own-skills")
    versions = selectors.current_versions(program_ids=[program.pk, other_program.pk])

    def skills_of(program_id):
        return {v.pk for v in versions[program_id] if v.instrument.kind == "skills"}

    assert skills_of(program.pk) == {own.pk}
    assert shared.pk in skills_of(other_program.pk)
    assert own.pk not in skills_of(other_program.pk)


def test_it_offers_only_published_versions_and_the_latest_of_them(program):
    v1 = make_instrument(program)
    v2 = services.version_copy(version=v1)
    assert selectors.current_version_for(program=program, instrument_id=v1.instrument_id) == v1
    services.version_publish(version=v2)
    assert selectors.current_version_for(program=program, instrument_id=v1.instrument_id) == v2


def test_the_aggregates_query_is_compiled_once_a_shape_and_every_figure_is_read_anew(
    program, inventory, three_people, monkeypatch,
):
    """The report's figures by domain come from SQL compiled once per program and instruments: a
    new response shows on the next read, and another instrument is another statement."""
    from toolbox import compiled

    program.privacy_threshold = 3
    monkeypatch.setattr(compiled, "_shapes", type(compiled._shapes)())
    built = []
    real = selectors._aggregate_rows_query
    monkeypatch.setattr(selectors, "_aggregate_rows_query", lambda *args: built.append(args) or real(*args))

    def listening():
        domains = selectors.program_aggregates(program=program, instrument=inventory.instrument).domains
        return next((d.n, d.latest_mean) for d in domains if d.key == "listening")

    assert listening() == (3, 5.0)
    submit(make_member(program, Membership.Role.MENTOR), program, inventory, [1, 1, 1, 1, 1, 1], days=30)
    assert listening() == (4, 4.0)  # (5 + 3 + 7 + 1) / 4
    assert len(built) == 1
    checklist = make_instrument(program, kind="readiness", domains=1, items_per_domain=2)
    selectors.program_aggregates(program=program, instrument=checklist.instrument)
    assert len(built) == 2
