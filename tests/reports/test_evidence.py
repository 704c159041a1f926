"""The report closes the loop: self-ratings at baseline and follow-up per domain, and the change
beside training completed in between — each with its n, under the privacy threshold and the
anti-differencing record, with a CSV each, in one aggregate query whatever the number of people."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments import selectors as assessment_selectors
from assessments.constants import EFFECTIVE_COMMUNICATION
from courses import selectors as course_selectors
from reports import selectors
from tests.factories import make_member
from tests.factories.assessments import make_instrument, make_response
from tests.factories.courses import CompletionFactory, CourseFactory

HIDDEN = "fewer than 5 responses"
OTHER = "aligning-expectations"


@pytest.fixture
def skills(program):
    return make_instrument(program, domains=2, items_per_domain=1, keys=[EFFECTIVE_COMMUNICATION, OTHER],
                           name="Skills inventory")


@pytest.fixture
def course(db):
    return CourseFactory(domains=[EFFECTIVE_COMMUNICATION], cme_credit_hours=2)


def people_with_follow_ups(program, skills, course, *, trained: int, untrained: int, before_only: int = 0):
    """Baselines rated 3 four months ago; the trained (a course in communication in between) rate 6
    at their follow-up, the others 4; ``before_only`` more people have no follow-up."""
    then = timezone.now() - timedelta(days=120)
    for i in range(trained + untrained + before_only):
        person = make_member(program)
        make_response(person, program, skills, rating=3, now=then)
        if i < trained:
            CompletionFactory(user=person, course=course, completed_on=timezone.localdate() - timedelta(days=30),
                              credit_hours=1)
        if i < trained + untrained:
            make_response(person, program, skills, rating=6 if i < trained else 4)


def section(program, key):
    return selectors.program_report(program=program, only=key).section(key)


def texts(row) -> list[str]:
    return [str(cell) for cell in row]


def csv_of(client, program, key) -> list[list[str]]:
    response = client.get(reverse("reports:csv", args=[program.slug, key]))
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


# --- self-rating at baseline and follow-up ------------------------------------------------------

def test_impact_shows_baseline_and_follow_up_over_the_same_people_at_the_threshold(program, skills, course):
    people_with_follow_ups(program, skills, course, trained=0, untrained=5, before_only=3)
    rows = section(program, "impact").rows
    # The three without a follow-up are not in it: baseline 3.0 over the same five, follow-up 4.0.
    assert [texts(r) for r in rows] == [["Domain 1", "3.0", "4.0", "+1.00", "5"], ["Domain 2", "3.0", "4.0", "+1.00",
                                                                                  "5"]]


def test_impact_hides_everything_at_threshold_minus_one(program, skills, course):
    people_with_follow_ups(program, skills, course, trained=0, untrained=4, before_only=6)
    rows = section(program, "impact").rows
    assert all(cell.hidden for row in rows for cell in row[1:])
    assert texts(rows[0])[1:] == [HIDDEN] * 4


def test_the_impact_table_states_its_method_in_one_sentence_under_it(client, program, coordinator, skills, course):
    people_with_follow_ups(program, skills, course, trained=0, untrained=5)
    client.force_login(coordinator)
    html = client.get(reverse("reports:program", args=[program.slug])).content.decode()
    impact = html[html.index('id="impact"'):html.index('id="training-change"')]
    method = impact[impact.index("</table>"):]
    assert "Method: each person&#x27;s change is their latest follow-up&#x27;s mean rating" in method
    assert method.count("Method:") == 1


def test_impact_csv(client, program, coordinator, skills, course):
    people_with_follow_ups(program, skills, course, trained=0, untrained=5)
    client.force_login(coordinator)
    assert csv_of(client, program, "impact") == [
        ["Domain", "Baseline mean (1–7)", "Follow-up mean (1–7)", "Mean change (points on 1–7)", "People with both",
         "Status"],
        ["Domain 1", "3.0", "4.0", "1.00", "5", ""], ["Domain 2", "3.0", "4.0", "1.00", "5", ""]]


# --- training beside the change -------------------------------------------------------------------

def test_training_beside_the_change_at_the_threshold(client, program, coordinator, skills, course):
    people_with_follow_ups(program, skills, course, trained=5, untrained=5)
    rows = {row[0]: texts(row) for row in section(program, "training-change").rows}
    # Communication: the five who took the course went 3 → 6, the others 3 → 4.
    assert rows["Domain 1"] == ["Domain 1", "+3.00", "5", "+1.00", "5"]
    # No course addresses the other domain: nobody trained in it, and both groups are hidden.
    assert rows["Domain 2"] == ["Domain 2", HIDDEN, HIDDEN, HIDDEN, "10"]
    client.force_login(coordinator)
    table = csv_of(client, program, "training-change")
    assert table[0] == ["Domain", "Change, trained (points on 1–7)", "People who trained",
                        "Change, not trained (points on 1–7)", "People who did not", "Status"]
    assert table[1] == ["Domain 1", "3.00", "5", "1.00", "5", ""]
    assert table[2][1:5] == ["", "", "", "10"] and table[2][5].startswith(HIDDEN.capitalize())
    # The overall change is the two groups' together.
    assert texts(section(program, "impact").rows[0])[3:] == ["+2.00", "10"]


@pytest.mark.parametrize(("trained", "untrained"), [(4, 6), (6, 4)])
def test_a_group_under_the_threshold_hides_both_groups(program, skills, course, trained, untrained):
    """The other group and the overall change would give the small one away."""
    people_with_follow_ups(program, skills, course, trained=trained, untrained=untrained)
    row = section(program, "training-change").rows[0]
    assert row[1].hidden and row[3].hidden
    assert section(program, "impact").rows[0][3].text != HIDDEN  # ten people: the overall change shows


def test_training_outside_baseline_and_follow_up_does_not_count(program, skills, course):
    people_with_follow_ups(program, skills, course, trained=0, untrained=10)
    from assessments.models import Response

    for response in Response.objects.filter(occasion="baseline")[:5]:
        CompletionFactory(user=response.user, course=course,
                          completed_on=timezone.localdate() - timedelta(days=200), credit_hours=1)
    row = texts(section(program, "training-change").rows[0])
    assert row[2] == HIDDEN and row[4] == "10"  # before the baseline: not between


def test_a_group_whose_part_moved_by_less_than_the_threshold_is_held(program, skills, course):
    """Ten people, five trained: published. One of the others then takes the course and re-takes the
    inventory: the groups are 6 and 4 — a part moved by one, so everything stays as it was."""
    people_with_follow_ups(program, skills, course, trained=5, untrained=5)
    first = texts(section(program, "training-change").rows[0])
    extra = [make_member(program) for _ in range(5)]
    then = timezone.now() - timedelta(days=120)
    for i, person in enumerate(extra):  # five more people, one of them trained: the parts are 6 and 9
        make_response(person, program, skills, rating=3, now=then)
        if i == 0:
            CompletionFactory(user=person, course=course, completed_on=timezone.localdate() - timedelta(days=9),
                              credit_hours=1)
        make_response(person, program, skills, rating=7 if i == 0 else 4)
    held = section(program, "training-change").rows[0]
    assert [c.text.split(" (as of")[0] for c in held[1::2]] == [first[1], first[3]]
    assert held[1].as_of == 10


# --- in the database, bounded --------------------------------------------------------------------

@pytest.mark.parametrize("size", [10, 60])
def test_the_paired_changes_are_one_query_whatever_the_number_of_people(program, skills, course, size,
                                                                         django_assert_num_queries):
    people_with_follow_ups(program, skills, course, trained=size // 2, untrained=size - size // 2)
    with django_assert_num_queries(1):
        rows = assessment_selectors.paired_changes(program=program, instrument=skills.instrument,
                                                   trained=course_selectors.completed_in_domain_between)
    assert {(r.key, r.trained): r.n for r in rows} == {
        (EFFECTIVE_COMMUNICATION, True): size // 2, (EFFECTIVE_COMMUNICATION, False): size - size // 2,
        (OTHER, False): size}


def test_the_paired_changes_are_compiled_once_a_shape_and_read_anew(program, skills, course, monkeypatch):
    """The statement is kept per program, instrument and ``trained``; the figures are not."""
    from toolbox import compiled

    monkeypatch.setattr(compiled, "_shapes", type(compiled._shapes)())
    built = []
    real = assessment_selectors._paired_changes_query
    monkeypatch.setattr(assessment_selectors, "_paired_changes_query", lambda *args: built.append(args) or real(*args))

    def counts(trained=course_selectors.completed_in_domain_between):
        rows = assessment_selectors.paired_changes(program=program, instrument=skills.instrument, trained=trained)
        return {(r.key, r.trained): r.n for r in rows}

    people_with_follow_ups(program, skills, course, trained=2, untrained=3)
    assert counts()[(EFFECTIVE_COMMUNICATION, True)] == 2
    people_with_follow_ups(program, skills, course, trained=1, untrained=0)
    assert counts()[(EFFECTIVE_COMMUNICATION, True)] == 3
    assert len(built) == 1
    assert counts(trained=None) == {(EFFECTIVE_COMMUNICATION, False): 6, (OTHER, False): 6}
    assert len(built) == 2
