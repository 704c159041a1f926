"""Assessment journeys: faculty takes the readiness checklist, a mentor the skills inventory."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from assessments.models import Response

from .helpers import audit, sign_in

CHART_DRAWN = "(id) => { const c = document.getElementById(id); return !!(c && window.Chart && Chart.getChart(c)); }"
TICKS_FIT = """([id, axis]) => {
  const c = document.getElementById(id); const chart = c && window.Chart && Chart.getChart(c);
  return !!chart && chart.width < 400 && chart.scales[axis].ticks.length === chart.data.labels.length; }"""


def _instrument_card(page, name: str):
    return page.get_by_role("region", name=name)


def test_it_lets_faculty_draft_resume_and_submit_the_readiness_checklist(page, faculty, program, default_instruments):
    sign_in(page, faculty)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Assessments").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Self-assessments")
    audit(page)

    _instrument_card(page, "Mentor Readiness Checklist").get_by_role("button", name="Take your baseline").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mentor Readiness Checklist")
    audit(page)
    questions = page.locator("fieldset[data-group]")
    total = questions.count()
    assert total >= 4
    for i in range(3):
        questions.nth(i).get_by_label("Yes", exact=True).check()
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_role("alert")).to_contain_text("saved as a draft")
    audit(page)

    page.get_by_role("link", name="Assessments").first.click()
    card = _instrument_card(page, "Mentor Readiness Checklist")
    expect(card).to_contain_text(f"Draft in progress: 3 of {total} answered")
    audit(page)
    card.get_by_role("link", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mentor Readiness Checklist")
    audit(page)
    expect(questions.nth(0).get_by_label("Yes", exact=True)).to_be_checked()

    # Answer everything but the last question, then try to submit.
    for i in range(3, total - 1):
        questions.nth(i).get_by_label("Not yet" if i % 3 == 0 else "Yes", exact=True).check()
    page.get_by_role("button", name="Submit").click()
    expect(page.locator("#form-errors")).to_contain_text("1 question still needs an answer")
    audit(page)
    last = questions.nth(total - 1)
    expect(last).to_have_attribute("aria-invalid", "true")
    expect(last.locator(".invalid-feedback")).to_be_visible()
    expect(questions.nth(3).get_by_label("Not yet", exact=True)).to_be_checked()

    last.get_by_label("Unsure", exact=True).check()
    page.get_by_role("button", name="Submit").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mentor Readiness Checklist: results")
    audit(page)
    expect(page.get_by_role("alert")).to_contain_text("is submitted")
    expect(page.locator("#results-chart")).to_be_visible()
    page.wait_for_function(CHART_DRAWN, arg="results-chart")
    domains = page.get_by_role("table", name="Scores by domain")
    expect(domains.locator("tbody tr")).not_to_have_count(0)
    expect(domains).to_contain_text("area to work on")
    gaps = page.locator("h2.h5", has_text="Areas to work on").locator("xpath=following-sibling::ul[1]")
    expect(gaps).to_contain_text(re.compile(r"(Not yet|Unsure): "))
    expect(gaps.get_by_role("link").first).to_contain_text("Courses and readings for")

    response = Response.objects.get(user=faculty, program=program)
    assert response.submitted_at is not None


def test_it_lets_a_mentor_take_the_skills_inventory_and_see_the_chart(page, mentor, program, default_instruments):
    sign_in(page, mentor)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Assessments").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Self-assessments")
    audit(page)
    _instrument_card(page, "Mentor Skills Inventory").get_by_role("button", name="Take your baseline").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mentor Skills Inventory")
    audit(page)

    ratings = page.locator("fieldset[data-group]:not([data-group$='_willingness'])")
    willingness = page.locator("fieldset[data-group$='_willingness']")
    count = ratings.count()
    assert count >= 4 and willingness.count() == count
    for i in range(count):
        ratings.nth(i).get_by_label("Slightly skilled" if i < 3 else "Very skilled").check()
        willingness.nth(i).locator("input[type=radio]").first.check()
    expect(page.locator("#progress-label")).to_have_text(f"{count} of {count} answered")
    page.get_by_role("button", name="Submit").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mentor Skills Inventory: results")
    audit(page)
    page.wait_for_function(CHART_DRAWN, arg="results-chart")
    expect(page.get_by_role("table", name="Scores by domain")).to_contain_text("area to work on")
    assert Response.objects.get(user=mentor, program=program).submitted_at is not None

    # On a phone every domain keeps its label beside its bars (Chart.js skips labels that crowd).
    page.set_viewport_size({"width": 390, "height": 844})
    page.wait_for_function(TICKS_FIT, arg=["results-chart", "y"])


def test_it_saves_answers_as_they_are_given_and_warns_before_leaving_unsaved_ones(page, mentor, program,
                                                                                default_instruments):
    sign_in(page, mentor)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Assessments").click()
    audit(page)
    _instrument_card(page, "Mentor Skills Inventory").get_by_role("button", name="Take your baseline").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mentor Skills Inventory")
    audit(page)
    ratings = page.locator("fieldset[data-group]:not([data-group$='_willingness'])")
    draft = Response.objects.get(user=mentor, program=program)

    # The network fails: the answer is not saved, the page says so, and leaving asks first.
    def offline(route):
        if route.request.method == "POST" and "autosave" in (route.request.post_data or ""):
            route.abort()
        else:
            route.continue_()

    page.route("**/assessments/responses/**", offline)
    ratings.nth(0).get_by_label("Slightly skilled").check()
    expect(page.locator("#save-status")).to_contain_text("Not saved yet")
    asked = []

    def on_dialog(dialog):
        asked.append(dialog.type)
        dialog.dismiss()  # stay on the page

    page.on("dialog", on_dialog)
    page.get_by_role("navigation", name="breadcrumb").get_by_role("link", name="Assessments").click()
    page.wait_for_timeout(300)
    assert asked == ["beforeunload"]
    expect(page.get_by_role("heading", level=1)).to_have_text("Mentor Skills Inventory")

    # Back online: the next answer saves both, and leaving no longer asks.
    page.unroute("**/assessments/responses/**")
    willingness = page.locator("fieldset[data-group$='_willingness']")
    ratings.nth(1).get_by_label("Very skilled").check()
    willingness.nth(0).locator("input[type=radio]").first.check()
    willingness.nth(1).locator("input[type=radio]").first.check()
    expect(page.locator("#save-status")).to_contain_text("Draft saved at")
    from assessments import selectors
    assert len(selectors.answers_by_response([draft.pk])[draft.pk]) == 2
    page.get_by_role("navigation", name="breadcrumb").get_by_role("link", name="Assessments").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Self-assessments")
    audit(page)
    assert asked == ["beforeunload"]
    expect(_instrument_card(page, "Mentor Skills Inventory")).to_contain_text("Draft in progress: 2 of")
