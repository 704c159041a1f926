"""The accountability journey of a mentor: a plan from the baseline, an item done, a mentee meeting and goal."""

from __future__ import annotations

from django.utils import timezone
from playwright.sync_api import expect

from accountability.models import MenteeGoal, MenteeMeeting, PlanItem, ReportingRequirement
from assessments.models import Instrument, InstrumentVersion
from tests.factories.accountability import MenteeFactory, ReportingRequirementFactory
from tests.factories.assessments import make_response
from tests.factories.courses import CourseFactory

from .helpers import audit, sign_in


def test_it_lets_a_mentor_plan_from_the_baseline_and_log_mentee_work(page, mentor, program, default_instruments):
    skills = InstrumentVersion.objects.get(instrument__kind=Instrument.Kind.SKILLS)
    make_response(mentor, program, skills, rating=2)
    weak_domain = skills.domains.order_by("order").first()
    course = CourseFactory(title="Fostering Independence in Early-Career Faculty", domains=[weak_domain.key])
    ReportingRequirementFactory(program=program, metric=ReportingRequirement.Metric.MENTEE_MEETINGS, target=1,
                                period=ReportingRequirement.Period.MONTH)
    mentee = MenteeFactory(program=program, mentor=mentor, name="Dr. Priya Raman")
    today = timezone.localdate().isoformat()

    sign_in(page, mentor)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Accountability").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Accountability")
    audit(page)
    page.get_by_role("button", name="Start my plan").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My accountability plan")
    audit(page)
    page.get_by_role("link", name="Propose from my self-assessments").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose what to add to the plan")
    audit(page)
    page.get_by_role("checkbox", name=course.title).check()
    page.get_by_role("button", name="Add the ticked items").click()
    expect(page.get_by_role("alert")).to_contain_text("1 item added to the plan")
    audit(page)
    suggestion = page.get_by_role("row").filter(has_text=course.title)
    expect(suggestion).to_contain_text("Course or training")
    expect(suggestion).to_contain_text(weak_domain.name)

    suggestion.get_by_role("link", name="Edit or complete").click()
    audit(page)
    page.get_by_label("Status").select_option(label="Done")
    page.get_by_label("Completed on").fill(today)
    page.get_by_label("Evidence").fill("Finished all four modules; certificate saved in my portfolio.")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert")).to_contain_text("Plan item saved.")
    audit(page)
    item = PlanItem.objects.get(plan__mentor=mentor, title=course.title)
    assert item.status == PlanItem.Status.DONE and "certificate" in item.evidence

    page.get_by_role("link", name="Accountability").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Accountability")
    audit(page)
    page.get_by_role("link", name="My mentees", exact=True).click()
    audit(page)
    page.get_by_role("link", name=mentee.name).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(mentee.name)
    audit(page)
    page.get_by_role("link", name="Log a meeting").click()
    audit(page)
    page.get_by_label("Date").fill(today)
    page.get_by_label("Duration (minutes)").fill("45")
    page.get_by_label("Mode").select_option(label="Video call")
    page.get_by_label("Private notes").fill("Went over her promotion dossier timeline.")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert")).to_contain_text("saved")
    audit(page)
    assert MenteeMeeting.objects.filter(mentee=mentee, duration_minutes=45).exists()

    page.get_by_role("link", name="Set a goal").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Set a goal")
    audit(page)
    page.get_by_label("Goal").fill("Submit the promotion dossier by March")
    page.get_by_label("Set on").fill(today)
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert")).to_contain_text("saved")
    audit(page)
    assert MenteeGoal.objects.filter(mentee=mentee, text="Submit the promotion dossier by March").exists()

    page.get_by_role("link", name="Dashboard").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Welcome, {mentor}")
    audit(page)
    progress = page.get_by_role("progressbar", name="Meetings with each mentee")
    expect(progress).to_have_attribute("aria-valuenow", "100")
