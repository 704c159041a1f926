"""Who may see what, for people and programs. Every app's permissions build on these."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q, QuerySet

from .models import Membership, Program, User

LIVE_STATUSES = (Membership.Status.PROSPECTIVE, Membership.Status.ACTIVE)


def load_live_memberships(user: User) -> None:
    """Read the user's live memberships once (one query) and keep them on the user object as
    (program id, role, status) triples, so that every permission check of a request shares it."""
    user._live_memberships = frozenset(
        Membership.objects.filter(user=user, status__in=LIVE_STATUSES).values_list("program_id", "role", "status")
    )


def remember_live_memberships(user: User, memberships: Iterable[Membership]) -> None:
    """Use the user's live memberships a page has already read (``selectors.memberships_for_user``)
    for the permission checks below, instead of reading them again."""
    user._live_memberships = frozenset(
        (m.program_id, m.role, m.status) for m in memberships if m.status in LIVE_STATUSES
    )


def _live_memberships(user: User) -> frozenset[tuple[int, str, str]]:
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    if not hasattr(user, "_live_memberships"):
        load_live_memberships(user)
    return user._live_memberships


def program_ids_with_role(user: User, roles) -> set[int]:
    """Programs in which this user holds a live (prospective or active) membership in one of ``roles``."""
    return {program_id for program_id, role, _ in _live_memberships(user) if role in roles}


def coordinated_program_ids(user: User) -> set[int]:
    """Programs this user coordinates: an active staff account with an active coordinator membership.

    Every coordinator check of every app builds on this one rule; a coordinator membership on an
    account that is not staff grants nothing."""
    if not user.is_authenticated or not user.is_active or not user.is_staff:
        return set()
    return {program_id for program_id, role, status in _live_memberships(user)
            if role == Membership.Role.COORDINATOR and status == Membership.Status.ACTIVE}


def member_program_ids(user: User) -> set[int]:
    """Programs in which this user holds any live membership (prospective or active)."""
    return {program_id for program_id, _, _ in _live_memberships(user)}


def is_coordinator(user: User, program: Program | int) -> bool:
    program_id = program if isinstance(program, int) else program.pk
    return program_id in coordinated_program_ids(user)


def can_use_admin_for_programs(user: User) -> bool:
    """Superusers, and coordinators (``coordinated_program_ids``), use the admin."""
    return user.is_active and user.is_staff and (user.is_superuser or bool(coordinated_program_ids(user)))


def visible_programs(user: User) -> QuerySet[Program]:
    """Programs whose page this user may read: their own, or any for a superuser."""
    if user.is_active and user.is_superuser:
        return Program.objects.all()
    return Program.objects.filter(Q(pk__in=member_program_ids(user)) | Q(pk__in=coordinated_program_ids(user)))


def admin_program_ids(user: User) -> set[int] | None:
    """Programs whose objects this user manages in the admin; None means all (superuser)."""
    if user.is_active and user.is_superuser:
        return None
    if not can_use_admin_for_programs(user):
        return set()
    return coordinated_program_ids(user)


def coordinator_sees_membership_q(prefix: str = "") -> Q:
    """Memberships through which a coordinator sees a person: every one of their programs' but an
    invitation the person has not accepted. Until then an existing account invited from outside
    stays out of that coordinator's sight (lists, change pages, autocompletes, exports, records)."""
    return Q(**{f"{prefix}awaiting_acceptance": False})


def coordinator_sees_person(viewer: User, person: User) -> bool:
    """Whether the viewer coordinates a program through which they see this person."""
    coordinated = coordinated_program_ids(viewer)
    return bool(coordinated) and Membership.objects.filter(
        coordinator_sees_membership_q(), user=person, program_id__in=coordinated,
    ).exists()
