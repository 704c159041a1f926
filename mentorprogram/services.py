"""Writes for people and programs."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from toolbox import periods

from . import audit
from .models import PRIVACY_THRESHOLD_FLOOR, Membership, PrivacyThresholdChange, Program, User

# A person's sign-in and privileges are theirs (and a superuser's) to change, never a coordinator's:
# whoever sets someone's email address can reset their password and sign in as them.
PROTECTED_USER_FIELDS = ("email", "password", "is_active", "is_staff", "is_superuser")


def user_update_profile(*, user: User, display_name: str, time_zone: str, reminders_opt_out: bool,
                        nudges_opt_out: bool) -> User:
    """Save a person's own profile settings after validating them. The two opt-outs are the ones
    an email's unsubscribe link turns on; here the person sees them and can turn them off again."""
    user.display_name = display_name
    user.time_zone = time_zone
    user.reminders_opt_out = reminders_opt_out
    user.nudges_opt_out = nudges_opt_out
    user.full_clean(exclude=["password"])
    user.save(update_fields=["display_name", "time_zone", "reminders_opt_out", "nudges_opt_out"])
    return user


def program_set_privacy_threshold(
    *, program: Program, threshold: int, by: User, allow_below_floor: bool = False, now=None,
) -> Program:
    """Change a program's privacy threshold and record who changed it, when, from what, to what.

    Only an active superuser may change it, and below ``PRIVACY_THRESHOLD_FLOOR`` only with
    ``allow_below_floor``: a coordinator could otherwise lower it to 1 and read single people's
    answers off their program's report.
    """
    if not (by.is_active and by.is_superuser):
        raise PermissionDenied("Only a superuser changes a program's privacy threshold.")
    if not isinstance(threshold, int) or isinstance(threshold, bool) or threshold < 1:
        raise ValidationError({"privacy_threshold": "Give a whole number of responses, 1 or more."})
    if threshold < PRIVACY_THRESHOLD_FLOOR and not allow_below_floor:
        raise ValidationError({"privacy_threshold": (
            f"A threshold below {PRIVACY_THRESHOLD_FLOOR} lets people's answers be worked out from the "
            f"report; tick “allow a threshold below {PRIVACY_THRESHOLD_FLOOR}” if you mean it."
        )})
    with transaction.atomic():
        locked = Program.objects.select_for_update().get(pk=program.pk)
        old = locked.privacy_threshold
        if old != threshold:
            Program.objects.filter(pk=program.pk).update(privacy_threshold=threshold)
            audit.record_change(locked, {"privacy_threshold": [old, threshold]}, actor=by)
            PrivacyThresholdChange.objects.create(
                program=locked, changed_by=by, changed_by_email=by.email, changed_at=now or timezone.now(),
                old_threshold=old, new_threshold=threshold,
                below_floor_allowed=threshold < PRIVACY_THRESHOLD_FLOOR,
            )
    program.privacy_threshold = threshold
    return program


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
    membership_mark_left(membership=membership)
    membership.save()
    return membership


def membership_mark_left(*, membership: Membership, now: datetime | None = None) -> None:
    """An alumni membership knows the day it ended (``left_on``, the program's today unless given),
    from which retention counts; any other status has none."""
    if membership.status != Membership.Status.ALUMNI:
        membership.left_on = None
    elif membership.left_on is None:
        zone = membership.program.time_zone if membership.program_id else None
        membership.left_on = periods.local_today(zone, now)


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
        if changed:
            audit.record_change(membership, {"status": [Membership.Status.INVITED, Membership.Status.PROSPECTIVE]},
                                actor=user)
    return changed == 1


def membership_decline(*, user: User, membership: Membership, now: datetime | None = None) -> bool:
    """The person says no. The invitation is kept, declined, so that importing the same file again
    asks nobody twice; an invitation from outside their programs stays out of the coordinator's sight."""
    changed = Membership.objects.filter(
        pk=membership.pk, user=user, status=Membership.Status.INVITED, declined_at__isnull=True,
    ).update(declined_at=now or timezone.now())
    if changed:
        declined = Membership.objects.filter(pk=membership.pk).values_list("declined_at", flat=True).first()
        audit.record_change(membership, {"declined_at": [None, declined.isoformat()]}, actor=user)
    return changed == 1


def user_unsubscribe(*, user_id: int, topic: str) -> User | None:
    """Turn one kind of automatic email off for a person (a List-Unsubscribe link). Doing it
    twice changes nothing more. Returns the person, or None if the account is gone."""
    from .outbox.headers import TOPICS

    field = TOPICS[topic]
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        return None
    if not getattr(user, field):
        setattr(user, field, True)
        user.save(update_fields=[field])
    return user
