"""The coordinator's journeys in the admin: a meeting's attendance, a CSV import, the program report."""

from __future__ import annotations

import datetime as dt
import re

from django.utils import timezone
from playwright.sync_api import expect

from community.models import Attendance, Meeting
from mentorprogram.models import Membership
from tests.factories.community import MeetingFactory, MeetingSeriesFactory, MentorCommunityFactory, RsvpFactory

from .helpers import audit, sign_in

IMPORT_CSV = (
    "email,name,role,department\n"
    "new.mentor@example.edu,Dr. Ana Lopez,mentor,Pediatrics\n"
    "not-an-email,Dr. Sam Reed,mentor,Surgery\n"
    "third@example.edu,Dr. Kim Ito,dean,Medicine\n"
)


def test_it_lets_a_coordinator_record_attendance_import_people_and_read_the_report(page, coordinator, mentor,
                                                                                   program):
    MentorCommunityFactory(program=program)
    started = (timezone.now() - dt.timedelta(days=2)).replace(minute=0, second=0, microsecond=0)
    meeting = MeetingFactory(series=MeetingSeriesFactory(program=program), starts_at=started,
                             occurrence_start=started, ends_at=started + dt.timedelta(hours=1))
    RsvpFactory(meeting=meeting, user=mentor)

    sign_in(page, coordinator)
    page.get_by_role("link", name="Admin").click()
    expect(page.get_by_role("table", name="Program reports")).to_be_visible()
    audit(page)

    page.get_by_role("link", name="Meetings", exact=True).click()
    expect(page.locator("#result_list tbody tr")).to_have_count(1)
    audit(page)
    page.get_by_role("checkbox", name=re.compile("Select this object for an action")).check()
    action = "Mark held and record everyone who answered yes as present"
    page.get_by_role("combobox", name="Action").select_option(label=action)
    page.get_by_role("button", name="Go").click()
    expect(page.locator(".confirm-what")).to_contain_text("1 meeting will be marked held")
    audit(page)
    assert Meeting.objects.get(pk=meeting.pk).status == Meeting.Status.SCHEDULED  # it asks first
    page.get_by_role("button", name="Yes, mark them held").click()
    expect(page.locator(".messagelist")).to_contain_text("1 attendance record(s) made")
    audit(page)
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.HELD
    assert Attendance.objects.filter(meeting=meeting, user=mentor, present=True).exists()

    page.get_by_role("link", name="Home").click()
    expect(page.get_by_role("table", name="Program reports")).to_be_visible()
    audit(page)
    page.get_by_role("table", name="Program reports").get_by_role("link", name="Import people").click()
    audit(page)
    page.get_by_label("Program").select_option(label=program.name)
    page.get_by_label("CSV file").set_input_files(
        files=[{"name": "people.csv", "mimeType": "text/csv", "buffer": IMPORT_CSV.encode()}]
    )
    page.get_by_role("button", name="Preview").click()
    preview = page.get_by_role("table", name=f"Rows of the file for {program.name}")
    expect(preview).to_be_visible()
    audit(page)
    expect(preview.locator("tbody tr")).to_have_count(3)
    expect(preview.locator("tr.import-create")).to_contain_text("new.mentor@example.edu")
    expect(preview.locator("tr.import-error")).to_have_count(2)
    expect(preview.locator(".errorlist").first).to_be_visible()
    assert not Membership.objects.filter(user__email="new.mentor@example.edu").exists()

    page.get_by_role("link", name="Home").click()
    audit(page)
    page.get_by_role("table", name="Program reports").get_by_role("link", name="Report").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Program report")
    audit(page)
    charts = page.locator("canvas[data-chart]")
    assert charts.count() >= 1
    page.wait_for_function(
        "() => [...document.querySelectorAll('canvas[data-chart]')].every((c) => Chart.getChart(c))"
    )
    expect(page.locator("main table, #content table, table").first).to_be_visible()
    csv_link = page.get_by_role("link", name=re.compile("CSV")).first
    expect(csv_link).to_have_attribute("href", re.compile(rf"^/reports/{program.slug}/[\w-]+\.csv$"))


def test_it_hides_the_program_report_from_a_mentor(client, mentor, program):
    client.force_login(mentor)
    assert client.get(f"/reports/{program.slug}/").status_code == 404
