"""The training journey of a mentor: find a course, record it as completed, correct it, see it on the transcript."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone
from playwright.sync_api import expect

from courses.models import Completion, Course
from tests.factories.courses import CourseFactory

from .helpers import audit, sign_in


def test_it_lets_a_mentor_find_a_course_record_it_and_see_it_on_the_transcript(page, mentor, program):
    course = CourseFactory(title="Aligning Expectations with Your Mentee", modality=Course.Modality.SELF_PACED,
                           cme_credit_hours=Decimal("1.5"))
    CourseFactory(title="Annual Mentoring Retreat", modality=Course.Modality.ANNUAL_EVENT)
    completed_on = timezone.localdate() - datetime.timedelta(days=5)

    sign_in(page, mentor)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Courses").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Training catalog")
    audit(page)
    expect(page.get_by_role("link", name="Annual Mentoring Retreat")).to_be_visible()

    filters = page.get_by_role("form", name="Filter the catalog")
    filters.get_by_label("Search").fill("expectations")
    filters.get_by_label("Kind").select_option(label="Self-paced online course")
    filters.get_by_role("button", name="Apply").click()
    expect(page.get_by_role("link", name="Annual Mentoring Retreat")).to_have_count(0)
    audit(page)
    page.get_by_role("link", name=course.title).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(course.title)
    audit(page)

    page.get_by_label("Completed", exact=True).check()
    page.get_by_label("Completed on").fill(completed_on.isoformat())
    page.get_by_label("CME credit hours claimed").fill("1.5")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("is recorded as completed")
    audit(page)
    completion = Completion.objects.get(user=mentor, course=course)
    assert completion.completed_on == completed_on and completion.credit_hours == Decimal("1.5")

    # Only one hour counted after all: correct the record rather than remove and re-enter it.
    page.get_by_role("link", name="Correct this record").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Correct your record")
    audit(page)
    page.get_by_label("CME credit hours claimed").fill("9")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("at most 1.5 CME credit hours")).to_be_visible()
    audit(page)
    page.get_by_label("CME credit hours claimed").fill("1")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("is corrected")
    audit(page)
    completion.refresh_from_db()
    assert completion.credit_hours == Decimal("1")

    page.get_by_role("link", name="See my transcript").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Training transcript")
    audit(page)
    row = page.get_by_role("row").filter(has_text=course.title)
    expect(row).to_contain_text("1.0")
    expect(row).to_contain_text(str(completed_on.year))
