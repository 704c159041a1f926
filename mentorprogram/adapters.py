from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.conf import settings
from django.contrib.sites.shortcuts import get_current_site

from toolbox.params import is_local_path

from .onboarding import memberships_accept_invitation
from .outbox.queueing import outbox_send_message_now


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        # Coordinators invite people; public sign-up is off unless a deployment opts in.
        return settings.ACCOUNT_ALLOW_SIGNUP

    def is_safe_url(self, url: str) -> bool:
        # The sign-in pages' ``next`` obeys the same rule as every other: a path of this site.
        return bool(url) and is_local_path(self.request, url)

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
