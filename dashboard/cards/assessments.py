"""The self-assessments card: for each instrument, not started (with a button to take the
baseline), a draft in progress, or the latest result with the change since baseline."""

from __future__ import annotations

from typing import TYPE_CHECKING

from assessments import permissions

if TYPE_CHECKING:
    from . import Viewer


def card(viewer: Viewer) -> dict | None:
    if not permissions.taking_program_ids_from(viewer.memberships):
        return None
    statuses = viewer.assessment_statuses
    return {
        "template": "dashboard/cards/_assessments.html",
        "title": "Self-assessments",
        "icon": "clipboard-check",
        "statuses": statuses,
        "several_programs": len({s.program.pk for s in statuses}) > 1,
    }
