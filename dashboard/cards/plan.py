"""The accountability card: requirement progress bars and the plan items due soon."""

from __future__ import annotations

from typing import TYPE_CHECKING

from accountability import progress, selectors
from mentorprogram.models import Membership
from toolbox.periods import local_today

if TYPE_CHECKING:
    from . import Viewer


def card(viewer: Viewer) -> dict | None:
    user, memberships, now = viewer.user, viewer.memberships, viewer.now
    programs = [m.program for m in memberships if m.role == Membership.Role.MENTOR]
    if not programs:
        return None
    today = local_today(user.time_zone, now)
    sections = [
        {"program": program,
         "progress": progress.progress_for_mentor(
             user=user, program=program, today=local_today(program.time_zone, now))}
        for program in programs
    ]
    return {
        "template": "dashboard/cards/_plan.html", "title": "Accountability plan", "icon": "list-check",
        "sections": sections, "show_program": len(programs) > 1,
        "due_items": selectors.items_due_soon(user=user, today=today, program_ids={p.pk for p in programs}),
        "today": today,
        "due_days": selectors.DUE_SOON_DAYS,
    }
