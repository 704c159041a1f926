from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        # Coordinators invite people; public sign-up is off unless a deployment opts in.
        return settings.ACCOUNT_ALLOW_SIGNUP
