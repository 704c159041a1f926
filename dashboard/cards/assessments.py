from __future__ import annotations


def card(*, user, memberships, now) -> dict | None:
    return {"template": "dashboard/cards/_assessments.html", "title": "Self-assessments", "icon": "clipboard-check"}
