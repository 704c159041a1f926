"""The results page: scores, gaps, baseline against latest, the chart's data and the history."""

from __future__ import annotations

import json

from django.urls import reverse

from assessments.models import Item
from tests.factories.assessments import items_of, make_response


def results_page(client, response):
    return client.get(reverse("assessments:results", args=[response.pk]))


def test_it_shows_domain_scores_gaps_and_the_chart_data(client, mentor, program, skills):
    submitted = make_response(mentor, program, skills, rating=3)
    client.force_login(mentor)
    page = results_page(client, submitted)
    body = page.content.decode()
    assert page.status_code == 200
    assert "3.0" in body
    assert "below the program&#x27;s threshold of 4.0" in body or "below the program's threshold of 4.0" in body
    chart = json.loads(body.split('id="results-chart-data" type="application/json">')[1].split("</script>")[0])
    assert chart["labels"] == ["Domain 1", "Domain 2"]
    assert chart["datasets"][0]["data"] == [3.0, 3.0]
    assert (chart["min"], chart["max"]) == (1, 7)
    assert "vendor/chart.js/chart.umd.js" in body
    assert "js/assessments.js" in body
    assert "<script>" not in body  # no inline code (Content Security Policy)


def test_it_compares_the_baseline_with_the_latest_on_the_baseline_page_too(client, mentor, program, skills):
    baseline = make_response(mentor, program, skills, rating=2)
    make_response(mentor, program, skills, rating=4)
    latest = make_response(mentor, program, skills, rating=6)
    client.force_login(mentor)
    on_latest = results_page(client, latest).context["results"]
    assert on_latest.comparison.overall.change == 4.0
    on_baseline = results_page(client, baseline).context["results"]
    assert on_baseline.compared[1].response == latest
    assert [s.response.occasion for s in on_baseline.history] == ["baseline", "follow_up", "follow_up"]


def test_it_shows_readiness_as_a_share_of_yes_with_the_items_to_work_on(client, faculty, program, checklist):
    submitted = make_response(faculty, program, checklist, choice="not_yet")
    client.force_login(faculty)
    page = results_page(client, submitted)
    body = page.content.decode()
    assert page.context["results"].current.score.readiness == 0.0
    assert "0%" in body
    assert f"Not yet: {items_of(checklist)[0].prompt}" in body


def test_it_reads_back_free_text_answers(client, mentor, program, skills):
    from assessments import services
    from assessments.scoring import AnswerValue
    from tests.factories.assessments import full_answers

    text = Item.objects.create(domain=items_of(skills)[0].domain, prompt="What would help you most?",
                               response_type=Item.ResponseType.TEXT, required=False, order=9)
    answers = full_answers(skills)
    answers[text.pk] = AnswerValue(text="A workshop on feedback.")
    draft = services.response_start(user=mentor, program=program, version=skills)
    submitted = services.response_submit(response=draft, answers=answers)
    client.force_login(mentor)
    assert "A workshop on feedback." in results_page(client, submitted).content.decode()


def test_each_area_to_work_on_links_to_its_suggestions(client, mentor, program, skills):
    submitted = make_response(mentor, program, skills, rating=3)
    client.force_login(mentor)
    body = results_page(client, submitted).content.decode()
    for domain in skills.domains.all():
        assert f'href="{reverse("courses:catalog")}?domain={domain.key}"' in body
