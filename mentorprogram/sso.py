"""Single sign-on's own rules beside allauth's providers (README "Single sign-on").

* The sign-in buttons post to this site, which sends the browser on to the identity provider;
  browsers hold that redirect to the page's CSP ``form-action``, so a page showing the buttons
  allows the providers' origins (``allow_forms_to``, through the ``sso_form_action`` tag and
  ``ProviderFormActionMiddleware``).
* Passwords can be switched off for an identity provider's domains (its app's ``no_passwords``
  setting): people whose address is in them can neither sign in with a password nor reset or
  choose one, and are told to use the institution's sign-in (``password_refusal``).
* An identity provider that does not answer (its discovery document, its metadata, its token
  endpoint) gives the sign-in failure page saying so, never a server error
  (``ProviderUnreachableMiddleware``).
"""

from __future__ import annotations

import logging
from urllib.error import URLError
from urllib.parse import urlsplit

import requests

logger = logging.getLogger(__name__)

# allauth's views that talk to the identity provider while the person waits.
SIGN_IN_VIEWS = {"openid_connect_login", "openid_connect_callback", "saml_login", "saml_acs", "saml_finish_acs",
                 "saml_sls"}


def _origin(url: str | None) -> str | None:
    parts = urlsplit(url or "")
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme in ("http", "https") and parts.netloc else None


def provider_origins(provider) -> set[str]:
    """Where a provider's sign-in (and sign-out) sends the browser: the OpenID provider's server,
    the SAML IdP's sign-on and logout addresses (or the host of its metadata)."""
    app = getattr(provider, "app", None)
    config = (app.settings or {}) if app is not None else {}
    urls = [config.get("server_url")]
    idp = config.get("idp") or {}
    urls += [idp.get("sso_url"), idp.get("slo_url"), idp.get("metadata_url")]
    return {origin for origin in map(_origin, urls) if origin}


def allow_forms_to(request, providers) -> None:
    origins = set(getattr(request, "_sso_form_origins", set()))
    for provider in providers:
        origins |= provider_origins(provider)
    request._sso_form_origins = origins


class ProviderFormActionMiddleware:
    """Adds the origins a page's sign-in buttons lead to to its CSP ``form-action`` (placed after
    django-csp's middleware, so that it sees the response first)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        origins = getattr(request, "_sso_form_origins", None)
        if origins:
            update = dict(getattr(response, "_csp_update", None) or {})
            update["form-action"] = sorted(set(update.get("form-action", [])) | origins)
            response._csp_update = update
        return response


class ProviderUnreachableMiddleware:
    """Turns a provider that cannot be reached, during a sign-in step, into allauth's sign-in
    failure page (ours: templates/socialaccount/authentication_error.html) with ``unreachable``."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        match = getattr(request, "resolver_match", None)
        if not isinstance(exception, requests.RequestException | URLError | TimeoutError):
            return None
        if match is None or match.url_name not in SIGN_IN_VIEWS:
            return None
        from allauth.socialaccount.adapter import get_adapter
        from allauth.socialaccount.helpers import render_authentication_error

        provider_id = match.kwargs.get("provider_id") or match.kwargs.get("organization_slug")
        logger.warning("identity provider %s did not answer: %s", provider_id, exception)
        try:
            provider = get_adapter().get_provider(request, provider_id)
        except Exception:  # the page needs no provider; its name is a nicety
            provider = None
        return render_authentication_error(request, provider, exception=exception,
                                           extra_context={"unreachable": True})


def _domain(email: str) -> str:
    return (email or "").rsplit("@", 1)[-1].strip().lower()


def passwordless_app_for(request, email: str):
    """The identity provider whose domains include ``email``'s and whose app switches passwords
    off, or None."""
    from allauth.socialaccount.adapter import get_adapter

    domain = _domain(email)
    if not domain:
        return None
    for app in get_adapter().list_apps(request):
        config = app.settings or {}
        if config.get("no_passwords") and domain in {d.lower() for d in config.get("domains") or []}:
            return app
    return None


def password_refusal(request, email: str) -> str | None:
    """The sentence refusing a password to ``email``, if its domain signs in through its institution."""
    app = passwordless_app_for(request, email)
    if app is None:
        return None
    return (f"Addresses at {_domain(email)} sign in through their institution, not with a password here. "
            f"Use “Sign in with {app.name}” on the sign-in page.")
