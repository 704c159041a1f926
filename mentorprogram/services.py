"""Writes for people and programs."""

from __future__ import annotations

from .models import User


def user_update_profile(*, user: User, display_name: str, time_zone: str, reminders_opt_out: bool) -> User:
    """Save a person's own profile settings after validating them."""
    user.display_name = display_name
    user.time_zone = time_zone
    user.reminders_opt_out = reminders_opt_out
    user.full_clean(exclude=["password"])
    user.save(update_fields=["display_name", "time_zone", "reminders_opt_out"])
    return user
