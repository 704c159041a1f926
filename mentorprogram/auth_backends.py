"""Authentication backends whose per-request user lookup is served from the shared cache.

Every signed-in request looks its user up by the id in the session. These backends keep that row
in the cache under the freshness stamp (``mentorprogram/freshness.py``), so a repeat request costs
one cache round trip instead of database queries (the row, and the programs the person belongs to
and coordinates, which most pages check), and any write (a password change, a deactivation,
an ``update()`` that sends no signal) makes the next request read the row again. The time-to-live
bounds what the stamp cannot see: edits made outside Django.
"""

from __future__ import annotations

from allauth.account import auth_backends as allauth_backends
from django.contrib.auth import backends

from . import freshness, permissions

USER_SECONDS = 60


class CachedUserMixin:
    def get_user(self, user_id):
        user, _ = freshness.cached(f"auth-user:{user_id}", lambda: self._load_user(user_id), timeout=USER_SECONDS)
        return user

    def _load_user(self, user_id):
        user = super().get_user(user_id)
        if user is not None:
            permissions.load_live_memberships(user)  # kept with the user: most pages check them
        return user


class ModelBackend(CachedUserMixin, backends.ModelBackend):
    """Django's username (here: email) and password backend."""


class AuthenticationBackend(CachedUserMixin, allauth_backends.AuthenticationBackend):
    """allauth's backend, used by the sign-in form."""
