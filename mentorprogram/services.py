"""Writes for people and programs."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from .models import PRIVACY_THRESHOLD_FLOOR, PrivacyThresholdChange, Program, User


def user_update_profile(*, user: User, display_name: str, time_zone: str, reminders_opt_out: bool) -> User:
    """Save a person's own profile settings after validating them."""
    user.display_name = display_name
    user.time_zone = time_zone
    user.reminders_opt_out = reminders_opt_out
    user.full_clean(exclude=["password"])
    user.save(update_fields=["display_name", "time_zone", "reminders_opt_out"])
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
            PrivacyThresholdChange.objects.create(
                program=locked, changed_by=by, changed_by_email=by.email, changed_at=now or timezone.now(),
                old_threshold=old, new_threshold=threshold,
                below_floor_allowed=threshold < PRIVACY_THRESHOLD_FLOOR,
            )
    program.privacy_threshold = threshold
    return program
