from __future__ import annotations


def card(*, user, memberships, now) -> dict | None:
    return {"template": "dashboard/cards/_plan.html", "title": "Accountability plan", "icon": "list-check"}
