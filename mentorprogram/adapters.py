from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django import forms
from django.conf import settings
from django.contrib.sites.shortcuts import get_current_site

from toolbox.params import is_local_path

from .onboarding import memberships_accept_invitation
from .outbox.queueing import outbox_send_message_now
from .sso import password_refusal


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        # Coordinators invite people; public sign-up is off unless a deployment opts in.
        return settings.ACCOUNT_ALLOW_SIGNUP

    def is_safe_url(self, url: str) -> bool:
        # The sign-in pages' ``next`` obeys the same rule as every other: a path of this site.
        return bool(url) and is_local_path(self.request, url)

    def pre_authenticate(self, request, **credentials) -> None:
        # Before the password is even looked at: for an SSO domain with passwords off, no guess helps.
        refusal = password_refusal(request, credentials.get("email", ""))
        if refusal:
            raise forms.ValidationError(refusal, code="password_off")
        super().pre_authenticate(request, **credentials)

    def set_password(self, user, password: str) -> None:
        super().set_password(user, password)
        # Choosing a password through the invitation link is how an invited person accepts.
        memberships_accept_invitation(user=user)

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """Account emails (password reset, address confirmation…) go through the outbox: recorded,
        sent at once, retried with backoff if the server is away, visible in the admin."""
        request = allauth_context.request
        ctx = {"request": request, "email": email, "current_site": get_current_site(request), **context}
        message = self.render_mail(template_prefix, email, ctx)
        user = context.get("user")
        outbox_send_message_now(message, user=user if getattr(user, "pk", None) else None)


def _domain(email: str) -> str:
    return email.rsplit("@", 1)[-1].lower()


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    """Single sign-on lets people in who are expected: an identity provider's word that an address
    is verified counts only for the domains it is configured for (its app's ``domains`` setting,
    else ``SSO_DOMAINS``)."""

    def trusted_domains(self, sociallogin) -> set[str]:
        app = getattr(sociallogin.provider, "app", None)
        configured = (app.settings or {}).get("domains") if app is not None else None
        return {d.lower() for d in (configured or settings.SSO_DOMAINS)}

    def trust_emails(self, sociallogin) -> None:
        domains = self.trusted_domains(sociallogin)
        # A SAML assertion carries no "verified" flag: the identity provider's signed word is it.
        signed_word = sociallogin.provider.id == "saml"
        for address in sociallogin.email_addresses:
            address.verified = (signed_word or bool(address.verified)) and _domain(address.email) in domains

    def authenticate_by_email(self, sociallogin):
        self.trust_emails(sociallogin)  # before the match: an unvouched address matches nobody
        return super().authenticate_by_email(sociallogin)

    def is_open_for_signup(self, request, sociallogin) -> bool:
        # Just-in-time accounts, for the domains a superuser named; otherwise closed (the page asks
        # the person to get an invitation from their coordinator).
        self.trust_emails(sociallogin)
        return any(a.verified and _domain(a.email) in settings.SSO_JIT_DOMAINS for a in sociallogin.email_addresses)

    def pre_social_login(self, request, sociallogin) -> None:
        super().pre_social_login(request, sociallogin)
        if sociallogin.user.pk:
            # Signing in through the institution is how an invited person accepts, as setting a
            # password is.
            memberships_accept_invitation(user=sociallogin.user)


class MFAAdapter(DefaultMFAAdapter):
    # A code and a key are refused with the same sentence: neither says which part was wrong.
    error_messages = {
        **DefaultMFAAdapter.error_messages,
        "incorrect_code": "That code or key was not accepted. Try again, or use another way to sign in.",
    }
