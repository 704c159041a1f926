"""Passwords switched off for an identity provider's domains (its app's ``no_passwords`` setting,
entered by a superuser): people with an address there cannot sign in with a password, reset one or
choose one through an invitation, and are told to use their institution's sign-in. Everyone else
keeps their password."""

from __future__ import annotations

import pytest
from allauth.account.forms import default_token_generator
from allauth.account.utils import user_pk_to_url_str
from allauth.socialaccount.models import SocialApp
from django.urls import reverse

from mentorprogram.models import Membership, OutboundEmail
from tests.factories import TEST_PASSWORD, MembershipFactory, UserFactory

REFUSAL = "Addresses at example.org sign in through their institution, not with a password here."


@pytest.fixture
def campus(db):
    return SocialApp.objects.create(
        provider="openid_connect", provider_id="campus", name="Campus sign-in", client_id="mentorprogram",
        secret="secret", settings={"server_url": "https://login.example.org", "domains": ["example.org"],
                                   "no_passwords": True})


def sign_in(client, email: str):
    return client.post(reverse("account_login"), {"login": email, "password": TEST_PASSWORD})


def test_a_person_of_the_domain_cannot_sign_in_with_their_password_and_is_told_where(client, campus):
    person = UserFactory(email="Faculty.Member@Example.org")
    response = sign_in(client, person.email)
    assert response.status_code == 200 and "_auth_user_id" not in client.session
    page = response.content.decode()
    assert REFUSAL in page and "Sign in with Campus sign-in" in page  # the button is on the same page


def test_people_of_other_domains_and_providers_with_passwords_on_keep_them(client, campus):
    outsider = UserFactory(email="guest@elsewhere.net")
    assert sign_in(client, outsider.email).status_code == 302
    client.logout()
    campus.settings = {**campus.settings, "no_passwords": False}
    campus.save()
    member = UserFactory(email="member@example.org")
    assert sign_in(client, member.email).status_code == 302


def test_the_reset_form_refuses_the_domain_and_sends_nothing(client, campus):
    UserFactory(email="member@example.org")
    response = client.post(reverse("account_reset_password"), {"email": "member@example.org"})
    assert response.status_code == 200 and REFUSAL in response.content.decode()
    assert not OutboundEmail.objects.exists()
    assert client.post(reverse("account_reset_password"), {"email": "guest@elsewhere.net"}).status_code == 302


def test_a_reset_link_from_before_sets_no_password(client, campus):
    person = UserFactory(email="member@example.org")
    link = reverse("account_reset_password_from_key",
                   kwargs={"uidb36": user_pk_to_url_str(person), "key": default_token_generator.make_token(person)})
    form_url = client.get(link)["Location"]  # allauth moves the key into the session
    new = "a-brand-new-long-password"
    response = client.post(form_url, {"password1": new, "password2": new})
    assert response.status_code == 200 and REFUSAL in response.content.decode()
    person.refresh_from_db()
    assert person.check_password(TEST_PASSWORD)


def test_an_invitation_offers_only_the_institution_and_refuses_a_password(client, campus, program):
    person = UserFactory(email="invited@example.org", password=None)
    MembershipFactory(user=person, program=program, status=Membership.Status.INVITED)
    link = reverse("invitation_welcome", args=[user_pk_to_url_str(person), default_token_generator.make_token(person)])
    page = client.get(link, follow=True)
    text = page.content.decode()
    assert "Sign in with Campus sign-in" in text and "Or choose a password" not in text
    assert 'type="password"' not in text
    response = client.post(page.redirect_chain[-1][0], {"password1": "a-brand-new-long-password",
                                                         "password2": "a-brand-new-long-password"})
    assert response.status_code == 200 and "_auth_user_id" not in client.session
    person.refresh_from_db()
    assert not person.has_usable_password()
