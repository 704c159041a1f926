"""The core journeys of each role, clicked and typed in a real browser."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from mentorprogram.models import Membership

from .helpers import audit, sign_in, sign_out, visit


def test_it_takes_a_mentor_from_the_welcome_page_to_their_program_and_out(page, mentor, program):
    visit(page, "/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Mentoring that is trained")
    page.get_by_role("main").get_by_role("link", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    audit(page)

    page.get_by_label("Email").fill(mentor.email)
    page.get_by_label("Password").fill("a-long-test-passphrase-42")
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Welcome, {mentor}")
    audit(page)

    page.get_by_role("link", name=str(mentor)).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your profile")
    audit(page)
    page.get_by_label("Time zone").select_option("Asia/Tokyo")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert")).to_contain_text("Your profile is saved.")
    audit(page)
    mentor.refresh_from_db()
    assert mentor.time_zone == "Asia/Tokyo"

    page.get_by_role("link", name="Dashboard").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Welcome, {mentor}")
    audit(page)
    page.get_by_role("link", name=program.name).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(program.name)
    audit(page)
    expect(page.get_by_text(program.mission)).to_be_visible()

    sign_out(page)
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Sign in")).to_be_visible()
    response = page.goto("/profile/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/profile/"))
    assert response.ok
    audit(page)


def test_it_lets_a_coordinator_run_their_program_in_the_admin(page, coordinator, faculty, program, other_program):
    sign_in(page, coordinator)
    page.get_by_role("link", name="Admin").click()
    expect(page.get_by_role("heading", name="Programs, people and training")).to_be_visible()
    audit(page)

    page.get_by_role("link", name="Programs", exact=True).click()
    expect(page.get_by_role("link", name=program.name)).to_be_visible()
    expect(page.get_by_text(other_program.name)).to_have_count(0)
    audit(page)

    page.get_by_role("link", name=program.name).click()
    audit(page)
    page.get_by_label("Mission statement").fill("Every new faculty member meets a trained mentor in month one.")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    audit(page)
    program.refresh_from_db()
    assert program.mission == "Every new faculty member meets a trained mentor in month one."

    visit(page, "/admin/mentorprogram/membership/add/")
    page.locator(".field-user .select2-selection").click()
    page.locator(".select2-search__field").fill(faculty.email[:8])
    page.get_by_role("option", name=str(faculty)).click()
    program_choices = page.get_by_label("Program").locator("option").all_inner_texts()
    assert program.name in program_choices and other_program.name not in program_choices
    page.get_by_label("Program").select_option(label=program.name)
    page.get_by_label("Role").select_option("mentor")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    audit(page)
    assert Membership.objects.filter(user=faculty, program=program, role="mentor").exists()

    visit(page, "/admin/mentorprogram/program/")
    expect(page.locator("#result_list tbody tr")).to_have_count(1)
    visit(page, f"/admin/mentorprogram/program/{other_program.pk}/change/", status=404)
    expect(page.get_by_label("Mission statement")).to_have_count(0)


def test_it_brings_faculty_to_their_dashboard(page, faculty, program):
    sign_in(page, faculty)
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Welcome, {faculty}")
    expect(page.get_by_role("main")).to_contain_text(f"Faculty in {program.name}")
    expect(page.get_by_role("link", name="Admin")).to_have_count(0)
    visit(page, "/admin/", status=403)
