"""The signed-in home page. It sits on top of every app and reads only their selectors."""

from __future__ import annotations

import pickle

from django.middleware.csrf import get_token
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_safe

from mentorprogram import freshness, selectors

from .cards import build_cards

# What a person's dashboard shows is kept per person until anything is written to the database,
# and for at most this many seconds (time passing: a meeting that has started gives way to the next).
CACHE_SECONDS = 60
# The cards are kept rendered; their forms' CSRF token is this placeholder until each request fills in its own.
CSRF_PLACEHOLDER = "dashboard-csrf-placeholder"


def _dashboard(request) -> dict:
    user = request.user
    memberships = list(selectors.memberships_for_user(user=user))
    cards = build_cards(user=user, memberships=memberships, now=timezone.now())
    html = render_to_string("dashboard/_cards.html", {"cards": cards, "csrf_token": CSRF_PLACEHOLDER}, request)
    # The cards' data is kept as bytes and unpickled only if read (tests look at it; the page does not).
    return {"memberships": memberships, "cards": pickle.dumps(cards), "cards_html": str(html)}


@require_safe
def home(request):
    if not request.user.is_authenticated:
        return render(request, "dashboard/welcome.html")
    if request.GET:
        data = _dashboard(request)
    else:
        data, _ = freshness.cached(f"dashboard:{request.user.pk}", lambda: _dashboard(request), timeout=CACHE_SECONDS)
    cards_html = data["cards_html"].replace(CSRF_PLACEHOLDER, get_token(request))
    cards = SimpleLazyObject(lambda: pickle.loads(data["cards"]))  # noqa: S301  # nosec B301 — bytes we cached
    context = {"memberships": data["memberships"], "cards": cards,
               "cards_html": mark_safe(cards_html)}  # noqa: S308  # nosec B308 B703 — our own rendered, escaped template
    return render(request, "dashboard/home.html", context)
