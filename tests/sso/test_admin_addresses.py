"""The identity providers' admin page shows, for the IdP's administrators, what to register: the
SAML SP's metadata URL, entity id, ACS and logout URLs; the OpenID Connect redirect URI."""

from __future__ import annotations

import pytest
from allauth.socialaccount.models import SocialApp

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    return client


def change_page(client, app: SocialApp) -> str:
    response = client.get(f"/admin/socialaccount/socialapp/{app.pk}/change/")
    assert response.status_code == 200
    return response.content.decode()


def test_a_saml_app_shows_the_sp_metadata_entity_id_and_acs_url(admin_client):
    app = SocialApp.objects.create(provider="saml", provider_id="campus", client_id="campus", name="Campus",
                                   settings={"idp": {"entity_id": "https://idp.example.edu/idp/shibboleth",
                                                     "sso_url": "https://idp.example.edu/sso", "x509cert": "x"}})
    page = change_page(admin_client, app)
    assert "For the identity provider's administrators" in page
    assert "<code>http://testserver/accounts/saml/campus/metadata/</code>" in page  # metadata, and entity id
    assert page.count("http://testserver/accounts/saml/campus/metadata/") == 2
    assert "<code>http://testserver/accounts/saml/campus/acs/</code>" in page
    assert "<code>http://testserver/accounts/saml/campus/sls/</code>" in page


def test_a_configured_sp_entity_id_is_shown_as_configured(admin_client):
    app = SocialApp.objects.create(provider="saml", provider_id="campus", client_id="campus", name="Campus",
                                   settings={"sp": {"entity_id": "https://mentoring.example.edu/sp"}})
    assert "<code>https://mentoring.example.edu/sp</code>" in change_page(admin_client, app)


def test_an_openid_app_shows_its_redirect_uri(admin_client):
    app = SocialApp.objects.create(provider="openid_connect", provider_id="entra", name="Hospital sign-in",
                                   client_id="abc", secret="s", settings={"server_url": "https://login.example.org"})
    page = change_page(admin_client, app)
    assert "Redirect URI (callback)" in page
    assert "<code>http://testserver/accounts/oidc/entra/login/callback/</code>" in page


def test_the_add_page_and_other_people_are_unchanged(admin_client, client, coordinator):
    assert admin_client.get("/admin/socialaccount/socialapp/add/").status_code == 200
    app = SocialApp.objects.create(provider="saml", provider_id="campus", client_id="campus", name="Campus")
    admin_client.logout()
    client.force_login(coordinator)  # staff, not a superuser: no permission on identity providers
    assert client.get(f"/admin/socialaccount/socialapp/{app.pk}/change/").status_code == 403
