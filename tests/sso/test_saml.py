"""Sign-in through a real SAML identity provider: pysaml2's IdP (its ``Server``), signing with a key
made for the test run (xmlsec1), answering the authentication requests of allauth's SAML provider
(python3-saml). The browser's part — carrying the request to the IdP and the response back by
POST — is played by the test."""

from __future__ import annotations

import base64
from urllib.parse import parse_qs, urlsplit

import pytest
from allauth.socialaccount.models import SocialAccount, SocialApp
from django.urls import reverse

from mentorprogram.models import Membership, User
from tests.factories import MembershipFactory, UserFactory

from .conftest import SAML_IDP_ENTITY, SAML_IDP_SSO
from .saml_idp import make_saml_idp, signed_response

SP = "http://testserver/accounts/saml/campus/metadata/"
ACS = "http://testserver/accounts/saml/campus/acs/"
MAIL = "urn:oid:0.9.2342.19200300.100.1.3"


@pytest.fixture
def campus_saml(db, saml_idp_keys):
    """The IdP as a superuser enters it in the admin (Social applications, provider SAML)."""
    return SocialApp.objects.create(
        provider="saml", provider_id="campus", client_id="campus", name="Campus (SAML)",
        settings={
            "idp": {"entity_id": SAML_IDP_ENTITY, "sso_url": SAML_IDP_SSO, "x509cert": saml_idp_keys.cert_body},
            "sp": {"entity_id": SP},
            "domains": ["example.org"],
            "advanced": {"want_assertion_signed": True, "allow_single_label_domains": True},
        },
    )


@pytest.fixture
def idp(client, campus_saml, saml_idp_keys):
    """pysaml2's identity provider, given this site's SP metadata as its administrator would be."""
    client.defaults["HTTP_HOST"] = "testserver"  # python3-saml reads the host from the request, as sent
    metadata = client.get(reverse("saml_metadata", kwargs={"organization_slug": "campus"}))
    assert metadata.status_code == 200
    return make_saml_idp(entity_id=SAML_IDP_ENTITY, sso_url=SAML_IDP_SSO, keys=saml_idp_keys,
                         sp_metadata=metadata.content.decode())


def start(client):
    response = client.post(reverse("saml_login", kwargs={"organization_slug": "campus"}))
    assert response.status_code == 302 and response["Location"].startswith(SAML_IDP_SSO)
    return parse_qs(urlsplit(response["Location"]).query)


def answer(idp, query, *, email: str, sign: bool = True, audience: str = SP) -> str:
    """The IdP's signed response to the request in ``query``, for a person with ``email``."""
    return signed_response(idp, query["SAMLRequest"][0], email=email, acs=ACS, audience=audience, sign=sign)


def post_to_acs(client, xml: str, relay_state: str):
    return client.post(reverse("saml_acs", kwargs={"organization_slug": "campus"}),
                       {"SAMLResponse": base64.b64encode(xml.encode()).decode(), "RelayState": relay_state},
                       follow=True)


def signed_in_as(client) -> User | None:
    user_id = client.session.get("_auth_user_id")
    return User.objects.get(pk=user_id) if user_id else None


def test_an_invited_person_signs_in_with_a_signed_assertion(client, idp, program):
    invited = UserFactory(email="invited@example.org", password=None)
    membership = MembershipFactory(user=invited, program=program, status=Membership.Status.INVITED)
    query = start(client)
    response = post_to_acs(client, answer(idp, query, email="invited@example.org"), query.get("RelayState", [""])[0])
    assert signed_in_as(client) == invited, response.content.decode()[:2000]
    assert response.request["PATH_INFO"] == "/"
    membership.refresh_from_db()
    assert membership.status == Membership.Status.PROSPECTIVE
    assert SocialAccount.objects.get(user=invited).provider == "campus"


def refused(client, response, reason: str | None = None) -> None:
    assert signed_in_as(client) is None and not SocialAccount.objects.exists()
    if reason is not None:
        assert response.status_code == 401
        assert reason in (response.context.get("saml_last_error_reason") or ""), response.context.get(
            "saml_last_error_reason")


def test_an_unsigned_assertion_is_refused(client, idp, mentor):
    query = start(client)
    response = post_to_acs(client, answer(idp, query, email=mentor.email, sign=False), query.get("RelayState", [""])[0])
    refused(client, response, "signed")


def test_a_tampered_assertion_is_refused(client, idp, mentor):
    UserFactory(email="someone.else@example.org")
    query = start(client)
    xml = answer(idp, query, email=mentor.email)
    assert mentor.email in xml
    xml = xml.replace(mentor.email, "someone.else@example.org")  # after the IdP signed it
    response = post_to_acs(client, xml, query.get("RelayState", [""])[0])
    refused(client, response, "")


def test_a_replayed_response_is_refused(client, idp, mentor):
    query = start(client)
    xml = answer(idp, query, email=mentor.email)
    post_to_acs(client, xml, query.get("RelayState", [""])[0])
    assert signed_in_as(client) == mentor
    client.logout()
    SocialAccount.objects.all().delete()
    response = post_to_acs(client, xml, query.get("RelayState", [""])[0])  # the same response, again
    assert signed_in_as(client) is None and not SocialAccount.objects.exists()
    assert response.status_code in (401, 403)  # its request was answered already: no state awaits it


def test_a_response_for_another_service_is_refused(client, idp, mentor):
    query = start(client)
    xml = answer(idp, query, email=mentor.email, audience="https://another-service.example.org/sp")
    response = post_to_acs(client, xml, query.get("RelayState", [""])[0])
    refused(client, response, "audience")


def test_an_unknown_person_is_told_to_ask_their_coordinator(client, idp):
    query = start(client)
    response = post_to_acs(client, answer(idp, query, email="stranger@example.org"), query.get("RelayState", [""])[0])
    assert "Ask your coordinator" in response.content.decode()
    assert not User.objects.filter(email="stranger@example.org").exists()


def test_an_address_outside_the_idps_domains_matches_nobody(client, idp):
    UserFactory(email="visitor@elsewhere.net")
    query = start(client)
    response = post_to_acs(client, answer(idp, query, email="visitor@elsewhere.net"), query.get("RelayState", [""])[0])
    assert "Ask your coordinator" in response.content.decode()
    refused(client, response)


def test_the_sp_metadata_gives_the_idps_administrator_the_entity_id_and_acs_url(client, campus_saml):
    client.defaults["HTTP_HOST"] = "testserver"
    metadata = client.get(reverse("saml_metadata", kwargs={"organization_slug": "campus"})).content.decode()
    assert f'entityID="{SP}"' in metadata and f'Location="{ACS}"' in metadata
