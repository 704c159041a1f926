"""An identity provider that does not answer (nothing listens on its port): pressing its button gives
the sign-in failure page saying so, never a server error, and nobody is signed in."""

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
