"""Who may see and change catalog items, reading material and completions.

Catalog items, readings and guides: an item without a program is shared and visible to
everyone signed in; a program's own item is visible to that program's members and
coordinators. Superusers keep shared items; coordinators keep their programs' items.
Completions: visible to their person and to the coordinators of any program the person
belongs to; only the person changes them, and only a coordinator verifies them.
"""

from __future__ import annotations

from django.db.models import Q

from mentorprogram import permissions as core
from mentorprogram.models import User


def catalog_filter(user: User) -> Q | None:
    """Q limiting program-owned rows to those this user may read; None means every row."""
    if user.is_active and user.is_superuser:
        return None
    programs = core.member_program_ids(user) | core.coordinated_program_ids(user)
    return Q(program__isnull=True) | Q(program_id__in=programs)


def program_may_use(item, program_id: int) -> bool:
    """Whether a program may use a catalog item, reading or guide (e.g. as a meeting's reading):
    a shared one or its own."""
    return item.program_id is None or item.program_id == program_id


def may_view_person_records(viewer: User, person: User) -> bool:
    """A person's completions: the person, or a coordinator of one of the person's programs."""
    if not viewer.is_authenticated or not viewer.is_active:
        return False
    if viewer.pk == person.pk:
        return True
    return core.coordinator_sees_person(viewer, person)


def may_verify_completion(viewer: User, person: User) -> bool:
    """Verification is a coordinator's act, never the person's own."""
    if viewer.pk == person.pk:
        return False
    if viewer.is_active and viewer.is_superuser:
        return True
    return may_view_person_records(viewer, person)
