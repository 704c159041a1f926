"""How long a sign-in lasts, for shared clinical workstations: an idle timeout and an absolute
lifetime, both from the environment, and signing out everywhere.

The session keeps when it signed in and (with an idle timeout) when it was last seen; the last-seen
time is written at most once a minute, so a busy page does not write its session on every request.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.sessions.models import Session
from django.shortcuts import redirect, resolve_url
from django.utils.http import urlencode

from .models import User

SIGNED_IN_AT = "mp_signed_in_at"
SEEN_AT = "mp_seen_at"
SEEN_RESOLUTION = 60  # seconds


def record_sign_in(sender, request, user, **kwargs) -> None:
    """On Django's ``user_logged_in``: every way of signing in (password, SSO, the test client's)."""
    if request is not None and hasattr(request, "session"):
        now = int(time.time())
        request.session[SIGNED_IN_AT] = now
        request.session[SEEN_AT] = now


class SessionLifetimeMiddleware:
    """Signs out a session older than ``SESSION_ABSOLUTE_LIFETIME`` or idle longer than
    ``SESSION_IDLE_TIMEOUT`` (seconds; 0 turns either off)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and self._expired(request):
            logout(request)
            messages.info(request, "You were signed out after a period of inactivity or at the end of the "
                                   "longest sign-in this site allows. Sign in again to continue.")
            return redirect(f"{resolve_url(settings.LOGIN_URL)}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)

    @staticmethod
    def _expired(request) -> bool:
        now = int(time.time())
        session = request.session
        signed_in_at = session.get(SIGNED_IN_AT)
        absolute = settings.SESSION_ABSOLUTE_LIFETIME
        if absolute and signed_in_at is not None and now - signed_in_at > absolute:
            return True
        idle = settings.SESSION_IDLE_TIMEOUT
        if idle:
            seen_at = session.get(SEEN_AT, signed_in_at)
            if seen_at is not None and now - seen_at > idle:
                return True
            if seen_at is None or now - seen_at >= SEEN_RESOLUTION:
                session[SEEN_AT] = now
        return False


def user_sign_out_everywhere(*, user: User) -> int:
    """Ends every session of ``user``, on every device. Sessions live in the database and name their
    owner only inside their encoded data, so each is decoded: fine for a faculty program's few
    thousand sessions (``clearsessions`` removes the expired ones)."""
    user_id = str(user.pk)
    ended = 0
    for session in Session.objects.iterator():
        if session.get_decoded().get("_auth_user_id") == user_id:
            session.delete()
            ended += 1
    return ended

