"""An identity provider that does not answer (nothing listens on its port): pressing its button gives
the sign-in failure page saying so, never a server error, and nobody is signed in. And the page a
sign-in link opens (allauth asks for a POST first) may send its form on to the provider."""

from __future__ import annotations

from allauth.socialaccount.models import SocialApp
from django.urls import reverse

from .conftest import free_port


def a_closed_port() -> str:
    return f"http://127.0.0.1:{free_port()}"  # free: nothing listens there


def assert_clear_refusal(client, response, name: str) -> None:
    assert response.status_code == 401
    page = response.content.decode()
    assert f"{name} did not answer" in page and "Try again in a few minutes" in page
    assert "_auth_user_id" not in client.session


def test_an_openid_provider_that_does_not_answer_gives_a_clear_page(client, db):
    SocialApp.objects.create(provider="openid_connect", provider_id="campus", name="Campus sign-in",
                             client_id="mentorprogram", secret="secret", settings={"server_url": a_closed_port()})
    client.raise_request_exception = False
    response = client.post(reverse("openid_connect_login", kwargs={"provider_id": "campus"}))
    assert_clear_refusal(client, response, "Campus sign-in")


def test_a_saml_idp_whose_metadata_does_not_answer_gives_a_clear_page(client, db):
    SocialApp.objects.create(provider="saml", provider_id="campus", client_id="campus", name="Campus (SAML)",
                             settings={"idp": {"entity_id": "https://idp.example.edu/idp/shibboleth",
                                               "metadata_url": f"{a_closed_port()}/idp/metadata"},
                                       "domains": ["example.org"]})
    client.raise_request_exception = False
    client.defaults["HTTP_HOST"] = "testserver"  # python3-saml reads the host from the request, as sent
    response = client.post(reverse("saml_login", kwargs={"organization_slug": "campus"}))
    assert_clear_refusal(client, response, "Campus (SAML)")


def test_the_page_a_sign_in_link_opens_lets_its_form_lead_to_the_provider(client, db):
    SocialApp.objects.create(provider="openid_connect", provider_id="campus", name="Campus sign-in",
                             client_id="mentorprogram", secret="secret",
                             settings={"server_url": "https://login.example.org/tenant"})
    response = client.get(reverse("openid_connect_login", kwargs={"provider_id": "campus"}))
    assert response.status_code == 200 and "Continue to Campus sign-in" in response.content.decode()
    form_action = next(p for p in response["Content-Security-Policy"].split(";") if "form-action" in p)
    assert "https://login.example.org" in form_action.split()
