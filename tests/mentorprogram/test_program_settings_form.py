"""The program's settings in plain words: time zone from a list of current names, reminder lead
times as ticked days, the academic year's first month by name."""

from __future__ import annotations

from django.urls import reverse

from mentorprogram.form_fields import TimeZoneField
from mentorprogram.forms import ProfileForm
from tests.mentorprogram.test_privacy_threshold import change_url, form_data
from toolbox.timezones import current_time_zones


def test_the_time_zones_offered_are_current_names_without_deprecated_aliases():
    names = set(current_time_zones())
    assert {"America/Nuuk", "America/New_York", "Europe/Kyiv", "Asia/Kolkata", "UTC"} <= names
    assert not names & {"America/Godthab", "Asia/Calcutta", "Europe/Kiev", "US/Pacific", "Etc/GMT+5", "GMT"}
    offered = {value for value, _ in TimeZoneField().choices}
    assert "America/Nuuk" in offered and "America/Godthab" not in offered


def test_the_program_page_offers_a_time_zone_select_lead_day_boxes_and_month_names(client, program, coordinator):
    client.force_login(coordinator)
    html = client.get(change_url(program)).content.decode()
    assert '<select name="time_zone"' in html and 'class="searchable-select"' in html
    assert '<option value="America/Nuuk">America/Nuuk</option>' in html
    assert "America/Godthab" not in html
    assert 'type="checkbox" name="reminder_lead_days" value="7"' in html
    assert '<option value="7" selected>July</option>' in html


def test_a_coordinator_ticks_lead_days_and_picks_a_month_and_a_zone(client, program, coordinator):
    client.force_login(coordinator)
    response = client.post(change_url(program), form_data(
        program, reminder_lead_days=["1", "14", "3"], academic_year_start_month="9", time_zone="America/Nuuk"))
    assert response.status_code == 302
    program.refresh_from_db()
    assert program.reminder_lead_days == [14, 3, 1]
    assert program.academic_year_start_month == 9
    assert program.time_zone == "America/Nuuk"


def test_junk_lead_days_months_or_zones_are_field_errors_and_nothing_changes(client, program, coordinator):
    client.force_login(coordinator)
    for bad, field in (({"reminder_lead_days": ["7, 1"]}, "reminder_lead_days"),
                       ({"reminder_lead_days": ["0"]}, "reminder_lead_days"),
                       ({"academic_year_start_month": "13"}, "academic_year_start_month"),
                       ({"time_zone": "Mars/Olympus_Mons"}, "time_zone")):
        response = client.post(change_url(program), form_data(program, **bad))
        assert response.status_code == 200
        assert field in response.context["adminform"].form.errors, bad
    program.refresh_from_db()
    assert (program.reminder_lead_days, program.academic_year_start_month) == ([7, 1], 7)


def test_an_old_zone_name_and_an_odd_lead_day_a_program_has_are_kept_when_it_is_saved(client, program, coordinator):
    program.time_zone, program.reminder_lead_days = "America/Godthab", [10, 1]
    program.save()
    client.force_login(coordinator)
    html = client.get(change_url(program)).content.decode()
    assert 'value="America/Godthab" selected' in html
    assert 'name="reminder_lead_days" value="10"' in html
    response = client.post(change_url(program), form_data(program, reminder_lead_days=["10", "1"]))
    assert response.status_code == 302
    program.refresh_from_db()
    assert (program.time_zone, program.reminder_lead_days) == ("America/Godthab", [10, 1])


def test_a_series_and_a_person_get_the_same_time_zone_select(client, program, coordinator, mentor):
    client.force_login(coordinator)
    html = client.get(reverse("admin:community_meetingseries_add")).content.decode()
    assert '<select name="time_zone"' in html and "the program&#x27;s time zone" in html
    html = client.get(reverse("admin:mentorprogram_user_change", args=[mentor.pk])).content.decode()
    assert '<select name="time_zone"' in html and "America/Godthab" not in html
    assert "America/Godthab" not in {value for value, _ in ProfileForm().fields["time_zone"].choices}
