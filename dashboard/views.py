"""The signed-in home page. It sits on top of every app and reads only their selectors."""

from __future__ import annotations

from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_safe

from accountability.mentees import takes_part_as_mentee
from assessments import selectors as assessment_selectors
from community import selectors as community_selectors
from mentorprogram import permissions, selectors
from mentorprogram.models import Membership

from . import coordinator
from .cards import build_cards


@require_safe
def home(request):
    """A coordinator's home says what needs doing in their programs; anyone else's (and a
    coordinator's own, under "My mentoring") shows their own cards."""
    if not request.user.is_authenticated:
        return render(request, "dashboard/welcome.html")
    memberships, invitations = selectors.memberships_and_invitations_for_user(user=request.user)
    permissions.remember_live_memberships(request.user, memberships)
    programs = coordinator.coordinated_programs(user=request.user, memberships=memberships)
    if not programs:
        return _own(request, memberships, invitations)
    now = timezone.now()
    return render(request, "dashboard/coordinator_home.html", {
        "memberships": memberships,
        "homes": [coordinator.program_home(program=p, now=now) for p in programs],
        "has_own_view": coordinator.has_own_view(memberships),
        "invitations": invitations,
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


def _own(request, memberships, invitations=None):
    user = request.user
    if not memberships and takes_part_as_mentee(user=user):
        return redirect("accountability:mentee_home")  # a mentee's home is their mentoring page
    cards = build_cards(user=user, memberships=memberships, now=timezone.now())
    programs = coordinator.coordinated_programs(user=user, memberships=memberships)
    return render(request, "dashboard/home.html", {
        "memberships": memberships, "cards": cards, "coordinates": bool(programs),
        "invitations": list(selectors.pending_invitations_for_user(user=user)) if invitations is None else invitations,
    })


@require_safe
def first_steps(request):
    """Where an invitation lands: the person's first steps in each program they joined — the
    readiness checklist, the agreements to acknowledge, the next meeting — each with its state."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    user, now = request.user, timezone.now()
    all_memberships = _memberships(user)
    if not all_memberships and takes_part_as_mentee(user=user):
        return redirect("accountability:mentee_home")  # an invited mentee who just chose a password
    memberships = [m for m in all_memberships if m.role != Membership.Role.COORDINATOR]
    statuses = assessment_selectors.statuses_for_taker(user=user, memberships=memberships, now=now)
    agreements = community_selectors.agreements_to_acknowledge(user=user, now=now, memberships=memberships)
    program_ids = {m.program_id for m in memberships}
    upcoming = (community_selectors.upcoming_meetings_for_user(user=user, now=now, limit=1, program_ids=program_ids)
                if program_ids else [])
    programs = {m.program_id: m.program for m in memberships}
    return render(request, "dashboard/first_steps.html", {
        "programs": sorted(programs.values(), key=lambda p: p.name),
        "checklists": [s for s in statuses if s.instrument.kind == "readiness"],
        "agreements": agreements, "meeting": upcoming[0] if upcoming else None,
        "invitations": list(selectors.pending_invitations_for_user(user=user)),
    })
