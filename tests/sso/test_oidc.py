"""Sign-in through a real OpenID provider (panva's oidc-provider, tests/sso/oidc_provider.mjs):
the authorization-code flow with PKCE, the test client on our side and HTTP to the provider on the
other. Who comes in: an invited person or an existing account, by an address the provider vouches
for in its own domains; everyone else is refused with a clear page and no account is made."""

from __future__ import annotations

from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
import requests
from allauth.socialaccount.models import SocialAccount, SocialApp
from django.urls import reverse

from mentorprogram.models import Membership, User
from tests.factories import MembershipFactory, UserFactory

LOGIN = reverse("openid_connect_login", kwargs={"provider_id": "campus"})


@pytest.fixture
def campus(db, oidc_provider):
    """The provider as a superuser enters it in the admin (Social applications)."""
    return SocialApp.objects.create(
        provider="openid_connect", provider_id="campus", name="Campus sign-in",
        client_id=oidc_provider.client_id, secret=oidc_provider.client_secret,
        settings={"server_url": oidc_provider.issuer, "domains": ["example.org"]},
    )


def sign_in_at_provider(client, login: str):
    """Start at our sign-in button, sign in at the provider's own pages as ``login``, consent, and
    bring the code back to our callback. Returns our callback's response."""
    response = client.post(LOGIN)
    assert response.status_code == 302
    authorize = response["Location"]
    query = parse_qs(urlsplit(authorize).query)
    assert query["code_challenge_method"] == ["S256"] and query["code_challenge"]  # PKCE

    browser = requests.Session()
    url = authorize
    for _ in range(12):
        if url.startswith("http://testserver/"):
            return client.get(url.removeprefix("http://testserver"))
        answer = browser.get(url, allow_redirects=False, timeout=10)
        if answer.status_code in (302, 303):
            url = urljoin(url, answer.headers["Location"])
            continue
        assert answer.status_code == 200, answer.text
        prompt = "login" if 'value="login"' in answer.text else "consent"
        data = {"prompt": prompt, "login": login, "password": "anything"} if prompt == "login" else {"prompt": prompt}
        answer = browser.post(urlsplit(url)._replace(query="").geturl(), data=data, allow_redirects=False, timeout=10)
        assert answer.status_code in (302, 303), answer.text
        url = urljoin(url, answer.headers["Location"])
    raise AssertionError("the provider never sent the browser back")


def signed_in_as(client) -> User | None:
    user_id = client.session.get("_auth_user_id")
    return User.objects.get(pk=user_id) if user_id else None


def test_an_invited_person_signs_in_and_lands_on_their_dashboard(client, campus, program):
    invited = UserFactory(email="invited@example.org", password=None)
    membership = MembershipFactory(user=invited, program=program, status=Membership.Status.INVITED)
    response = sign_in_at_provider(client, "invited")
    assert response.status_code == 302 and response["Location"] == "/"
    assert signed_in_as(client) == invited
    assert client.get("/").status_code == 200
    membership.refresh_from_db()
    assert membership.status == Membership.Status.PROSPECTIVE  # signing in accepted the invitation
    assert SocialAccount.objects.get(user=invited).uid == "invited"


def test_an_existing_account_is_matched_by_its_verified_address_and_kept(client, campus, mentor):
    assert sign_in_at_provider(client, "mentor")["Location"] == "/"
    assert signed_in_as(client) == mentor
    client.logout()
    assert sign_in_at_provider(client, "mentor")["Location"] == "/"  # now by the linked account
    assert SocialAccount.objects.filter(user=mentor).count() == 1


def test_an_unknown_person_is_told_to_ask_their_coordinator_and_no_account_is_made(client, campus, program):
    before = User.objects.count()
    response = sign_in_at_provider(client, "unknown")
    assert response.status_code == 200
    assert "Ask your coordinator" in response.content.decode()
    assert signed_in_as(client) is None and User.objects.count() == before
    assert not User.objects.filter(email="stranger@example.org").exists()


def test_an_unverified_address_matches_nobody(client, campus, mentor):
    response = sign_in_at_provider(client, "unverified")
    assert "Ask your coordinator" in response.content.decode()
    assert signed_in_as(client) is None and not SocialAccount.objects.exists()


def test_an_address_outside_the_providers_domains_matches_nobody(client, campus):
    UserFactory(email="visitor@elsewhere.net")
    response = sign_in_at_provider(client, "visitor")
    assert "Ask your coordinator" in response.content.decode()
    assert signed_in_as(client) is None and not SocialAccount.objects.exists()


@pytest.mark.parametrize("login", ["wrong-aud", "wrong-iss", "expired"])
def test_an_id_token_for_another_client_from_another_issuer_or_expired_is_refused(client, campus, mentor, login):
    # These accounts are "mentor" (who signs in, above) but for the one claim the provider got wrong.
    response = sign_in_at_provider(client, login)
    assert response.status_code == 401  # allauth's sign-in failure page
    assert signed_in_as(client) is None and not SocialAccount.objects.exists()
    assert client.get(reverse("profile")).status_code == 302


def test_just_in_time_accounts_for_named_domains_come_with_no_program(client, campus, settings):
    settings.SSO_JIT_DOMAINS = ["example.org"]
    response = sign_in_at_provider(client, "unknown")
    assert response.status_code == 302
    person = signed_in_as(client)
    assert person.email == "stranger@example.org" and not person.memberships.exists()
    assert not person.is_staff and not person.has_usable_password()


def test_just_in_time_accounts_need_a_vouched_address_too(client, campus, settings):
    settings.SSO_JIT_DOMAINS = ["elsewhere.net"]  # a domain the provider is not configured for
    response = sign_in_at_provider(client, "visitor")
    assert "Ask your coordinator" in response.content.decode()
    assert not User.objects.filter(email="visitor@elsewhere.net").exists()


def test_the_sign_in_page_offers_the_institution(client, campus, oidc_provider):
    response = client.get(reverse("account_login"))
    assert "Campus sign-in" in response.content.decode()
    # The button posts here and is sent on to the provider: the page's forms may lead there.
    form_action = next(part for part in response["Content-Security-Policy"].split(";") if "form-action" in part)
    assert oidc_provider.issuer in form_action.split() and "'self'" in form_action.split()
    other_page = client.get(reverse("account_reset_password"))
    assert oidc_provider.issuer not in other_page["Content-Security-Policy"]
