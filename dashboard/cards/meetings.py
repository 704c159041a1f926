from __future__ import annotations


def card(*, user, memberships, now) -> dict | None:
    return {"template": "dashboard/cards/_meetings.html", "title": "Next community meeting", "icon": "calendar-event"}
