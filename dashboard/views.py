"""The signed-in home page. It sits on top of every app and reads only their selectors."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_safe

from mentorprogram import freshness, selectors

from .cards import build_cards

# A person's dashboard is kept rendered until anything is written to the database, and for at most
# this many seconds (time passing: a meeting that has started gives way to the next).
CACHE_SECONDS = 60
# The kept page's forms carry this placeholder until each request fills in its own CSRF token.
CSRF_PLACEHOLDER = "dashboard-csrf-placeholder"


def _render(request, *, csrf_token=None) -> str:
    user = request.user
    memberships = list(selectors.memberships_for_user(user=user))
    context = {"memberships": memberships, "cards": build_cards(user=user, memberships=memberships, now=timezone.now()),
               "invitations": list(selectors.pending_invitations_for_user(user=user))}
    if csrf_token:
        context["csrf_token"] = csrf_token
    return render_to_string("dashboard/home.html", context, request)


@require_safe
def home(request):
    if not request.user.is_authenticated:
        return render(request, "dashboard/welcome.html")
    if request.GET or len(messages.get_messages(request)):
        # A one-off page: flash messages show once, and a query string is never kept.
        return HttpResponse(_render(request))
    page, _ = freshness.cached(f"dashboard:{request.user.pk}",
                               lambda: _render(request, csrf_token=CSRF_PLACEHOLDER), timeout=CACHE_SECONDS)
    return HttpResponse(page.replace(CSRF_PLACEHOLDER, get_token(request)))
