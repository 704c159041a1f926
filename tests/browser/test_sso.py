"""Single sign-on in Chromium, against the real identity providers of tests/sso: panva's
oidc-provider (its own sign-in and consent pages) and pysaml2's IdP behind a small HTTP front
(its sign-in page, then the form the browser posts to our ACS). A person invited by email lands on
their dashboard; someone nobody invited gets the page telling them to ask their coordinator, and
no account is made."""

from __future__ import annotations

import pytest
import requests
from allauth.socialaccount.models import SocialAccount, SocialApp
from playwright.sync_api import expect

from mentorprogram.models import Membership, User
from tests.factories import MembershipFactory, UserFactory
from tests.sso.conftest import SAML_IDP_ENTITY, running_oidc_provider, saml_idp_keys  # noqa: F401 (a fixture)
from tests.sso.saml_idp import make_saml_idp, serving

from .helpers import audit, visit


@pytest.fixture
def oidc_campus(live_server, tmp_path):
    with running_oidc_provider(tmp_path, f"{live_server.url}/accounts/oidc/campus/login/callback/") as provider:
        yield SocialApp.objects.create(
            provider="openid_connect", provider_id="campus", name="Campus (OpenID)",
            client_id=provider.client_id, secret=provider.client_secret,
            settings={"server_url": provider.issuer, "domains": ["example.org"]})


@pytest.fixture
def saml_campus(live_server, saml_idp_keys):  # noqa: F811
    sp = f"{live_server.url}/accounts/saml/campus/metadata/"
    acs = f"{live_server.url}/accounts/saml/campus/acs/"

    def idp_at(base_url: str):
        app = SocialApp.objects.create(
            provider="saml", provider_id="campus", client_id="campus", name="Campus (SAML)",
            settings={
                "idp": {"entity_id": SAML_IDP_ENTITY, "sso_url": f"{base_url}/sso",
                        "x509cert": saml_idp_keys.cert_body},
                "sp": {"entity_id": sp},
                "domains": ["example.org"],
                "advanced": {"want_assertion_signed": True, "allow_single_label_domains": True},
            })
        metadata = requests.get(sp, timeout=10)  # as the IdP's administrator fetches it
        assert metadata.status_code == 200
        idp = make_saml_idp(entity_id=SAML_IDP_ENTITY, sso_url=f"{base_url}/sso", keys=saml_idp_keys,
                            sp_metadata=metadata.text)
        idp.app = app
        return idp

    with serving(idp_at, acs=acs, audience=sp) as (base_url, log, box):
        yield box["idp"].app


def invited_person(program) -> User:
    person = UserFactory(email="invited@example.org", password=None, display_name="Ines Invited")
    MembershipFactory(user=person, program=program, status=Membership.Status.INVITED)
    return person


def press_the_institution(page, name: str) -> None:
    visit(page, "/accounts/login/")
    page.get_by_role("button", name=f"Sign in with {name}").click()


def at_oidc_provider(page, login: str) -> None:
    page.wait_for_url(lambda url: "/interaction/" in url)
    page.locator("input[name=login]").fill(login)
    page.locator("input[name=password]").fill("anything")
    page.locator("button[type=submit]").click()
    page.wait_for_url(lambda url: "/interaction/" in url)
    page.locator("button[type=submit]").click()  # consent: the provider asks once per client


def at_saml_idp(page, login: str) -> None:
    page.get_by_label("Campus login").fill(login)
    page.get_by_label("Password").fill("anything")
    page.get_by_role("button", name="Sign in at campus").click()
    page.get_by_role("button", name="Continue to the service").click()


def lands_on_dashboard(page, live_server, person) -> None:
    page.wait_for_url(f"{live_server.url}/")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    audit(page)
    assert SocialAccount.objects.get(user=person)
    assert person.memberships.get().status == Membership.Status.PROSPECTIVE  # the invitation accepted


def refused(page, email: str) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text("Ask your coordinator for an invitation")
    audit(page)
    assert not User.objects.filter(email=email).exists() and not SocialAccount.objects.exists()
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)


def test_an_invited_person_signs_in_through_the_openid_provider(page, live_server, program, oidc_campus):
    person = invited_person(program)
    press_the_institution(page, "Campus (OpenID)")
    at_oidc_provider(page, "invited")
    lands_on_dashboard(page, live_server, person)


def test_an_uninvited_person_is_refused_by_the_openid_sign_in(page, live_server, program, oidc_campus):
    press_the_institution(page, "Campus (OpenID)")
    at_oidc_provider(page, "unknown")
    refused(page, "stranger@example.org")


def test_an_invited_person_signs_in_through_the_saml_idp(page, live_server, program, saml_campus):
    person = invited_person(program)
    press_the_institution(page, "Campus (SAML)")
    at_saml_idp(page, "invited")
    lands_on_dashboard(page, live_server, person)


def test_an_uninvited_person_is_refused_by_the_saml_sign_in(page, live_server, program, saml_campus):
    press_the_institution(page, "Campus (SAML)")
    at_saml_idp(page, "stranger")
    refused(page, "stranger@example.org")
