"""Follow-ups due: the self-assessments the person's programs ask them to take again now."""

from __future__ import annotations

from typing import TYPE_CHECKING

from assessments import follow_ups
from toolbox.periods import local_today

if TYPE_CHECKING:
    from . import Viewer


def card(viewer: Viewer) -> dict | None:
    due = follow_ups.follow_ups_due_for(user=viewer.user, memberships=viewer.memberships,
                                        statuses=viewer.assessment_statuses, now=viewer.now)
    if not due:
        return None
    return {
        "template": "dashboard/cards/_follow_ups.html", "title": "Follow-up due", "icon": "arrow-repeat",
        "due": due, "today": local_today(viewer.user.time_zone, viewer.now),
        "several_programs": len({f.program.pk for f in due}) > 1,
    }
