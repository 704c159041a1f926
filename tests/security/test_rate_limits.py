"""allauth's rate limits, counted in the configured cache (a real one: never the dummy cache)."""

from __future__ import annotations

from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.factories import TEST_PASSWORD

from . import csrf_post

LOGIN = reverse("account_login")


def attempt(client: Client, email: str, password: str, *, url: str = LOGIN):
    return csrf_post(client, url, {"login": email, "password": password}, form_page=LOGIN)


def test_it_counts_attempts_in_a_real_cache():
    assert "DummyCache" not in settings.CACHES["default"]["BACKEND"]
    assert settings.ACCOUNT_RATE_LIMITS["login_failed"]


def test_it_locks_an_account_after_five_wrong_passwords_even_from_new_addresses(mentor):
    for n in range(5):
        response = attempt(Client(enforce_csrf_checks=True, REMOTE_ADDR=f"10.0.0.{n + 1}"), mentor.email, "wrong")
        assert response.status_code == 200 and response.context["form"].errors

    client = Client(enforce_csrf_checks=True, REMOTE_ADDR="10.0.0.99")
    response = attempt(client, mentor.email, TEST_PASSWORD)
    assert response.status_code == 200
    assert "Too many failed login attempts" in response.content.decode()
    assert client.get(reverse("profile")).status_code == 302


def test_it_leaves_other_accounts_alone_when_one_is_locked(mentor, other_mentor):
    for _ in range(5):
        attempt(Client(enforce_csrf_checks=True), mentor.email, "wrong")
    response = attempt(Client(enforce_csrf_checks=True), other_mentor.email, TEST_PASSWORD)
    assert response.status_code == 302


def test_it_stops_one_address_guessing_at_many_accounts(mentor):
    client = Client(enforce_csrf_checks=True, REMOTE_ADDR="203.0.113.7")
    for n in range(10):
        assert "Too many" not in attempt(client, f"guess{n}@example.org", "wrong").content.decode()
    response = attempt(client, mentor.email, TEST_PASSWORD)
    assert "Too many failed login attempts" in response.content.decode()
    assert client.get(reverse("profile")).status_code == 302


def test_it_answers_429_to_a_flood_of_sign_in_posts(db):
    client = Client(enforce_csrf_checks=True, REMOTE_ADDR="203.0.113.8")
    client.get(LOGIN)
    token = client.cookies["csrftoken"].value
    statuses = [client.post(LOGIN, {"login": "", "password": "", "csrfmiddlewaretoken": token}).status_code
                for _ in range(31)]
    assert statuses[:30] == [200] * 30
    assert statuses[30] == 429
    response = client.post(LOGIN, {"login": "", "password": "", "csrfmiddlewaretoken": token})
    assert response.status_code == 429 and "Too many attempts" in response.content.decode()


def test_it_limits_password_reset_emails_per_address(mentor, mailoutbox):
    client = Client(enforce_csrf_checks=True)
    url = reverse("account_reset_password")
    statuses = [csrf_post(client, url, {"email": mentor.email}).status_code for _ in range(7)]
    assert statuses.count(302) == 5 and statuses[-1] == 429
    assert len([m for m in mailoutbox if m.to == [mentor.email]]) <= 5


def test_it_sends_the_admin_sign_in_through_the_rate_limited_form(coordinator):
    client = Client(enforce_csrf_checks=True)
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)

    # The admin's own form is never consulted: posting the right password to it signs nobody in.
    client.get(LOGIN)
    token = client.cookies["csrftoken"].value
    response = client.post("/admin/login/", {"username": coordinator.email, "password": TEST_PASSWORD,
                                             "csrfmiddlewaretoken": token})
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)
    assert client.get("/admin/").status_code == 302

    for _ in range(5):
        attempt(client, coordinator.email, "wrong", url=f"{LOGIN}?next=/admin/")
    response = attempt(client, coordinator.email, TEST_PASSWORD, url=f"{LOGIN}?next=/admin/")
    assert "Too many failed login attempts" in response.content.decode()
    assert client.get("/admin/").status_code == 302
