"""A second factor for everyone with coordinator powers (allauth.mfa).

Coordinator powers need a staff account (``permissions.coordinated_program_ids``), so the rule is
kept on staff accounts: every staff account, coordinators and superusers among them, uses the
site only in a session that has passed a second factor. A staff person without one is sent to set
it up; one who has a factor but signed in without it (a session from before the rule, a
``next`` that skipped the step) is asked for a code. Nobody else is asked; anyone may add a
factor from their profile.
"""

from __future__ import annotations

from allauth.account.internal.flows.login import get_authentication_records, record_authentication
from allauth.core import context as allauth_context
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.contrib.admin.models import CHANGE, LogEntry
from django.db import transaction
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from .models import User
from .session_limits import user_sign_out_everywhere

# Factors that prove a device; recovery codes are a way back in, not a factor to enrol.
DEVICE_TYPES = (Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN)


def mfa_required(user) -> bool:
    return bool(settings.MFA_REQUIRED_FOR_COORDINATORS and user.is_authenticated and user.is_active
                and user.is_staff)


def session_passed_mfa(request) -> bool:
    # allauth's records of this session's sign-in steps, kept for the signed-in person only.
    return any(record.get("method") == "mfa" for record in get_authentication_records(request, request.user))


class RequireMFAMiddleware:
    """Sends a staff account whose session has not passed a second factor to the factor pages.

    The account pages (sign-in, sign-out, the MFA pages themselves) stay open, so the person can
    set one up or leave; static files and the health check do not reach here with a session."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is None or not mfa_required(user) or session_passed_mfa(request):
            return self.get_response(request)
        if request.path.startswith(_open_prefixes()):
            return self.get_response(request)
        query = urlencode({"next": request.get_full_path()})
        if Authenticator.objects.filter(user=user, type__in=DEVICE_TYPES).exists():
            return redirect(f"{reverse('mfa_reauthenticate')}?{query}")
        messages.warning(request, "Your account can see program results, so it needs a second sign-in "
                                  "factor. Set up an authenticator app or a security key to continue.")
        return redirect(f"{reverse('mfa_index')}?{query}")


def _open_prefixes() -> tuple[str, ...]:
    accounts = reverse("account_login").rsplit("login/", 1)[0]  # /accounts/: every allauth page
    return (accounts, reverse("healthz"), settings.STATIC_URL if settings.STATIC_URL.startswith("/")
            else f"/{settings.STATIC_URL}")


def record_enrolment(sender, instance: Authenticator, created: bool, **kwargs) -> None:
    """Setting up a device takes a code from it, so the session that did so has passed the factor.
    (On the save itself, not allauth's ``authenticator_added``: that is sent after the commit, when
    the session may already be saved.)"""
    request = allauth_context.request
    if (created and instance.type in DEVICE_TYPES and request is not None
            and getattr(request, "user", None) is not None and request.user.pk == instance.user_id):
        record_authentication(request, request.user, "mfa", id=instance.pk, type=instance.type, enrolled=True)


@transaction.atomic
def user_reset_mfa(*, user: User, by: User) -> int:
    """Removes every factor and recovery code of ``user`` and signs them out everywhere, so that they
    set a factor up again at their next sign-in. Recorded in the admin's log. Superusers only."""
    if not by.is_superuser:
        raise PermissionError("Only a superuser resets another person's second factor.")
    removed, _ = Authenticator.objects.filter(user=user).delete()
    user_sign_out_everywhere(user=user)
    LogEntry.objects.log_actions(
        user_id=by.pk, queryset=User.objects.filter(pk=user.pk), action_flag=CHANGE, single_object=True,
        change_message=f"Reset the second factor ({removed} authenticator(s) removed) and ended every session.",
    )
    return removed

