"""Who may see what, for people and programs. Every app's permissions build on these."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from .models import Membership, Program, User

LIVE_STATUSES = (Membership.Status.PROSPECTIVE, Membership.Status.ACTIVE)


def coordinated_program_ids(user: User) -> set[int]:
    """Programs this user coordinates. Cached on the user object for the request."""
    if not user.is_authenticated or not user.is_active:
        return set()
    cached = getattr(user, "_coordinated_program_ids", None)
    if cached is None:
        cached = set(
            Membership.objects.filter(
                user=user, role=Membership.Role.COORDINATOR, status=Membership.Status.ACTIVE
            ).values_list("program_id", flat=True)
        )
        user._coordinated_program_ids = cached
    return cached


def member_program_ids(user: User) -> set[int]:
    """Programs in which this user holds any live membership (prospective or active)."""
    if not user.is_authenticated or not user.is_active:
        return set()
    cached = getattr(user, "_member_program_ids", None)
    if cached is None:
        cached = set(
            Membership.objects.filter(user=user, status__in=LIVE_STATUSES).values_list("program_id", flat=True)
        )
        user._member_program_ids = cached
    return cached


def is_coordinator(user: User, program: Program | int) -> bool:
    program_id = program if isinstance(program, int) else program.pk
    return program_id in coordinated_program_ids(user)


def can_use_admin_for_programs(user: User) -> bool:
    """A coordinator is a staff user with an active coordinator membership."""
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
