from __future__ import annotations

from django.core import mail
from django.urls import reverse

from tests.factories import TEST_PASSWORD, UserFactory


def test_it_signs_in_with_email_and_password(client, mentor):
    response = client.post(reverse("account_login"), {"login": mentor.email, "password": TEST_PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard:home")
    assert client.get(reverse("dashboard:home")).context["user"] == mentor


def test_it_refuses_a_wrong_password_with_an_error(client, mentor):
    response = client.post(reverse("account_login"), {"login": mentor.email, "password": "not-the-password"})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not response.context["user"].is_authenticated


def test_it_signs_in_case_insensitively(client, mentor):
    response = client.post(reverse("account_login"), {"login": mentor.email.upper(), "password": TEST_PASSWORD})
    assert response.status_code == 302


def test_it_answers_a_password_reset_the_same_for_known_and_unknown_addresses(client, mentor):
    known = client.post(reverse("account_reset_password"), {"email": mentor.email})
    unknown = client.post(reverse("account_reset_password"), {"email": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    reset_mails = [m for m in mail.outbox if m.to == [mentor.email]]
    assert len(reset_mails) == 1
    assert "/accounts/password/reset/key/" in reset_mails[0].body


def test_it_keeps_sign_up_closed(client, db):
    response = client.post(
        reverse("account_signup"),
        {"email": "walk.in@example.org", "password1": "a-long-new-passphrase-9",
         "password2": "a-long-new-passphrase-9"},
    )
    assert response.status_code == 200
    assert "account/signup_closed.html" in [t.name for t in response.templates]
    assert not UserFactory._meta.model.objects.filter(email="walk.in@example.org").exists()


def test_it_demands_email_verification_when_configured(client, settings, db):
    settings.ACCOUNT_EMAIL_VERIFICATION = "mandatory"
    person = UserFactory(email="unverified@example.org", verified_email=False)
    response = client.post(reverse("account_login"), {"login": person.email, "password": TEST_PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert not client.get(reverse("dashboard:home")).context["user"].is_authenticated


def test_it_activates_the_persons_time_zone_for_each_request(rf, mentor):
    from django.contrib.auth.models import AnonymousUser
    from django.utils import timezone

    from toolbox.middleware import UserTimezoneMiddleware

    seen = []
    middleware = UserTimezoneMiddleware(lambda request: seen.append(timezone.get_current_timezone_name()))
    mentor.time_zone = "Asia/Tokyo"
    request = rf.get("/")
    request.user = mentor
    middleware(request)
    request.user = AnonymousUser()
    middleware(request)
    assert seen == ["Asia/Tokyo", "America/Los_Angeles"]
