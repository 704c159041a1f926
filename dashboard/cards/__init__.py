"""Dashboard cards, one module each, so every app fills its own card.

A card module exposes ``card(viewer: Viewer) -> dict | None``; the dict holds ``template`` and
whatever that template needs. ``None`` hides the card.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property

from assessments import selectors as assessment_selectors
from mentorprogram.models import Membership, User

from . import assessments, follow_ups, meetings, plan, training


@dataclass
class Viewer:
    """Whose dashboard it is, and what more than one card shows of them, read once when first asked."""

    user: User
    memberships: list[Membership]
    now: dt.datetime

    @cached_property
    def assessment_statuses(self) -> list[assessment_selectors.TakerStatus]:
        """Their self-assessments in the programs where they take them (the self-assessments card
        lists them; the follow-ups card works out from them which are due again). None, without a
        query, for someone who takes none."""
        return assessment_selectors.statuses_for_taker(user=self.user, memberships=self.memberships, now=self.now)


CARD_MODULES = [follow_ups, meetings, assessments, plan, training]


def build_cards(*, user, memberships, now) -> list[dict]:
    viewer = Viewer(user=user, memberships=memberships, now=now)
    cards = (module.card(viewer) for module in CARD_MODULES)
    return [c for c in cards if c is not None]
