"""Who may see and do what in the Mentor Community. Views and selectors ask here."""

from __future__ import annotations

from django.db.models import Q

from mentorprogram.models import Membership, Program, User
from mentorprogram.permissions import LIVE_STATUSES, coordinated_program_ids, is_coordinator, member_program_ids


def community_program_ids(user: User) -> set[int] | None:
    """Programs whose community pages the user may read; None means every program (superuser).

    Members (prospective or active, any role) and coordinators see their programs only."""
    if not user.is_authenticated or not user.is_active:
        return set()
    if user.is_superuser:
        return None
    return member_program_ids(user) | coordinated_program_ids(user)


def may_take_part(user: User, program_id: int) -> bool:
    """RSVP and raise challenges: a live member or coordinator of the program."""
    return program_id in member_program_ids(user) or is_coordinator(user, program_id)


def may_see_author(user: User, *, author_id: int, program_id: int) -> bool:
    """The author of an anonymous challenge is known to themselves and the coordinators only."""
    return user.pk == author_id or is_coordinator(user, program_id) or user.is_superuser


def may_manage(user: User, program_id: int) -> bool:
    return is_coordinator(user, program_id) or (user.is_active and user.is_superuser)


def asked_to_acknowledge_q() -> Q:
    """Memberships whose holders are asked to acknowledge the process agreements: mentors,
    including prospective ones (bringing in new mentors)."""
    return Q(role=Membership.Role.MENTOR, status__in=LIVE_STATUSES)


def is_asked_membership(membership: Membership) -> bool:
    """The same rule over a loaded membership (the dashboard and the first steps have them)."""
    return membership.role == Membership.Role.MENTOR and membership.status in LIVE_STATUSES


def is_asked_to_acknowledge(user: User, program: Program | int) -> bool:
    program_id = program if isinstance(program, int) else program.pk
    return Membership.objects.filter(asked_to_acknowledge_q(), user=user, program_id=program_id).exists()
