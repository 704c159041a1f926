"""The signed-in home page. It sits on top of every app and reads only their selectors."""

from __future__ import annotations

from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from mentorprogram import permissions, selectors

from . import coordinator
from .cards import build_cards


@require_safe
def home(request):
    """A coordinator's home says what needs doing in their programs; anyone else's (and a
    coordinator's own, under "My mentoring") shows their own cards."""
    if not request.user.is_authenticated:
        return render(request, "dashboard/welcome.html")
    memberships = _memberships(request.user)
    programs = coordinator.coordinated_programs(user=request.user, memberships=memberships)
    if not programs:
        return _own(request, memberships)
    now = timezone.now()
    return render(request, "dashboard/coordinator_home.html", {
        "memberships": memberships,
        "homes": [coordinator.program_home(program=p, now=now) for p in programs],
        "has_own_view": coordinator.has_own_view(memberships),
        "invitations": list(selectors.pending_invitations_for_user(user=request.user)),
    })


@require_safe
def mine(request):
    """The person's own dashboard, also for someone who coordinates."""
    if not request.user.is_authenticated:
        return render(request, "dashboard/welcome.html")
    return _own(request, _memberships(request.user))


def _memberships(user) -> list:
    memberships = list(selectors.memberships_for_user(user=user))
    permissions.remember_live_memberships(user, memberships)  # the navigation's and the cards' checks
    return memberships


def _own(request, memberships):
    user = request.user
    cards = build_cards(user=user, memberships=memberships, now=timezone.now())
    programs = coordinator.coordinated_programs(user=user, memberships=memberships)
    return render(request, "dashboard/home.html", {
        "memberships": memberships, "cards": cards, "coordinates": bool(programs),
        "invitations": list(selectors.pending_invitations_for_user(user=user)),
    })
