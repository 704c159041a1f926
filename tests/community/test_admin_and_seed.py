"""The coordinators' admin for series and meetings, and the demo seed."""

from __future__ import annotations

import datetime as dt
import io

from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from community import services
from community.models import Attendance, Challenge, Meeting, MeetingSeries, ProcessAgreement
from courses.models import Reading
from demo.seeders.core import DEMO_PROGRAM_SLUG
from mentorprogram.models import Membership
from tests.factories.core import MembershipFactory
from tests.factories.courses import ReadingFactory

SERIES_FORM = {
    "title": "Monthly meeting", "is_active": "on", "rrule": "FREQ=MONTHLY;BYDAY=2TU",
    "first_date": "2026-01-01", "start_time": "12:00", "duration_minutes": "60", "time_zone": "",
    "place": "Room 114", "video_url": "https://video.example.org/j/1",
}


def test_a_coordinator_defines_a_series_and_twelve_months_of_meetings_appear(client, program, coordinator):
    client.force_login(coordinator)
    response = client.post(reverse("admin:community_meetingseries_add"), {**SERIES_FORM, "program": program.pk})
    assert response.status_code == 302
    assert Meeting.objects.filter(series__program=program).count() == 12


def test_a_bad_rule_or_dates_get_field_errors_and_nothing_is_made(client, program, coordinator):
    client.force_login(coordinator)
    url = reverse("admin:community_meetingseries_add")
    for bad, field in (
        ({"rrule": "FREQ=FORTNIGHTLY"}, "rrule"),
        ({"rrule": "FREQ=YEARLY;BYMONTH=4;BYMONTHDAY=31"}, "rrule"),
        ({"last_date": "2025-12-01"}, "last_date"),
    ):
        response = client.post(url, {**SERIES_FORM, "program": program.pk, **bad})
        assert response.status_code == 200
        assert field in response.context["adminform"].form.errors, bad
    assert not MeetingSeries.objects.exists() and not Meeting.objects.exists()


def test_moving_a_meeting_in_the_admin_raises_its_sequence_and_an_end_before_start_is_refused(
    client, coordinator, meeting,
):
    client.force_login(coordinator)
    url = reverse("admin:community_meeting_change", args=[meeting.pk])
    local = meeting.starts_at.astimezone(dt.UTC)
    form = {
        "status": "scheduled", "place": meeting.place, "video_url": meeting.video_url,
        "starts_at_0": (local + dt.timedelta(days=1)).strftime("%Y-%m-%d"), "starts_at_1": "12:00",
        "ends_at_0": (local + dt.timedelta(days=1)).strftime("%Y-%m-%d"), "ends_at_1": "11:00",
        "reading": meeting.reading_id, "minutes": "",
        "agenda_items-TOTAL_FORMS": "0", "agenda_items-INITIAL_FORMS": "0",
        "attendance-TOTAL_FORMS": "0", "attendance-INITIAL_FORMS": "0",
    }
    response = client.post(url, form)
    assert response.status_code == 200
    assert "ends_at" in response.context["adminform"].form.errors
    meeting.refresh_from_db()
    assert meeting.sequence == 0

    response = client.post(url, {**form, "ends_at_1": "13:00"})
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.sequence == 1 and meeting.is_exception
    assert meeting.occurrence_start != meeting.starts_at


def meeting_form(meeting, **changes) -> dict:
    """The meeting's change form as the admin shows it, with ``changes``."""
    starts, ends = timezone.localtime(meeting.starts_at), timezone.localtime(meeting.ends_at)
    return {
        "status": meeting.status, "place": meeting.place, "video_url": meeting.video_url,
        "starts_at_0": f"{starts:%Y-%m-%d}", "starts_at_1": f"{starts:%H:%M:%S}",
        "ends_at_0": f"{ends:%Y-%m-%d}", "ends_at_1": f"{ends:%H:%M:%S}",
        "presenter": "", "reading": meeting.reading_id or "", "minutes": meeting.minutes,
        "agenda_items-TOTAL_FORMS": "0", "agenda_items-INITIAL_FORMS": "0",
        "attendance-TOTAL_FORMS": "0", "attendance-INITIAL_FORMS": "0",
        **changes,
    }


def test_a_coordinator_links_a_shared_or_their_programs_own_reading(client, coordinator, meeting, program):
    client.force_login(coordinator)
    url = reverse("admin:community_meeting_change", args=[meeting.pk])
    for reading in (ReadingFactory(program=None), ReadingFactory(program=program)):
        response = client.post(url, meeting_form(meeting, reading=reading.pk))
        assert response.status_code == 302
        meeting.refresh_from_db()
        assert meeting.reading == reading
        assert meeting.sequence == 0 and not meeting.is_exception  # the reading is no change of schedule
    assert list(reading.meetings.all()) == [meeting]


def test_another_programs_private_reading_is_neither_offered_nor_accepted(
    client, coordinator, meeting, program, other_program,
):
    theirs = ReadingFactory(program=other_program, title="Their private reading")
    shared, own = ReadingFactory(title="A shared reading"), ReadingFactory(program=program, title="Our own reading")
    client.force_login(coordinator)
    found = client.get(reverse("admin:autocomplete"), {
        "app_label": "community", "model_name": "meeting", "field_name": "reading", "term": "reading",
    }).json()["results"]
    offered = {int(r["id"]) for r in found}
    assert {shared.pk, own.pk} <= offered and theirs.pk not in offered

    before = meeting.reading_id
    response = client.post(reverse("admin:community_meeting_change", args=[meeting.pk]),
                           meeting_form(meeting, reading=theirs.pk, minutes="Changed"))
    assert response.status_code == 200
    assert "reading" in response.context["adminform"].form.errors
    meeting.refresh_from_db()
    assert meeting.reading_id == before and meeting.minutes == ""


def test_a_coordinator_of_two_programs_cannot_give_one_programs_reading_to_the_others_meeting(
    client, coordinator, meeting, other_program,
):
    MembershipFactory(user=coordinator, program=other_program, role=Membership.Role.COORDINATOR)
    theirs = ReadingFactory(program=other_program)
    client.force_login(coordinator)
    response = client.post(reverse("admin:community_meeting_change", args=[meeting.pk]),
                           meeting_form(meeting, reading=theirs.pk))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["reading"] == [
        "Choose a shared reading or one of this program's own."]
    meeting.refresh_from_db()
    assert meeting.reading_id != theirs.pk


def test_a_reading_that_later_moves_to_another_program_does_not_stop_the_series(meeting, series, other_program):
    # A Wednesday, never the series' second Tuesday: "a week from now" falls on the rule once a month.
    day = timezone.localdate() + dt.timedelta(days=7)
    day += dt.timedelta(days=(2 - day.weekday()) % 7)
    meeting.starts_at = meeting.occurrence_start = dt.datetime.combine(day, dt.time(15), dt.UTC)
    meeting.ends_at = meeting.starts_at + dt.timedelta(hours=1)
    meeting.save()
    Reading.objects.filter(pk=meeting.reading_id).update(program=other_program)
    series.place = "Room 200"
    series.save()
    services.series_materialise(series=series)  # full_clean() on each changed meeting
    meeting.refresh_from_db()
    assert meeting.reading_id is not None and meeting.status == "cancelled"  # off the rule, so cancelled


def test_seed_demo_creates_the_community_and_a_second_run_changes_nothing(db):
    call_command("seed_demo", mentors=5, force=True, stdout=io.StringIO())
    counts = (Meeting.objects.count(), Attendance.objects.count(), Challenge.objects.count(),
              ProcessAgreement.objects.count())
    meetings = Meeting.objects.filter(series__program__slug=DEMO_PROGRAM_SLUG)
    assert meetings.filter(status="held").exclude(minutes="").exists()
    upcoming = meetings.filter(status="scheduled").order_by("starts_at").first()
    assert upcoming.agenda_items.exists() and upcoming.reading.program_id is None  # a catalog reading
    assert meetings.filter(status="scheduled", presenter__isnull=False).exists()
    snapshot = list(meetings.values_list("pk", "sequence", "status", "updated_at"))

    call_command("seed_demo", mentors=5, force=True, stdout=io.StringIO())
    assert counts == (Meeting.objects.count(), Attendance.objects.count(), Challenge.objects.count(),
                      ProcessAgreement.objects.count())
    assert list(meetings.values_list("pk", "sequence", "status", "updated_at")) == snapshot


def extra_form(series, day: dt.date, **changes) -> dict:
    return {"series": series.pk, "starts_at_0": day.isoformat(), "starts_at_1": "16:00",
            "ends_at_0": day.isoformat(), "ends_at_1": "17:30", "place": "Dean's boardroom", "video_url": "",
            **changes}


def test_a_coordinator_adds_an_extra_meeting_that_series_changes_leave_alone(client, coordinator, series):
    client.force_login(coordinator)
    services.series_materialise(series=series)
    regular = series.meetings.count()
    day = timezone.localdate() + dt.timedelta(days=10)
    assert client.post(reverse("admin:community_meeting_add"), extra_form(series, day)).status_code == 302
    extra = series.meetings.get(place="Dean's boardroom")
    assert extra.is_exception and extra.occurrence_start == extra.starts_at
    assert extra.status == Meeting.Status.SCHEDULED and extra.ends_at - extra.starts_at == dt.timedelta(minutes=90)

    series.place = "Room 200"
    series.save()
    services.series_materialise(series=series)  # the rule does not produce it: it stays as it is
    extra.refresh_from_db()
    assert (extra.status, extra.place) == (Meeting.Status.SCHEDULED, "Dean's boardroom")
    assert series.meetings.count() == regular + 1


def test_an_extra_meeting_with_bad_times_or_another_programs_series_is_refused(
    client, coordinator, series, other_program,
):
    import zoneinfo

    from tests.factories.community import MeetingSeriesFactory

    services.series_materialise(series=series)
    taken = series.meetings.order_by("starts_at").first()
    theirs = MeetingSeriesFactory(program=other_program)
    client.force_login(coordinator)
    url = reverse("admin:community_meeting_add")
    day = timezone.localdate() + dt.timedelta(days=10)
    at = taken.starts_at.astimezone(zoneinfo.ZoneInfo(coordinator.time_zone))  # the admin reads the person's time
    end = at + dt.timedelta(hours=2)
    before = set(Meeting.objects.values_list("pk", flat=True))
    for data, field in (
        (extra_form(series, day, ends_at_1="15:00"), "ends_at"),
        (extra_form(theirs, day), "series"),
        (extra_form(series, at.date(), starts_at_1=at.strftime("%H:%M"), ends_at_0=end.date().isoformat(),
                    ends_at_1=end.strftime("%H:%M")), "starts_at"),
    ):
        response = client.post(url, data)
        assert response.status_code == 200
        assert field in response.context["adminform"].form.errors, field
    assert set(Meeting.objects.values_list("pk", flat=True)) == before
