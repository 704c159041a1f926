"""Two reports compared never give away fewer than the threshold of people's answers.

A figure is computed afresh at n people only if n differs by at least the threshold from every n it
was published at; otherwise its last published value is shown again (reports/disclosure.py). The
walk n = t-1, t, …, 2t, 2t+1 runs through the real page, its chart data and its CSV download.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date, timedelta
from decimal import Decimal
from itertools import combinations

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assessments.models import Response
from reports import selectors
from reports.disclosure import Disclosure
from reports.models import FigureRelease
from reports.sources import ReportSources
from tests.factories import make_member
from tests.factories.assessments import make_instrument, make_response

T = 5


def page(client, program):
    response = client.get(reverse("reports:program", args=[program.slug]))
    assert response.status_code == 200
    html = response.content.decode()
    start = html.index('<script id="report-charts" type="application/json">')
    start = html.index(">", start) + 1
    return response, json.loads(html[start:html.index("</script>", start)])


def csv_table(client, program, table: str) -> list[list[str]]:
    response = client.get(reverse("reports:csv", args=[program.slug, table]))
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def rating_of(i: int) -> int:
    """Everyone answers differently, so any one more person moves the mean."""
    return 1 + (i * 3) % 7


def mean_of(ratings: list[int]) -> str:
    return f"{round(sum(ratings) / len(ratings), 1):.1f}"


def test_it_publishes_a_mean_only_at_n_values_a_threshold_apart(client, program, coordinator):
    skills = make_instrument(program, domains=1, items_per_domain=1, name="Skills inventory")
    client.force_login(coordinator)
    ratings: list[int] = []
    seen = []
    for n in range(1, 2 * T + 2):
        person = make_member(program)
        make_response(person, program, skills, rating=rating_of(n))
        ratings.append(rating_of(n))

        response, data = page(client, program)
        cell = response.context["report"].section("skills").rows[0][2]  # the latest mean
        chart_value = data["skills"]["datasets"][1]["data"][0]
        csv_row = csv_table(client, program, "skills")[1]
        csv_cell = csv_row[2]
        # The download agrees with the page: the same number, or an empty cell and the reason.
        assert csv_cell == ("" if cell.hidden else cell.text.split(" (as of")[0])
        assert ("as of" in csv_row[-1]) == ("as of" in cell.text)
        seen.append((n, cell.text, chart_value))

        if n < T:
            assert cell.hidden and chart_value is None and csv_cell == "", n
            assert csv_row[-1].startswith("Fewer than 5 responses"), n
        elif n == T or n == 2 * T:
            assert cell.text == mean_of(ratings), n  # computed afresh, on everyone
            assert "as of" not in cell.text
        else:
            published_at = T if n < 2 * T else 2 * T
            assert cell.text == f"{mean_of(ratings[:published_at])} (as of {published_at} responses)", n
            assert chart_value == float(mean_of(ratings[:published_at])), n
    # At t+1 … 2t-1 the value did not move, so no one person's answer can be read off a difference.
    values_at = {n: chart for n, _, chart in seen}
    assert len({values_at[n] for n in range(T, 2 * T)}) == 1
    assert values_at[2 * T] != values_at[2 * T - 1]
    assert values_at[2 * T + 1] == values_at[2 * T]


def test_it_does_not_republish_a_figure_hidden_and_back_at_the_same_n(client, program, coordinator):
    skills = make_instrument(program, domains=1, items_per_domain=1, name="Skills inventory")
    people = [make_member(program) for _ in range(T)]
    for i, person in enumerate(people):
        make_response(person, program, skills, rating=rating_of(i))
    client.force_login(coordinator)
    first = page(client, program)[0].context["report"].section("skills").rows[0][2].text

    Response.objects.filter(user=people[0]).delete()  # someone leaves: hidden at t-1
    assert page(client, program)[0].context["report"].section("skills").rows[0][2].hidden
    newcomer = make_member(program)
    make_response(newcomer, program, skills, rating=7)  # someone else joins: t again

    again = page(client, program)[0].context["report"].section("skills").rows[0][2].text
    assert again == first  # the earlier value, not the new mean: leaver minus newcomer stays unknown
    assert csv_table(client, program, "skills")[1][2] == first.split(" (as of")[0]


def test_it_keeps_a_figure_whose_people_stay_but_whose_answers_change(client, program, coordinator):
    skills = make_instrument(program, domains=1, items_per_domain=1, name="Skills inventory")
    people = [make_member(program) for _ in range(T + 2)]
    for person in people:
        make_response(person, program, skills, rating=3, now=timezone.now() - timedelta(days=90))
    client.force_login(coordinator)
    before = page(client, program)[0].context["report"].section("skills").rows[0]
    make_response(people[0], program, skills, rating=7)  # one person's follow-up

    after = page(client, program)[0].context["report"].section("skills").rows[0]
    assert [c.text for c in after[1:]] == [c.text for c in before[1:]] == ["3.0", "3.0", "0.0", "7"]
    impact = page(client, program)[0].context["report"].section("impact").rows[0]
    assert impact[1].hidden  # one person with a follow-up: under the threshold


# --- every section, on given figures ---------------------------------------------------------

def _set(monkeypatch, method: str, value):
    monkeypatch.setattr(ReportSources, method, lambda self, *args: value(*args) if callable(value) else value)


def _sections_at(monkeypatch, n: int):
    """Sources for every section with ``n`` people behind each figure and values that move with ``n``."""
    _set(monkeypatch, "domain_scores", lambda kind: [
        {"domain": "Communication", "key": "communication", "baseline_mean": 3.0, "baseline_n": n,
         "latest_mean": 3.0 + n / 10, "latest_n": n}])
    _set(monkeypatch, "readiness_shares", [100.0] * (n - 1) + [10.0])
    # The evidence sections: n people with a follow-up, and (so that each part moves as n does) n in
    # each of the two groups, trained in the domain or not.
    monkeypatch.setattr(ReportSources, "paired_change", property(lambda self: [{
        "domain": "Communication", "key": "communication", "n": n, "baseline": 3.0, "follow_up": 3.0 + n / 7,
        "mean_change": n / 7, "trained_n": n, "trained_change": n / 5, "untrained_n": n, "untrained_change": n / 9}]))
    _set(monkeypatch, "attendance_by_month", lambda months: {
        months[-2]: {"meetings": 1, "attended": n - 1, "expected": n, "people": n}})
    _set(monkeypatch, "requirement_compliance", [{"requirement": "Training", "key": "1:2025-07-01",
                                                  "target": "2 per year", "on_track": n - 2, "behind": 2}])
    _set(monkeypatch, "plan_completion", {"people": n, "items": 3 * n, "completed": n - 1, "overdue": 1})
    _set(monkeypatch, "credit_hours_by_year", [{"year_start": date(2025, 7, 1), "people": n,
                                                "hours": Decimal("2.5") * n + 1}])


GUARDED = ["readiness", "skills", "readiness-shares", "impact", "training-change", "attendance", "compliance", "plans",
           "training"]


def _published(section) -> list[str]:
    """The texts of the figures that rest on the people, leaving out the head counts (a count's value
    is its own n; no given figure below equals its n)."""
    from reports.privacy import Figure

    return [cell.text.split(" (as of")[0] for row in section.rows for cell in row
            if isinstance(cell, Figure) and (cell.value != cell.n or cell.as_of)]


@pytest.mark.parametrize("key", GUARDED)
def test_it_holds_every_sections_figures_until_the_threshold_more_people_are_behind_them(
    program, monkeypatch, key,
):
    shown = {}
    for n in [T - 1, T, T + 1, T + 2, 2 * T - 1, 2 * T, 2 * T + 1]:
        _sections_at(monkeypatch, n)
        section = selectors.program_report(program=program, only=key).section(key)
        shown[n] = (_published(section), section.chart)
    assert shown[T] != shown[T - 1]
    for n in (T + 1, T + 2, 2 * T - 1):
        assert shown[n] == shown[T], (key, n)
    assert shown[2 * T][0] != shown[T][0], key
    assert shown[2 * T + 1] == shown[2 * T], key


def test_the_page_and_its_downloads_share_one_record(client, program, coordinator, monkeypatch):
    client.force_login(coordinator)
    _sections_at(monkeypatch, T)
    page(client, program)
    _sections_at(monkeypatch, T + 1)
    for key in GUARDED:
        rows = csv_table(client, program, key)
        assert any("as of 5 responses" in row[-1] for row in rows[1:]), key
    response, data = page(client, program)
    assert "(as of 5 responses)" in response.content.decode()


def test_it_shows_attendance_afresh_until_any_is_recorded(program, monkeypatch):
    months = selectors.last_months(timezone.now(), program.time_zone)
    for n, attended in [(6, 0), (7, 0), (7, 5)]:
        _set(monkeypatch, "attendance_by_month", {months[-1]: {"meetings": 1, "attended": attended,
                                                               "expected": n, "people": n}})
        row = selectors.program_report(program=program, only="attendance").section("attendance").rows[-1]
    assert [c.text for c in row[2:]] == ["5", "71%"]
    assert FigureRelease.objects.filter(key__startswith="attendance").count() == 1


def test_it_never_shows_a_value_published_close_to_an_earlier_n(program, monkeypatch):
    """Published at 5 and at 15, then the group shrinks to 6: the value at 6 would give away the one
    person who is not among the first five, so the value at 15 is shown."""
    for n in (5, 15, 6):
        _sections_at(monkeypatch, n)
        mean = selectors.program_report(program=program, only="skills").section("skills").rows[0][2]
    assert mean.text == "4.5 (as of 15 responses)"


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(st.tuples(st.integers(0, 25), st.integers(1, 7)), min_size=2, max_size=12),
       threshold=st.integers(2, 6))
def test_two_published_values_always_rest_on_numbers_a_threshold_apart(program, monkeypatch, steps, threshold):
    FigureRelease.objects.all().delete()
    program.privacy_threshold = threshold
    published: set[tuple[str, int]] = set()
    for n, rating in steps:
        monkeypatch.setattr(ReportSources, "domain_scores", lambda self, kind, n=n, rating=rating: [
            {"domain": "D", "key": "d", "baseline_mean": 3.0, "baseline_n": n, "latest_mean": rating + n / 100,
             "latest_n": n}])
        mean = selectors.program_report(program=program, only="skills").section("skills").rows[0][2]
        if not mean.hidden:
            published.add((mean.text.split(" (as of")[0], mean.as_of or n))
    for (value_a, n_a), (value_b, n_b) in combinations(published, 2):
        assert value_a == value_b or abs(n_a - n_b) >= threshold, published


def test_two_reports_computed_at_once_cannot_both_publish(program):
    now = timezone.now()
    first, second = Disclosure(program, now), Disclosure(program, now)
    assert first.release("skills:d", 5, {"latest": 4.0}).values == {"latest": 4.0}
    assert second.release("skills:d", 6, {"latest": 4.5}).values == {"latest": 4.5}
    assert first.save() is True
    assert second.save() is False  # its report is computed again, on the fresh record
    again = Disclosure(program, now).release("skills:d", 6, {"latest": 4.5})
    assert (again.values, again.as_of) == ({"latest": 4.0}, 5)
    assert list(FigureRelease.objects.values_list("n", flat=True)) == [5]
