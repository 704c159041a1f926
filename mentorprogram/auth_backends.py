"""Authentication backends whose per-request user lookup is served from the shared cache.

Every signed-in request looks its user up by the id in the session. These backends keep that row
in the cache under the stamps of the user and membership tables (``mentorprogram/freshness.py``),
so a repeat request costs one cache round trip instead of database queries (the row, and the
programs the person belongs to and coordinates, which most pages check), and any write to those
tables (a password change, a deactivation, a new membership, an ``update()`` that sends no
signal) makes the next request read them again. The time-to-live bounds what the stamps cannot
see: edits made outside Django.
"""

from __future__ import annotations

import hashlib

from allauth.account import auth_backends as allauth_backends
from django.conf import settings
from django.contrib.auth import backends

from . import freshness, permissions
from .models import Membership, User

USER_SECONDS = 60
# What a kept user depends on: writes to other tables leave it alone.
USER_TABLES = (User._meta.db_table, Membership._meta.db_table)
# Entries made under another SECRET_KEY carry a session hash that no longer verifies: keep them apart.
_KEY_PREFIX = "auth-user:" + hashlib.sha256(settings.SECRET_KEY.encode()).hexdigest()[:12]


def cache_key(user_id) -> str:
    return f"{_KEY_PREFIX}:{user_id}"


class CachedUserMixin:
    def get_user(self, user_id):
        user, _ = freshness.cached(cache_key(user_id), lambda: self._load_user(user_id), timeout=USER_SECONDS,
                                   tables=USER_TABLES)
        return user

    def _load_user(self, user_id):
        user = super().get_user(user_id)
        if user is not None:
            permissions.load_live_memberships(user)  # kept with the user: most pages check them
            # The cache holds the session check's HMAC, never the password hash: the field is left
            # unloaded (deferred), read from the database if anything asks, and save() skips it.
            user._session_auth_hash = user.get_session_auth_hash()
            del user.__dict__["password"]
        return user


class ModelBackend(CachedUserMixin, backends.ModelBackend):
    """Django's username (here: email) and password backend."""


class AuthenticationBackend(CachedUserMixin, allauth_backends.AuthenticationBackend):
    """allauth's backend, used by the sign-in form."""
