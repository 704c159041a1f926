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
