"""The coordinator's year and meetings in the admin, in Chromium: a monthly series on the second
Tuesday set up with the picker and its preview, a whole meeting's attendance on one page, and
reminders sent only after the confirmation."""

from __future__ import annotations

import datetime as dt
import re

from django.utils import timezone
from playwright.sync_api import expect

from community.models import Attendance, Meeting, MeetingSeries
from mentorprogram.models import Membership
from reminders.models import ReminderDelivery
from tests.factories import make_member
from tests.factories.community import (
    AgendaItemFactory,
    MeetingFactory,
    MeetingSeriesFactory,
    MentorCommunityFactory,
    RsvpFactory,
)

from .helpers import ARTIFACTS, audit, sign_in, visit


def second_tuesdays(after: dt.date, count: int) -> list[dt.date]:
    found, year, month = [], after.year, after.month
    while len(found) < count:
        first = dt.date(year, month, 1)
        day = first + dt.timedelta(days=(1 - first.weekday()) % 7 + 7)
        if day > after:
            found.append(day)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return found


def test_it_sets_up_a_monthly_series_on_the_second_tuesday_with_the_picker(page, coordinator, program):
    MentorCommunityFactory(program=program)
    sign_in(page, coordinator)
    visit(page, "/admin/community/meetingseries/add/")
    page.get_by_label("Program:", exact=True).select_option(label=program.name)
    page.get_by_label("Title").fill("Monthly meeting")
    today = timezone.localdate()
    page.locator("#id_first_date").fill(today.isoformat())
    page.locator("#id_start_time").fill("12:00")
    page.get_by_label("Repeats:", exact=True).select_option(label="Every month")
    expect(page.get_by_label("Which week:", exact=True)).to_be_visible()
    expect(page.locator(".field-weekdays")).to_be_hidden()  # the weekly question is not asked
    page.get_by_label("a weekday of the month (e.g. the second Tuesday)").check()
    page.get_by_label("Which week:", exact=True).select_option(label="second")
    page.get_by_label("Which weekday:", exact=True).select_option(label="Tuesday")
    page.get_by_role("button", name="Preview dates").click()
    dates = page.locator("ol.preview-dates li")
    expect(dates).to_have_count(5)
    audit(page)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "series-preview.png"), full_page=True)
    expected = second_tuesdays(today - dt.timedelta(days=1), 5)
    texts = dates.all_inner_texts()
    assert texts == [f"{d:%A %-d %B %Y}, 12:00" for d in expected], texts
    assert not MeetingSeries.objects.exists()  # a preview saves nothing

    page.locator("details summary", has_text="Advanced").click()
    expect(page.get_by_label("Recurrence rule:", exact=True)).to_have_value("FREQ=MONTHLY;BYDAY=2TU")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("Meetings for the next twelve months")
    audit(page)
    series = MeetingSeries.objects.get()
    assert series.rrule == "FREQ=MONTHLY;BYDAY=2TU"
    assert {m.starts_at.astimezone(series.zone).date() for m in series.meetings.all()} >= set(expected[:3])
    expect(page.get_by_role("row", name=re.compile("Every month on the second Tuesday"))).to_be_visible()


def test_it_records_a_whole_meetings_attendance_and_minutes_on_one_page(page, coordinator, mentor, other_mentor,
                                                                         program):
    MentorCommunityFactory(program=program)
    quiet = make_member(program, Membership.Role.MENTOR, email="quiet@example.org", display_name="Dr. Quinn Quiet")
    started = (timezone.now() - dt.timedelta(hours=3)).replace(minute=0, second=0, microsecond=0)
    meeting = MeetingFactory(series=MeetingSeriesFactory(program=program, title="Monthly meeting"),
                             starts_at=started, occurrence_start=started, ends_at=started + dt.timedelta(hours=1))
    RsvpFactory(meeting=meeting, user=mentor, answer="yes")
    RsvpFactory(meeting=meeting, user=other_mentor, answer="yes")

    sign_in(page, coordinator)
    visit(page, "/admin/community/meeting/")
    page.get_by_role("link", name="Take attendance").click()
    expect(page.get_by_role("table", name=re.compile("people"))).to_be_visible()
    audit(page)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "attendance-sheet.png"), full_page=True)
    expect(page.get_by_label(str(mentor))).to_be_checked()
    expect(page.get_by_label(str(other_mentor))).to_be_checked()
    expect(page.get_by_label(str(quiet))).not_to_be_checked()
    page.get_by_role("button", name="Untick everyone").click()
    expect(page.get_by_label(str(mentor))).not_to_be_checked()
    page.get_by_role("button", name="Tick everyone", exact=True).click()
    expect(page.get_by_label(str(quiet))).to_be_checked()
    page.get_by_role("button", name="Untick everyone").click()
    page.get_by_label(str(mentor)).check()
    page.get_by_label(str(quiet)).check()
    page.get_by_label("Minutes").fill("We talked about **giving feedback**.")
    expect(page.get_by_label("The meeting was held")).to_be_checked()
    page.get_by_role("button", name="Save attendance").click()
    expect(page.locator(".messagelist")).to_contain_text("Attendance saved: 2 present")
    audit(page)
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.HELD and "giving feedback" in meeting.minutes
    present = set(Attendance.objects.filter(meeting=meeting, present=True).values_list("user_id", flat=True))
    assert present == {mentor.pk, quiet.pk}
    expect(page.get_by_label(str(quiet))).to_be_checked()  # editable afterwards, as recorded


def test_it_asks_before_sending_reminders_and_the_meeting_page_fits_a_laptop_screen(page, coordinator, mentor,
                                                                                     program):
    page.set_viewport_size({"width": 1366, "height": 768})
    MentorCommunityFactory(program=program)
    meeting = MeetingFactory(series=MeetingSeriesFactory(program=program, title="Monthly meeting"))
    AgendaItemFactory(meeting=meeting, position=1, topic=None, text="Round table: one thing that worked this month")
    sign_in(page, coordinator)
    visit(page, f"/admin/community/meeting/{meeting.pk}/change/")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "meeting-change-1366.png"), full_page=True)
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the meeting page is {overflow}px wider than a 1366px screen"
    page.get_by_role("link", name="Send reminders now…").click()
    expect(page.locator(".confirm-what")).to_contain_text("2 people will be emailed a reminder")
    audit(page)
    page.screenshot(path=str(ARTIFACTS / "send-reminders-confirm.png"), full_page=True)
    assert not ReminderDelivery.objects.exists()
    page.get_by_role("button", name="Yes, send 2 reminders").click()
    expect(page.locator(".messagelist")).to_contain_text("2 reminder(s) are on their way.")
    audit(page)
    assert ReminderDelivery.objects.filter(meeting=meeting).count() == 2
