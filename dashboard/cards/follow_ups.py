"""Follow-ups due: the self-assessments the person's programs ask them to take again now."""

from __future__ import annotations

from assessments import follow_ups, permissions
from toolbox.periods import local_today


def card(*, user, memberships, now) -> dict | None:
    program_ids = permissions.taking_program_ids_from(memberships)
    if not program_ids:
        return None
    due = follow_ups.follow_ups_due_for(user=user, program_ids=program_ids, now=now)
    if not due:
        return None
    return {
        "template": "dashboard/cards/_follow_ups.html", "title": "Follow-up due", "icon": "arrow-repeat",
        "due": due, "today": local_today(user.time_zone, now),
        "several_programs": len({f.program.pk for f in due}) > 1,
    }
