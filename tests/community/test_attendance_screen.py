"""A whole meeting's attendance on one admin page: the sheet with the yes answers ticked, one POST,
editable afterwards, "held" only once the meeting has started, minutes on the same page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone

from community.models import Attendance, Meeting
from mentorprogram.models import Membership
from tests.factories import make_member
from tests.factories.community import AttendanceFactory, MeetingFactory, RsvpFactory


def sheet_url(meeting) -> str:
    return reverse("admin:community_meeting_attendance", args=[meeting.pk])


@pytest.fixture
def started(series):
    start = (timezone.now() - dt.timedelta(hours=3)).replace(microsecond=0)
    return MeetingFactory(series=series, starts_at=start, occurrence_start=start)


@pytest.fixture
def sheet_people(program, mentor, other_mentor, coordinator):
    quiet = make_member(program, Membership.Role.MENTOR, email="quiet@example.org", display_name="Dr. Quiet")
    return {"yes": mentor, "no": other_mentor, "none": quiet, "coordinator": coordinator}


def test_the_sheet_lists_the_members_with_the_yes_answers_ticked(client, coordinator, started, sheet_people,
                                                                django_assert_max_num_queries):
    RsvpFactory(meeting=started, user=sheet_people["yes"], answer="yes")
    RsvpFactory(meeting=started, user=sheet_people["no"], answer="no")
    client.force_login(coordinator)
    client.get(sheet_url(started))
    with django_assert_max_num_queries(16):
        response = client.get(sheet_url(started))
    assert response.status_code == 200
    assert response.context["ticked"] == {sheet_people["yes"].pk}
    listed = {row.user.pk for row in response.context["rows"]}
    assert {p.pk for p in sheet_people.values()} <= listed
    sheet = response.content.decode().split('<table id="attendance-sheet">')[1].split("</table>")[0]
    assert sheet.count(" checked") == 1 and "Save attendance" in response.content.decode()


def test_one_post_records_everyone_the_minutes_and_held_and_it_can_be_corrected(client, coordinator, started,
                                                                              sheet_people):
    RsvpFactory(meeting=started, user=sheet_people["yes"], answer="yes")
    client.force_login(coordinator)
    came = [sheet_people["yes"].pk, sheet_people["none"].pk]
    response = client.post(sheet_url(started), {"present": came, "minutes": "We discussed **feedback**.",
                                                "held": "on"})
    assert response.status_code == 302
    started.refresh_from_db()
    assert started.status == Meeting.Status.HELD and started.minutes == "We discussed **feedback**."
    recorded = dict(Attendance.objects.filter(meeting=started).values_list("user_id", "present"))
    assert {pk for pk, present in recorded.items() if present} == set(came)
    assert recorded[sheet_people["no"].pk] is False and recorded[sheet_people["coordinator"].pk] is False

    page = client.get(sheet_url(started))
    assert page.context["ticked"] == set(came)  # what was recorded, not the yes answers
    assert "held" not in page.context["form"].fields
    response = client.post(sheet_url(started), {"present": [sheet_people["no"].pk], "minutes": "Corrected."})
    assert response.status_code == 302
    present = set(Attendance.objects.filter(meeting=started, present=True).values_list("user_id", flat=True))
    assert present == {sheet_people["no"].pk}
    started.refresh_from_db()
    assert started.minutes == "Corrected." and started.status == Meeting.Status.HELD


def test_a_meeting_that_has_not_started_or_was_cancelled_takes_no_attendance(client, coordinator, series, mentor):
    future = MeetingFactory(series=series)
    cancelled_start = timezone.now() - dt.timedelta(days=1)
    cancelled = MeetingFactory(series=series, starts_at=cancelled_start, occurrence_start=cancelled_start,
                               status="cancelled")
    client.force_login(coordinator)
    for meeting, words in ((future, "take attendance once it has started"), (cancelled, "was cancelled")):
        page = client.get(sheet_url(meeting))
        assert page.status_code == 200 and words in page.content.decode()
        response = client.post(sheet_url(meeting), {"present": [mentor.pk], "held": "on", "minutes": "x"})
        assert response.status_code == 200
        meeting.refresh_from_db()
        assert meeting.status != Meeting.Status.HELD and meeting.minutes == ""
    assert not Attendance.objects.exists()


def test_someone_not_on_the_sheet_cannot_be_marked_present(client, coordinator, started, other_coordinator):
    client.force_login(coordinator)
    response = client.post(sheet_url(started), {"present": [other_coordinator.pk, "x"], "held": "on"})
    assert response.status_code == 200
    assert "present" in response.context["form"].errors
    assert not Attendance.objects.exists()


def test_another_programs_coordinator_gets_404_for_the_sheet_and_changes_nothing(client, other_coordinator,
                                                                                started, mentor):
    client.force_login(other_coordinator)
    assert client.get(sheet_url(started)).status_code == 404
    assert client.post(sheet_url(started), {"present": [mentor.pk], "held": "on"}).status_code == 404
    assert client.get(reverse("admin:community_meeting_attendance", args=["not-an-id"])).status_code == 404
    started.refresh_from_db()
    assert started.status == Meeting.Status.SCHEDULED and not Attendance.objects.exists()


def test_the_meeting_page_and_list_link_to_the_sheet(client, coordinator, started):
    AttendanceFactory(meeting=started, user=coordinator)
    client.force_login(coordinator)
    change = client.get(reverse("admin:community_meeting_change", args=[started.pk])).content.decode()
    assert sheet_url(started) in change and "1 present, 0 absent" in change
    listing = client.get(reverse("admin:community_meeting_changelist")).content.decode()
    assert f'<a href="{sheet_url(started)}">1 present</a>' in listing
    assert "sequence" not in listing.lower()
    assert started.series.title in listing


def test_held_is_refused_for_a_future_meeting_by_the_action_and_the_change_form(client, coordinator, series):
    future = MeetingFactory(series=series)
    client.force_login(coordinator)
    response = client.post(reverse("admin:community_meeting_changelist"), {
        "action": "record_attendance_from_rsvps", admin.helpers.ACTION_CHECKBOX_NAME: [future.pk]}, follow=True)
    assert "Nothing was done" in response.content.decode() and "has not started yet" in response.content.decode()
    form = client.get(reverse("admin:community_meeting_change", args=[future.pk])).context["adminform"].form
    data = {k: ("" if v is None else v) for k, v in ((n, form[n].value()) for n in
                                                  ("place", "video_url", "presenter", "reading", "minutes"))}
    local = future.starts_at.astimezone(future.series.zone)
    ends = future.ends_at.astimezone(future.series.zone)
    data.update({"status": "held", "starts_at_0": f"{local:%Y-%m-%d}", "starts_at_1": f"{local:%H:%M}",
                 "ends_at_0": f"{ends:%Y-%m-%d}", "ends_at_1": f"{ends:%H:%M}",
                 "agenda_items-TOTAL_FORMS": "0", "agenda_items-INITIAL_FORMS": "0"})
    response = client.post(reverse("admin:community_meeting_change", args=[future.pk]), data)
    assert response.status_code == 200
    assert "status" in response.context["adminform"].form.errors
    future.refresh_from_db()
    assert future.status == Meeting.Status.SCHEDULED
