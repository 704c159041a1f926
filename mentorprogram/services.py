"""Writes for people and programs."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from .models import Membership, User

# A person's sign-in and privileges are theirs (and a superuser's) to change, never a coordinator's:
# whoever sets someone's email address can reset their password and sign in as them.
PROTECTED_USER_FIELDS = ("email", "password", "is_active", "is_staff", "is_superuser")


def user_update_profile(*, user: User, display_name: str, time_zone: str, reminders_opt_out: bool) -> User:
    """Save a person's own profile settings after validating them."""
    user.display_name = display_name
    user.time_zone = time_zone
    user.reminders_opt_out = reminders_opt_out
    user.full_clean(exclude=["password"])
    user.save(update_fields=["display_name", "time_zone", "reminders_opt_out"])
    return user


def user_save_by_admin(*, actor: User, user: User) -> User:
    """Save an account edited in the admin. Only a superuser changes a sign-in email, a password, or
    the active, staff and superuser flags; a coordinator's new account starts without a password."""
    if not actor.is_superuser:
        if user.pk is None:
            changed = [f for f in ("is_staff", "is_superuser") if getattr(user, f)]
            changed += ["password"] if user.has_usable_password() else []
            changed += [] if user.is_active else ["is_active"]
        else:
            stored = User.objects.filter(pk=user.pk).values(*PROTECTED_USER_FIELDS).first() or {}
            changed = [f for f in PROTECTED_USER_FIELDS if f in stored and stored[f] != getattr(user, f)]
        if changed:
            raise PermissionDenied(
                f"Only an administrator changes {', '.join(changed)}; people change their own email and password."
            )
    user.save()
    return user


def membership_check_role(*, actor: User, membership: Membership) -> None:
    """Only a superuser grants, changes or removes the coordinator role."""
    if actor.is_superuser:
        return
    stored_role = (
        Membership.objects.filter(pk=membership.pk).values_list("role", flat=True).first() if membership.pk else None
    )
    if Membership.Role.COORDINATOR in (membership.role, stored_role):
        raise PermissionDenied("Only an administrator grants or changes the coordinator role.")


def membership_save_by_admin(*, actor: User, membership: Membership) -> Membership:
    membership_check_role(actor=actor, membership=membership)
    if membership.status != Membership.Status.INVITED:
        membership.awaiting_acceptance = False  # a superuser settled it
    membership.save()
    return membership


def membership_delete_by_admin(*, actor: User, membership: Membership) -> None:
    membership_check_role(actor=actor, membership=membership)
    membership.delete()


def membership_accept(*, user: User, membership: Membership) -> bool:
    """The person says yes to an invitation of theirs: it becomes a prospective membership, and the
    program's coordinators see them from then on. False when it was no longer open."""
    with transaction.atomic():
        changed = Membership.objects.filter(pk=membership.pk, user=user, status=Membership.Status.INVITED).update(
            status=Membership.Status.PROSPECTIVE, awaiting_acceptance=False, declined_at=None,
        )
    return changed == 1


def membership_decline(*, user: User, membership: Membership, now: datetime | None = None) -> bool:
    """The person says no. The invitation is kept, declined, so that importing the same file again
    asks nobody twice; an invitation from outside their programs stays out of the coordinator's sight."""
    changed = Membership.objects.filter(
        pk=membership.pk, user=user, status=Membership.Status.INVITED, declined_at__isnull=True,
    ).update(declined_at=now or timezone.now())
    return changed == 1
