"""The signed-in home page. It sits on top of every app and reads only their selectors."""

from __future__ import annotations

from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from mentorprogram import freshness, selectors

from .cards import build_cards

# What a person's dashboard shows is kept per person until anything is written to the database,
# and for at most this many seconds (time passing: a meeting that has started gives way to the next).
CACHE_SECONDS = 60


def _dashboard_data(user) -> dict:
    memberships = list(selectors.memberships_for_user(user=user))
    return {"memberships": memberships,
            "cards": build_cards(user=user, memberships=memberships, now=timezone.now())}


@require_safe
def home(request):
    if not request.user.is_authenticated:
        return render(request, "dashboard/welcome.html")
    user = request.user
    context, _ = freshness.cached(f"dashboard:{user.pk}", lambda: _dashboard_data(user), timeout=CACHE_SECONDS)
    return render(request, "dashboard/home.html", context)
