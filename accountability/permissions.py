"""Who may see and change accountability records. One rule, one place (STYLE rule 3).

* Mentee records belong to their mentor. The program's coordinators may see that they exist,
  with counts and dates, but never the private notes or goal wording.
* A plan is seen and edited by its mentor and the program's coordinators.
* The compliance table is for the program's coordinators.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from mentorprogram import permissions as core
from mentorprogram.models import Membership, User

from .models import AccountabilityPlan, Mentee


def mentor_program_ids(user: User) -> set[int]:
    """Programs in which this person is a live (prospective or active) mentor."""
    return core.program_ids_with_role(user, (Membership.Role.MENTOR,))


def visible_mentees(user: User) -> QuerySet[Mentee]:
    if not user.is_authenticated or not user.is_active:
        return Mentee.objects.none()
    return Mentee.objects.filter(Q(mentor=user) | Q(program_id__in=core.coordinated_program_ids(user)))


def can_read_private_notes(user: User, mentee: Mentee) -> bool:
    """Notes and goal wording are the mentor's alone, whoever else may see the record."""
    return user.is_authenticated and mentee.mentor_id == user.pk


def can_edit_mentee(user: User, mentee: Mentee) -> bool:
    return can_read_private_notes(user, mentee)


def visible_plans(user: User) -> QuerySet[AccountabilityPlan]:
    if not user.is_authenticated or not user.is_active:
        return AccountabilityPlan.objects.none()
    return AccountabilityPlan.objects.filter(
        Q(mentor=user) | Q(program_id__in=core.coordinated_program_ids(user))
    )


def can_edit_plan(user: User, plan: AccountabilityPlan) -> bool:
    """The mentor keeps the plan; coordinators may accept and edit items with them."""
    if not user.is_authenticated or not user.is_active:
        return False
    return plan.mentor_id == user.pk or core.is_coordinator(user, plan.program_id)


# --- Mentees as participants --------------------------------------------------------------

def own_mentee_records(user: User) -> QuerySet[Mentee]:
    """The mentee records whose invitation this person accepted: what their own mentee pages show.
    A mentee sees nothing of another mentee, and nothing of the invitation until they accept."""
    if not user.is_authenticated or not user.is_active:
        return Mentee.objects.none()
    return Mentee.objects.filter(user=user, accepted_at__isnull=False)


def can_invite_mentee(user: User, mentee: Mentee) -> bool:
    """The mentee's mentor, or a coordinator of the mentee's program."""
    if not user.is_authenticated or not user.is_active:
        return False
    return mentee.mentor_id == user.pk or core.is_coordinator(user, mentee.program_id)
