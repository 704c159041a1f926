"""The self-assessments card: for each instrument, not started (with a button to take the
baseline), a draft in progress, or the latest result with the change since baseline."""

from __future__ import annotations

from assessments import permissions, selectors


def card(*, user, memberships, now) -> dict | None:
    if not permissions.taking_program_ids_from(memberships):
        return None
    statuses = selectors.statuses_for_taker(user=user, memberships=memberships, now=now)
    return {
        "template": "dashboard/cards/_assessments.html",
        "title": "Self-assessments",
        "icon": "clipboard-check",
        "statuses": statuses,
        "several_programs": len({s.program.pk for s in statuses}) > 1,
    }
