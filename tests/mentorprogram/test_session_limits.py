"""How long a sign-in lasts: the idle timeout, the absolute lifetime, and signing out everywhere."""

from __future__ import annotations

import time

from django.test import Client
from django.urls import reverse

from mentorprogram import session_limits
from tests.factories import TEST_PASSWORD


def signed_in(user) -> Client:
    client = Client()
    response = client.post(reverse("account_login"), {"login": user.email, "password": TEST_PASSWORD})
    assert response.status_code == 302
    return client


def age_session(client: Client, **seconds_ago: int) -> None:
    session = client.session
    for key, ago in seconds_ago.items():
        session[key] = int(time.time()) - ago
    session.save()


def test_it_ends_a_sign_in_idle_longer_than_the_timeout(mentor, settings):
    settings.SESSION_IDLE_TIMEOUT = 15 * 60
    client = signed_in(mentor)
    age_session(client, mp_seen_at=10 * 60)
    assert client.get(reverse("profile")).status_code == 200  # ten idle minutes: still signed in
    age_session(client, mp_seen_at=16 * 60)
    response = client.get(reverse("profile"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))
    assert client.get(reverse("profile")).status_code == 302


def test_each_request_counts_as_activity(mentor, settings):
    settings.SESSION_IDLE_TIMEOUT = 15 * 60
    client = signed_in(mentor)
    age_session(client, mp_seen_at=14 * 60, mp_signed_in_at=60 * 60)
    assert client.get(reverse("profile")).status_code == 200
    assert time.time() - client.session[session_limits.SEEN_AT] < 5


def test_it_ends_a_sign_in_older_than_the_absolute_lifetime_however_busy(mentor, settings):
    settings.SESSION_ABSOLUTE_LIFETIME = 8 * 3600
    client = signed_in(mentor)
    age_session(client, mp_signed_in_at=7 * 3600)
    assert client.get(reverse("profile")).status_code == 200
    age_session(client, mp_signed_in_at=9 * 3600, mp_seen_at=1)
    assert client.get(reverse("profile")).status_code == 302


def test_no_idle_timeout_by_default(mentor, settings):
    assert settings.SESSION_IDLE_TIMEOUT == 0
    client = signed_in(mentor)
    age_session(client, mp_seen_at=30 * 24 * 3600)
    assert client.get(reverse("profile")).status_code == 200


def test_sign_out_everywhere_ends_every_sign_in_of_that_person_only(mentor, other_mentor):
    laptop, workstation, colleague = signed_in(mentor), signed_in(mentor), signed_in(other_mentor)
    assert "Sign out everywhere" in laptop.get(reverse("profile")).content.decode()
    assert laptop.get(reverse("sign_out_everywhere")).status_code == 405  # a change: POST only

    response = laptop.post(reverse("sign_out_everywhere"))
    assert response.status_code == 302 and response["Location"] == reverse("account_login")
    for client in (laptop, workstation):
        assert client.get(reverse("profile")).status_code == 302
    assert colleague.get(reverse("profile")).status_code == 200


def test_sign_out_everywhere_needs_a_sign_in(client, db):
    response = client.post(reverse("sign_out_everywhere"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))
