"""Who may take, see and change assessments. One rule, one place (STYLE §3).

* Mentors and faculty (prospective or active) take the instruments their programs use.
* Follow-ups are asked of those who take part fully: active, and no longer awaiting acceptance.
* A response is seen by its author, and — once submitted — by its program's coordinators,
  read-only. Nobody else, superusers included, sees it outside the admin.
* A mentee's feedback on their mentor has no results page (mentors and coordinators see aggregates).
* Only the author changes a response, and only while it is a draft.
"""

from __future__ import annotations

from django.db.models import Q

from mentorprogram import permissions as core
from mentorprogram.models import Membership, User
from mentorprogram.permissions import LIVE_STATUSES, is_coordinator

from .models import Instrument, Response

TAKING_ROLES = (Membership.Role.MENTOR, Membership.Role.FACULTY)


def taking_program_ids(user: User) -> set[int]:
    """Programs in which this user is a mentor or faculty member."""
    return core.program_ids_with_role(user, TAKING_ROLES)


def taking_program_ids_from(memberships) -> set[int]:
    """The same rule over already loaded memberships (the dashboard has them)."""
    return {m.program_id for m in memberships if m.role in TAKING_ROLES and m.status in LIVE_STATUSES}


def asked_for_follow_ups_q() -> Q:
    """Memberships whose holders are asked to take follow-ups (the daily invitations)."""
    return Q(role__in=TAKING_ROLES, status=Membership.Status.ACTIVE, awaiting_acceptance=False)


def is_asked_for_follow_ups(membership: Membership) -> bool:
    """The same rule over a loaded membership (the dashboard has them)."""
    return (membership.role in TAKING_ROLES and membership.status == Membership.Status.ACTIVE
            and not membership.awaiting_acceptance)


def can_view_response(user: User, response: Response) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if response.instrument.kind == Instrument.Kind.MENTEE_FEEDBACK:
        # A mentee's answers about their mentor are no self-assessment: no results page, for
        # anyone; others see them only in aggregate (accountability/feedback.py).
        return False
    if response.user_id == user.pk:
        return True
    return response.status == Response.Status.SUBMITTED and is_coordinator(user, response.program_id)

