"""Sign-in through a real SAML identity provider: pysaml2's IdP (its ``Server``), signing with a key
made for the test run (xmlsec1), answering the authentication requests of allauth's SAML provider
(python3-saml). The browser's part — carrying the request to the IdP and the response back by
POST — is played by the test."""

from __future__ import annotations

import base64
from urllib.parse import parse_qs, urlencode, urlsplit

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


# --- Single logout, started by the IdP (allauth's SLS) ------------------------------------------

SLS = "http://testserver/accounts/saml/campus/sls/"
SAML_IDP_SLO = "https://idp.example.edu/idp/profile/SAML2/Redirect/SLO"


@pytest.fixture
def idp_with_logout(client, campus_saml, saml_idp_keys):
    """The IdP offers single logout: its address is in our app, ours (the SLS) in our metadata."""
    campus_saml.settings["idp"]["slo_url"] = SAML_IDP_SLO
    campus_saml.save()
    client.defaults["HTTP_HOST"] = "testserver"
    metadata = client.get(reverse("saml_metadata", kwargs={"organization_slug": "campus"})).content.decode()
    assert f'Location="{SLS}"' in metadata
    return make_saml_idp(entity_id=SAML_IDP_ENTITY, sso_url=SAML_IDP_SSO, slo_url=SAML_IDP_SLO,
                         keys=saml_idp_keys, sp_metadata=metadata)


def logout_request_url(idp, email: str) -> str:
    """The IdP's signed LogoutRequest for ``email``'s session, as the redirect the browser follows."""
    from saml2 import BINDING_HTTP_REDIRECT
    from saml2.saml import NAMEID_FORMAT_PERSISTENT, NameID
    from saml2.xmldsig import SIG_RSA_SHA256

    _, request = idp.create_logout_request(
        destination=SLS, issuer_entity_id=SP, name_id=NameID(format=NAMEID_FORMAT_PERSISTENT, text=f"pid-{email}"),
        sign=False)
    info = idp.apply_binding(BINDING_HTTP_REDIRECT, str(request), destination=SLS, relay_state="",
                             sign=True, sigalg=SIG_RSA_SHA256)
    return dict(info["headers"])["Location"]


def signed_in_by_saml(client, idp, email: str) -> None:
    query = start(client)
    post_to_acs(client, answer(idp, query, email=email), query.get("RelayState", [""])[0])
    assert signed_in_as(client) is not None


def test_the_idps_single_logout_ends_the_session_and_answers_the_idp(client, idp_with_logout, mentor):
    signed_in_by_saml(client, idp_with_logout, mentor.email)
    response = client.get(logout_request_url(idp_with_logout, mentor.email).removeprefix("http://testserver"))
    assert response.status_code == 302 and response["Location"].startswith(SAML_IDP_SLO + "?")
    assert "SAMLResponse" in parse_qs(urlsplit(response["Location"]).query)  # the LogoutResponse, back
    assert signed_in_as(client) is None
    assert client.get(reverse("profile")).status_code == 302


def test_a_logout_request_with_a_forged_signature_is_refused_and_the_session_kept(client, idp_with_logout, mentor):
    signed_in_by_saml(client, idp_with_logout, mentor.email)
    url = logout_request_url(idp_with_logout, mentor.email)
    parts = parse_qs(urlsplit(url).query)
    signature = parts["Signature"][0]
    forged = signature[:10] + ("A" if signature[10] != "A" else "B") + signature[11:]
    response = client.get(f"{urlsplit(url).path}?" + urlencode(
        {"SAMLRequest": parts["SAMLRequest"][0], "SigAlg": parts["SigAlg"][0], "Signature": forged}))
    assert response.status_code == 400
    assert signed_in_as(client) == mentor
