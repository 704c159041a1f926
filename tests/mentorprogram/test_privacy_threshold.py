"""The privacy threshold: only a superuser changes it, below 5 only by saying so, and every change is recorded."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from mentorprogram import services
from mentorprogram.models import PrivacyThresholdChange, Program


def change_url(program) -> str:
    return reverse("admin:mentorprogram_program_change", args=[program.pk])


def form_data(program, **changes) -> dict:
    data = {
        "name": program.name, "slug": program.slug, "community_name": program.community_name,
        "time_zone": program.time_zone, "mission": program.mission,
        "expected_behaviours": program.expected_behaviours, "expected_topics": "", "professionalism_standards": "",
        "privacy_threshold": program.privacy_threshold, "gap_threshold": "4.0", "reminder_lead_days": ["7", "1"],
        "academic_year_start_month": "7",
        "mentee_notes_retention_months": program.mentee_notes_retention_months,
        "alumni_retention_months": program.alumni_retention_months,
        "privacy_threshold_changes-TOTAL_FORMS": "0", "privacy_threshold_changes-INITIAL_FORMS": "0",
        "privacy_threshold_changes-MIN_NUM_FORMS": "0", "privacy_threshold_changes-MAX_NUM_FORMS": "1000",
        "_save": "Save",
    }
    data.update(changes)
    return data


def test_it_shows_a_coordinator_the_threshold_read_only(client, program, coordinator):
    client.force_login(coordinator)
    response = client.get(change_url(program))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="privacy_threshold"' not in html
    assert 'name="allow_below_floor"' not in html
    assert "privacy_threshold" in response.context["adminform"].readonly_fields


def test_it_ignores_a_threshold_a_coordinator_posts(client, program, coordinator):
    client.force_login(coordinator)
    response = client.post(change_url(program), form_data(program, privacy_threshold="1", allow_below_floor="on",
                                                           mission="Changed by the coordinator."))
    assert response.status_code == 302
    program.refresh_from_db()
    assert program.mission == "Changed by the coordinator."  # the rest of the page still saves
    assert program.privacy_threshold == 5
    assert not PrivacyThresholdChange.objects.exists()


def test_it_refuses_a_superuser_a_threshold_below_five_without_the_explicit_tick(client, program, superuser):
    client.force_login(superuser)
    response = client.post(change_url(program), form_data(program, privacy_threshold="1"))
    assert response.status_code == 200
    assert "privacy_threshold" in response.context["adminform"].form.errors
    program.refresh_from_db()
    assert program.privacy_threshold == 5
    assert not PrivacyThresholdChange.objects.exists()


def test_it_lets_a_superuser_go_below_five_when_they_say_so_and_records_it(client, program, superuser, coordinator):
    client.force_login(superuser)
    response = client.post(change_url(program), form_data(program, privacy_threshold="3", allow_below_floor="on"))
    assert response.status_code == 302
    program.refresh_from_db()
    assert program.privacy_threshold == 3
    change = PrivacyThresholdChange.objects.get()
    assert (change.program, change.changed_by, change.changed_by_email) == (program, superuser, superuser.email)
    assert (change.old_threshold, change.new_threshold, change.below_floor_allowed) == (5, 3, True)

    # The record is on the program's page, for its coordinators too, and cannot be edited there.
    client.force_login(coordinator)
    page = client.get(change_url(program))
    inline = next(f for f in page.context["inline_admin_formsets"] if f.opts.model is PrivacyThresholdChange)
    assert [form.original for form in inline] == [change]
    assert not inline.has_change_permission and not inline.has_delete_permission
    assert superuser.email in page.content.decode()


def test_it_records_every_change_and_nothing_when_the_threshold_stays(client, program, superuser):
    client.force_login(superuser)
    client.post(change_url(program), form_data(program, privacy_threshold="8"))
    program.refresh_from_db()
    client.post(change_url(program), form_data(program, mission="Only the mission."))
    program.refresh_from_db()
    client.post(change_url(program), form_data(program, privacy_threshold="6"))
    changes = list(PrivacyThresholdChange.objects.order_by("pk").values_list("old_threshold", "new_threshold"))
    assert changes == [(5, 8), (8, 6)]


def test_it_records_the_threshold_a_new_program_starts_with(client, superuser):
    client.force_login(superuser)
    data = form_data(Program(name="Nursing Mentoring", slug="nursing", community_name="Nursing Circle",
                             mission="", expected_behaviours="", privacy_threshold=9))
    response = client.post(reverse("admin:mentorprogram_program_add"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    program = Program.objects.get(slug="nursing")
    assert program.privacy_threshold == 9
    assert list(program.privacy_threshold_changes.values_list("old_threshold", "new_threshold")) == [(5, 9)]


def test_the_service_refuses_anyone_but_a_superuser(program, coordinator):
    with pytest.raises(PermissionDenied):
        services.program_set_privacy_threshold(program=program, threshold=8, by=coordinator)
    program.refresh_from_db()
    assert program.privacy_threshold == 5
    assert not PrivacyThresholdChange.objects.exists()


@pytest.mark.parametrize("threshold", [0, -1, 4, True])
def test_the_service_keeps_the_floor_unless_told_otherwise(program, superuser, threshold):
    with pytest.raises(ValidationError):
        services.program_set_privacy_threshold(program=program, threshold=threshold, by=superuser)
    program.refresh_from_db()
    assert program.privacy_threshold == 5
    assert not PrivacyThresholdChange.objects.exists()
