"""The identity providers' admin page (allauth's SocialApp) shows what the IdP's administrators need
from us: for SAML the SP metadata URL, entity id, ACS and single-logout URLs; for OpenID Connect the
redirect URI to register. (Registered from mentorprogram/admin.py.)"""

from __future__ import annotations

from allauth.socialaccount.admin import SocialAppAdmin
from allauth.socialaccount.models import SocialApp
from django.contrib import admin
from django.urls import NoReverseMatch, reverse


def service_provider_addresses(request, app: SocialApp) -> list[tuple[str, str]]:
    """(label, absolute URL or value) pairs for ``app``, as this site answers at the request's host."""
    def absolute(name: str, **kwargs) -> str:
        return request.build_absolute_uri(reverse(name, kwargs=kwargs))

    try:
        if app.provider == "saml":
            slug = app.client_id
            metadata = absolute("saml_metadata", organization_slug=slug)
            entity_id = ((app.settings or {}).get("sp") or {}).get("entity_id") or metadata
            return [
                ("SP metadata URL", metadata),
                ("Entity ID", entity_id),
                ("Assertion consumer service (ACS) URL, HTTP-POST", absolute("saml_acs", organization_slug=slug)),
                ("Single logout service URL, HTTP-Redirect", absolute("saml_sls", organization_slug=slug)),
            ]
        if app.provider == "openid_connect":
            return [("Redirect URI (callback)", absolute("openid_connect_callback", provider_id=app.provider_id))]
    except NoReverseMatch:  # an id with characters a URL cannot hold: the form says so on saving
        return []
    return []


class IdentityProviderAdmin(SocialAppAdmin):
    change_form_template = "admin/socialaccount/socialapp/change_form.html"

    def change_view(self, request, object_id, form_url="", extra_context=None):
        app = self.get_object(request, object_id)
        addresses = service_provider_addresses(request, app) if app is not None else []
        return super().change_view(request, object_id, form_url,
                                   extra_context={**(extra_context or {}), "sp_addresses": addresses})


def register() -> None:
    if admin.site.is_registered(SocialApp):
        admin.site.unregister(SocialApp)
    admin.site.register(SocialApp, IdentityProviderAdmin)
