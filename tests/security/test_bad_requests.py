"""Bad input in a request gets a clear 4xx or the normal answer, never a 500, and saves nothing
half-way: NUL bytes anywhere in the request, ``next`` values that are not a path of this site, and
integers too large for the database. Run against PostgreSQL too: SQLite accepts NUL bytes where
PostgreSQL refuses them."""

from __future__ import annotations

import pytest
from django.urls import reverse

from community.models import Acknowledgement, Challenge, Rsvp
from mentorprogram.models import Membership
from tests import authz
from tests.factories.community import ChallengeFactory, MeetingFactory, MeetingSeriesFactory, ProcessAgreementFactory
from tests.factories.core import TEST_PASSWORD

TWENTY_DIGITS = "9" * 20


@pytest.fixture
def meeting(program):
    return MeetingFactory(series=MeetingSeriesFactory(program=program))


# --- next -----------------------------------------------------------------------------------

UNSAFE_NEXTS = ["id", "dashboard:home", "admin:index", "//evil.example/", "https://evil.example/", "///evil.example",
                "/\\evil.example", "\\\\evil.example", "javascript:alert(1)", " /", "http:/evil.example", ""]


@pytest.mark.parametrize("target", UNSAFE_NEXTS)
def test_it_saves_an_rsvp_once_and_returns_to_the_meeting_for_a_next_that_is_not_a_local_path(
        client, mentor, meeting, target):
    client.force_login(mentor)
    response = client.post(reverse("community:meeting_rsvp", args=[meeting.pk]), {"answer": "yes", "next": target})
    assert response.status_code == 302
    assert response["Location"] == reverse("community:meeting", args=[meeting.pk])
    assert list(Rsvp.objects.values_list("user", "answer")) == [(mentor.pk, "yes")]


@pytest.mark.parametrize("target", UNSAFE_NEXTS)
def test_it_acknowledges_once_and_returns_to_the_agreements_for_a_next_that_is_not_a_local_path(
        client, program, mentor, target):
    agreement = ProcessAgreementFactory(program=program)
    client.force_login(mentor)
    response = client.post(reverse("community:agreement_acknowledge", args=[agreement.pk]), {"next": target})
    assert response.status_code == 302
    assert response["Location"] == reverse("community:agreements", args=[program.slug])
    assert Acknowledgement.objects.filter(agreement=agreement, user=mentor).count() == 1


def test_it_follows_a_next_that_is_a_path_of_this_site(client, mentor, meeting):
    client.force_login(mentor)
    target = reverse("community:detail", args=[meeting.series.program.slug]) + "?members=2"
    response = client.post(reverse("community:meeting_rsvp", args=[meeting.pk]), {"answer": "no", "next": target})
    assert response["Location"] == target


@pytest.mark.parametrize("target", [t for t in UNSAFE_NEXTS if t])
def test_it_signs_in_and_goes_to_the_dashboard_for_a_next_that_is_not_a_local_path(client, mentor, target):
    response = client.post(reverse("account_login"), {"login": mentor.email, "password": TEST_PASSWORD,
                                                      "next": target})
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard:home")


def test_it_signs_in_and_follows_a_next_that_is_a_path_of_this_site(client, mentor):
    response = client.post(f"{reverse('account_login')}?next=/courses/%3Fpage%3D2",
                           {"login": mentor.email, "password": TEST_PASSWORD})
    assert response["Location"] == "/courses/?page=2"


def test_every_next_of_the_project_goes_through_the_one_helper():
    """A view that reads ``next`` itself would escape the checks; the helper is the one reader."""
    import subprocess
    from pathlib import Path

    from django.conf import settings

    root = Path(settings.BASE_DIR)
    found = subprocess.run(["git", "grep", "-n", "-E", r"""(GET|POST|REQUEST|data)(\.get\(|\[)\s*["']next["']""",
                            "--", "*.py", ":!tests/"], cwd=root, capture_output=True, text=True).stdout.splitlines()
    assert [line for line in found if not line.startswith("toolbox/params.py:")] == []


# --- integers -------------------------------------------------------------------------------

@pytest.mark.parametrize("value", [TWENTY_DIGITS, "-" + TWENTY_DIGITS, "0", "-1", "1e9", "２", "\u0661"])
def test_it_shows_the_community_page_for_a_members_page_number_of_any_size(client, program, mentor, value):
    client.force_login(mentor)
    response = client.get(reverse("community:detail", args=[program.slug]), {"members": value})
    assert response.status_code == 200


@pytest.mark.parametrize(("route", "params"), [
    ("courses:catalog", {"page": TWENTY_DIGITS}),
    ("courses:transcript", {"year": TWENTY_DIGITS}),
    ("accountability:meeting_add", {"mentee": TWENTY_DIGITS}),
    ("accountability:goal_add", {"mentee": TWENTY_DIGITS}),
    ("dashboard:home", {"page": TWENTY_DIGITS}),
])
def test_it_answers_a_huge_integer_in_a_query_string_without_an_error(client, mentor, route, params):
    client.force_login(mentor)
    assert client.get(reverse(route), params).status_code == 200


def test_it_answers_404_for_an_id_too_large_for_the_database(client, world):
    """Every URL of the authorization matrix with an id, asked with one past the range of a bigint:
    not found (or not allowed), never an error."""
    client.force_login(world.people["coordinator"])
    asked = []
    for route in authz.all_routes():
        kwargs = route.kwargs(world)
        huge = {key: int(TWENTY_DIGITS) for key, value in kwargs.items() if isinstance(value, int)}
        if huge:
            url = reverse(route.name, kwargs={**kwargs, **huge})
            asked.append(url)
            for response in (client.get(url), client.post(url)):
                # (allauth's security-key pages ask for the password again before looking anything up)
                asked_again = response.status_code == 302 and response["Location"].startswith(
                    reverse("account_reauthenticate"))
                assert response.status_code in (404, 405) or asked_again, url
    assert len(asked) > 10


# --- NUL bytes ------------------------------------------------------------------------------

def assert_refused_as_bad_input(response):
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/plain")
    assert b"NUL" in response.content and len(response.content) < 200


@pytest.mark.parametrize("query", ["topic=%00", "topic=a%00b", "%00=1", "topic=x&other=%00"])
def test_it_refuses_a_nul_byte_in_the_query_string(client, mentor, query):
    client.force_login(mentor)
    assert_refused_as_bad_input(client.get(f"{reverse('courses:readings')}?{query}"))


@pytest.mark.parametrize("query", ["role__exact=%00", "status__exact=%00", "program__slug__exact=%00", "q=%00",
                                   "o=%00"])
def test_it_refuses_a_nul_byte_in_an_admin_filter(client, superuser, program, mentor, query):
    client.force_login(superuser)
    assert_refused_as_bad_input(client.get(f"/admin/mentorprogram/membership/?{query}"))


def test_it_refuses_a_nul_byte_in_an_admin_autocomplete_search(client, superuser, program, mentor):
    client.force_login(superuser)
    response = client.get("/admin/autocomplete/", {"term": "\x00", "app_label": "mentorprogram",
                                                   "model_name": "membership", "field_name": "user"})
    assert_refused_as_bad_input(response)


def test_it_refuses_a_nul_byte_in_the_path(client, mentor):
    client.force_login(mentor)
    assert_refused_as_bad_input(client.get("/community/calendar/%00.ics"))


def test_it_refuses_a_nul_byte_in_a_cookie(client, db):
    # A quoted cookie value's octal escape is unquoted to a NUL, which would reach the session lookup.
    response = client.get(reverse("courses:readings"), HTTP_COOKIE='sessionid="\\000abcdefghijklmnop"')
    assert_refused_as_bad_input(response)


@pytest.mark.parametrize("text", ["\x00", "a\x00b", "A question\x00"])
def test_it_refuses_a_nul_byte_in_a_form_value_and_saves_nothing(client, program, mentor, text):
    client.force_login(mentor)
    response = client.post(reverse("community:challenges", args=[program.slug]), {"text": text})
    assert_refused_as_bad_input(response)
    assert not Challenge.objects.exists()


def test_it_refuses_a_nul_byte_in_any_form_field_name(client, program, mentor):
    client.force_login(mentor)
    response = client.post(reverse("community:challenges", args=[program.slug]), {"text": "ok", "x\x00": "1"})
    assert_refused_as_bad_input(response)
    assert not Challenge.objects.exists()


def test_it_refuses_a_nul_byte_in_an_admin_form(client, superuser, program, mentor):
    client.force_login(superuser)
    membership = Membership.objects.get(user=mentor)
    url = reverse("admin:mentorprogram_membership_change", args=[membership.pk])
    assert_refused_as_bad_input(client.post(url, {"department": "Cardiology\x00", "role": "mentor"}))
    membership.refresh_from_db()
    assert "\x00" not in membership.department


def test_it_still_checks_csrf_before_anything_else_on_a_post_with_a_nul(program, mentor):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(mentor)
    assert client.post(reverse("community:challenges", args=[program.slug]), {"text": "\x00"}).status_code == 403


def test_it_accepts_the_same_requests_without_the_nul(client, program, mentor):
    client.force_login(mentor)
    ChallengeFactory(program=program, author=mentor)
    assert client.get(reverse("courses:readings"), {"topic": "feedback"}).status_code == 200
    response = client.post(reverse("community:challenges", args=[program.slug]), {"text": "A real question"})
    assert response.status_code == 302
    assert Challenge.objects.filter(text="A real question").exists()
