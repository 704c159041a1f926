from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings

from toolbox.params import is_local_path

from .onboarding import memberships_accept_invitation


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
