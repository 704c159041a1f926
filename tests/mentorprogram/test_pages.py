from __future__ import annotations

import pytest
from django.urls import reverse


@pytest.fixture
def program_url(program):
    return reverse("program_detail", args=[program.slug])


def test_it_shows_the_program_page_to_its_members(client, program_url, program, mentor, faculty, coordinator):
    for person in (mentor, faculty, coordinator):
        client.force_login(person)
        response = client.get(program_url)
        assert response.status_code == 200
        assert program.mission in response.content.decode()
        assert program.community_name in response.content.decode()


@pytest.mark.parametrize("who", ["outsider", "other_coordinator", "staff_without_membership"])
def test_it_hides_the_program_page_from_others(client, program_url, request, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(program_url).status_code == 404


def test_it_sends_anonymous_visitors_to_sign_in(client, program_url):
    response = client.get(program_url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_it_welcomes_anonymous_visitors(client, db):
    response = client.get("/")
    assert response.status_code == 200
    assert "dashboard/welcome.html" in [t.name for t in response.templates]


def test_it_shows_a_signed_in_mentor_their_dashboard(client, mentor, program, django_assert_max_num_queries):
    client.force_login(mentor)
    with django_assert_max_num_queries(14):
        response = client.get("/")
    assert response.status_code == 200
    body = response.content.decode()
    assert program.name in body
    assert {c["title"] for c in response.context["cards"]} >= {"Self-assessments", "Training"}


def test_it_saves_the_profile(client, mentor):
    client.force_login(mentor)
    response = client.post(reverse("profile"), {
        "display_name": "Dr. M. Entor", "time_zone": "Europe/Paris", "reminders_opt_out": "on"})
    assert response.status_code == 302
    mentor.refresh_from_db()
    assert (mentor.display_name, mentor.time_zone, mentor.reminders_opt_out) == ("Dr. M. Entor", "Europe/Paris", True)


def test_it_rejects_an_unknown_time_zone_and_changes_nothing(client, mentor):
    client.force_login(mentor)
    response = client.post(reverse("profile"), {"display_name": "X", "time_zone": "Mars/Olympus"})
    assert response.status_code == 200
    assert "time_zone" in response.context["form"].errors
    mentor.refresh_from_db()
    assert mentor.time_zone == "America/Los_Angeles"


@pytest.mark.parametrize(("who", "sections"), [
    ("mentor", ["Assessments", "Community", "Accountability", "Courses"]),
    ("coordinator", ["Assessments", "Community", "Accountability", "Courses"]),
    ("faculty", ["Assessments", "Community", "Courses"]),
    ("outsider", ["Courses"]),
])
def test_the_navigation_offers_the_sections_each_person_uses(client, request, who, sections):
    client.force_login(request.getfixturevalue(who))
    response = client.get(reverse("profile"))
    assert [s["label"] for s in response.context["nav_sections"]] == sections
