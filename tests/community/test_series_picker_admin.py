"""Setting up a meeting series with the picker: plain choices, a preview of the next five dates
before saving, and the raw rule behind "Advanced"."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from community.models import Meeting, MeetingSeries
from tests.factories.community import MeetingSeriesFactory

ADD = "admin:community_meetingseries_add"


def picker_form(program, **changes) -> dict:
    data = {
        "program": program.pk, "title": "Monthly meeting", "is_active": "on", "first_date": "2026-01-01",
        "start_time": "12:00", "duration_minutes": "60", "time_zone": "America/New_York",
        "repeat": "MONTHLY", "interval": "1", "monthly_by": "weekday", "week_of_month": "2", "weekday": "TU",
        "month_day": "1", "month": "9", "last_date": "", "place": "Room 114", "video_url": "", "rrule": "",
    }
    data.update(changes)
    return data


@pytest.fixture
def coordinator_client(client, coordinator):
    client.force_login(coordinator)
    return client


def test_preview_shows_the_next_five_second_tuesdays_and_saves_nothing(coordinator_client, program):
    response = coordinator_client.post(reverse(ADD), {**picker_form(program), "_preview": "1"})
    assert response.status_code == 200
    assert not response.context["adminform"].form.errors
    html = response.content.decode()
    assert "Please correct" not in html
    dates = html.split('<ol class="preview-dates">')[1].split("</ol>")[0]
    assert dates.count("<li>") == 5 and dates.count("Tuesday") == 5 and dates.count("12:00") == 5
    assert "America/New York time" in html
    assert 'value="FREQ=MONTHLY;BYDAY=2TU"' in html  # the advanced box shows the rule written
    assert not MeetingSeries.objects.exists()


def test_saving_the_picker_stores_the_rule_and_makes_the_meetings(coordinator_client, program):
    response = coordinator_client.post(reverse(ADD), {**picker_form(program, last_date="2026-06-30"), "_save": "Save"})
    assert response.status_code == 302
    series = MeetingSeries.objects.get()
    assert series.rrule == "FREQ=MONTHLY;BYDAY=2TU"
    assert series.last_date == dt.date(2026, 6, 30)
    starts = [m.starts_at.astimezone(series.zone) for m in Meeting.objects.filter(series=series)]
    assert all(s.weekday() == 1 and 8 <= s.day <= 14 and s.hour == 12 for s in starts)


@pytest.mark.parametrize("changes, rule", [
    ({"repeat": "WEEKLY", "weekdays": ["TU", "TH"], "interval": "2"}, "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,TH"),
    ({"week_of_month": "-1", "weekday": "FR"}, "FREQ=MONTHLY;BYDAY=-1FR"),
    ({"monthly_by": "date", "month_day": "-1"}, "FREQ=MONTHLY;BYMONTHDAY=-1"),
    ({"repeat": "YEARLY", "month": "9", "week_of_month": "1", "weekday": "MO"}, "FREQ=YEARLY;BYMONTH=9;BYDAY=1MO"),
    ({"repeat": "custom", "rrule": "FREQ=MONTHLY;BYDAY=1TU,3TU"}, "FREQ=MONTHLY;BYDAY=1TU,3TU"),
])
def test_each_choice_writes_its_rule(coordinator_client, program, changes, rule):
    response = coordinator_client.post(reverse(ADD), picker_form(program, **changes))
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert MeetingSeries.objects.get().rrule == rule


@pytest.mark.parametrize("changes, field", [
    ({"repeat": "WEEKLY", "weekdays": []}, "repeat"),
    ({"repeat": "YEARLY", "month": "2", "monthly_by": "date", "month_day": "30"}, "repeat"),  # no 30 February
    ({"repeat": "custom", "rrule": ""}, "rrule"),
    ({"repeat": "custom", "rrule": "FREQ=HOURLY"}, "rrule"),
    ({"repeat": "sometimes"}, "repeat"),
    ({"weekday": "XX"}, "weekday"),
])
def test_choices_that_make_no_series_are_field_errors_and_nothing_is_saved(coordinator_client, program, changes,
                                                                         field):
    for extra in ({}, {"_preview": "1"}):
        response = coordinator_client.post(reverse(ADD), {**picker_form(program, **changes), **extra})
        assert response.status_code == 200
        assert field in response.context["adminform"].form.errors, (changes, extra)
    assert not MeetingSeries.objects.exists()


def test_a_series_page_shows_its_rule_in_the_picker_with_its_next_dates(coordinator_client, program):
    series = MeetingSeriesFactory(program=program, rrule="FREQ=MONTHLY;BYDAY=-1FR")
    response = coordinator_client.get(reverse("admin:community_meetingseries_change", args=[series.pk]))
    form = response.context["adminform"].form
    assert (form["repeat"].value(), form["week_of_month"].value(), form["weekday"].value()) == ("MONTHLY", "-1", "FR")
    assert response.content.decode().count("Friday") >= 5
    listing = coordinator_client.get(reverse("admin:community_meetingseries_changelist")).content.decode()
    assert "Every month on the last Friday" in listing


def test_a_rule_the_picker_cannot_show_stays_in_the_advanced_box_and_saves_unchanged(coordinator_client, program):
    series = MeetingSeriesFactory(program=program, rrule="FREQ=MONTHLY;BYDAY=1TU,3TU")
    url = reverse("admin:community_meetingseries_change", args=[series.pk])
    form = coordinator_client.get(url).context["adminform"].form
    assert form["repeat"].value() == "custom"
    response = coordinator_client.post(url, picker_form(program, repeat="custom", rrule=series.rrule))
    assert response.status_code == 302
    series.refresh_from_db()
    assert series.rrule == "FREQ=MONTHLY;BYDAY=1TU,3TU"


def test_another_programs_coordinator_cannot_open_or_preview_the_series(client, other_coordinator, program):
    series = MeetingSeriesFactory(program=program)
    client.force_login(other_coordinator)
    url = reverse("admin:community_meetingseries_change", args=[series.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {**picker_form(program), "_preview": "1"}).status_code == 404
    response = client.post(reverse(ADD), {**picker_form(program), "_preview": "1"})
    assert "program" in response.context["adminform"].form.errors
