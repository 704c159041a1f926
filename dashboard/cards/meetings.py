"""The next community meeting and any process agreements waiting for the person's acknowledgement."""

from __future__ import annotations

from typing import TYPE_CHECKING

from community import selectors

if TYPE_CHECKING:
    from . import Viewer


def card(viewer: Viewer) -> dict | None:
    user, memberships, now = viewer.user, viewer.memberships, viewer.now
    program_ids = {m.program_id for m in memberships}
    if not program_ids:
        return None
    upcoming = selectors.upcoming_meetings_for_user(user=user, now=now, limit=1, program_ids=program_ids)
    meeting = upcoming[0] if upcoming else None
    return {
        "template": "dashboard/cards/_meetings.html",
        "title": "Next community meeting",
        "icon": "calendar-event",
        "meeting": meeting,
        "agenda": selectors.agenda(meeting) if meeting else [],
        "my_rsvp": meeting.my_rsvp if meeting else None,
        "agreements_to_review": selectors.agreements_to_acknowledge(user=user, now=now, memberships=memberships),
    }
