from __future__ import annotations

import pytest
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.urls import reverse

from tests.factories import TEST_PASSWORD, UserFactory

from . import csrf_post

CHANGE = reverse("account_change_password")


def change_password(client, user, new: str):
    client.force_login(user)
    return csrf_post(client, CHANGE, {"oldpassword": TEST_PASSWORD, "password1": new, "password2": new})


@pytest.mark.parametrize(("password", "message"), [
    ("short-pass1", "at least 12 characters"),
    ("qwerty123456", "too common"),
    ("384712094563", "entirely numeric"),
])
def test_it_refuses_a_weak_new_password_with_the_reason(csrf_client, mentor, password, message):
    response = change_password(csrf_client, mentor, password)
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors["password1"])
    mentor.refresh_from_db()
    assert mentor.check_password(TEST_PASSWORD)


def test_it_refuses_a_password_that_resembles_the_email_address(db):
    person = UserFactory(email="margaret.hamilton@example.org")
    with pytest.raises(ValidationError, match="too similar"):
        password_validation.validate_password("margaret.hamilton", person)


def test_it_accepts_a_long_uncommon_passphrase(csrf_client, mentor):
    response = change_password(csrf_client, mentor, "tidal-orchid-seventeen-lanterns")
    assert response.status_code == 302
    mentor.refresh_from_db()
    assert mentor.check_password("tidal-orchid-seventeen-lanterns")


def test_it_checks_the_same_rules_when_a_password_is_reset(csrf_client, mentor, mailoutbox):
    csrf_post(csrf_client, reverse("account_reset_password"), {"email": mentor.email})
    link = next(line for line in mailoutbox[-1].body.splitlines() if "/accounts/password/reset/key/" in line)
    path = link[link.index("/accounts/"):].strip()
    form_url = csrf_client.get(path)["Location"]  # allauth moves the key into the session first
    response = csrf_post(csrf_client, form_url, {"password1": "short-pass1", "password2": "short-pass1"})
    assert response.status_code == 200
    assert "at least 12 characters" in " ".join(response.context["form"].errors["password1"])
    mentor.refresh_from_db()
    assert mentor.check_password(TEST_PASSWORD)
