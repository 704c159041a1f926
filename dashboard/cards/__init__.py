"""Dashboard cards, one module each, so every app fills its own card.

A card module exposes ``card(*, user, memberships, now) -> dict | None``; the dict holds
``template`` and whatever that template needs. ``None`` hides the card.
"""

from __future__ import annotations

from . import assessments, follow_ups, meetings, plan, training

CARD_MODULES = [follow_ups, meetings, assessments, plan, training]


def build_cards(*, user, memberships, now) -> list[dict]:
    cards = (module.card(user=user, memberships=memberships, now=now) for module in CARD_MODULES)
    return [c for c in cards if c is not None]
