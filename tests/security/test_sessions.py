from __future__ import annotations

from importlib import import_module

from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.factories import TEST_PASSWORD

from . import csrf_post

SessionStore = import_module(settings.SESSION_ENGINE).SessionStore
LOGIN = reverse("account_login")


def sign_in(client: Client, user) -> str:
    response = csrf_post(client, LOGIN, {"login": user.email, "password": TEST_PASSWORD})
    assert response.status_code == 302, response.content[:500]
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def is_signed_in(client: Client) -> bool:
    return client.get(reverse("profile")).status_code == 200


def test_it_gives_a_new_session_key_at_sign_in(csrf_client, mentor):
    csrf_client.get(LOGIN)
    before = csrf_client.session
    before["seen_welcome"] = True
    before.save()
    csrf_client.cookies[settings.SESSION_COOKIE_NAME] = before.session_key

    after = sign_in(csrf_client, mentor)

    assert after != before.session_key
    assert not SessionStore().exists(before.session_key)
    assert is_signed_in(csrf_client)


def test_it_ends_the_session_at_sign_out_so_a_copied_cookie_is_worthless(csrf_client, mentor):
    key = sign_in(csrf_client, mentor)
    response = csrf_post(csrf_client, reverse("account_logout"), {})
    assert response.status_code == 302
    assert not is_signed_in(csrf_client)
    assert not SessionStore().exists(key)

    thief = Client()
    thief.cookies[settings.SESSION_COOKIE_NAME] = key
    assert not is_signed_in(thief)


def test_it_refuses_sign_out_without_the_csrf_token(csrf_client, mentor):
    sign_in(csrf_client, mentor)
    assert csrf_client.post(reverse("account_logout")).status_code == 403
    assert is_signed_in(csrf_client)


def test_it_stops_a_deactivated_persons_open_session(csrf_client, mentor):
    sign_in(csrf_client, mentor)
    assert is_signed_in(csrf_client)
    mentor.is_active = False
    mentor.save(update_fields=["is_active"])
    assert not is_signed_in(csrf_client)
    assert not csrf_client.get("/").context["user"].is_authenticated


def test_it_stops_the_session_of_a_person_deactivated_without_signals(csrf_client, mentor):
    # The signed-in user is read from the cache; a bulk update() must still reach the next request.
    from mentorprogram.models import User

    sign_in(csrf_client, mentor)
    assert is_signed_in(csrf_client)
    assert is_signed_in(csrf_client)  # the user now comes from the cache
    User.objects.filter(pk=mentor.pk).update(is_active=False)
    assert not is_signed_in(csrf_client)


def test_it_refuses_a_deactivated_person_at_sign_in(csrf_client, mentor):
    mentor.is_active = False
    mentor.save(update_fields=["is_active"])
    response = csrf_post(csrf_client, LOGIN, {"login": mentor.email, "password": TEST_PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("account_inactive")
    assert not is_signed_in(csrf_client)


def test_it_ends_other_sessions_when_the_password_changes(csrf_client, mentor):
    other_device = Client(enforce_csrf_checks=True)
    sign_in(other_device, mentor)
    sign_in(csrf_client, mentor)
    new_password = "a-different-long-passphrase-77"
    response = csrf_post(csrf_client, reverse("account_change_password"),
                         {"oldpassword": TEST_PASSWORD, "password1": new_password, "password2": new_password})
    assert response.status_code == 302
    assert is_signed_in(csrf_client)
    assert not is_signed_in(other_device)


def test_it_keeps_the_session_cookie_away_from_scripts(csrf_client, mentor):
    sign_in(csrf_client, mentor)
    assert csrf_client.cookies[settings.SESSION_COOKIE_NAME]["httponly"]
    assert settings.SESSION_COOKIE_SAMESITE == "Lax"


def test_saving_the_profile_keeps_the_password_and_the_session(csrf_client, mentor):
    sign_in(csrf_client, mentor)
    csrf_client.get(reverse("profile"))
    response = csrf_post(csrf_client, reverse("profile"), {"display_name": "Dr. Kept", "time_zone": "Europe/Paris"})
    assert response.status_code == 302
    mentor.refresh_from_db()
    assert mentor.display_name == "Dr. Kept"
    assert mentor.check_password(TEST_PASSWORD)
    assert is_signed_in(csrf_client)
