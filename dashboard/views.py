"""The signed-in home page. It sits on top of every app and reads only their selectors."""

from __future__ import annotations

from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from mentorprogram import permissions, selectors

from .cards import build_cards


@require_safe
def home(request):
    if not request.user.is_authenticated:
        return render(request, "dashboard/welcome.html")
    user = request.user
    memberships = list(selectors.memberships_for_user(user=user))
    permissions.remember_live_memberships(user, memberships)  # the navigation's and the cards' checks
    cards = build_cards(user=user, memberships=memberships, now=timezone.now())
    return render(request, "dashboard/home.html", {
        "memberships": memberships, "cards": cards,
        "invitations": list(selectors.pending_invitations_for_user(user=user)),
    })
