from __future__ import annotations


def card(*, user, memberships, now) -> dict | None:
    return {"template": "dashboard/cards/_training.html", "title": "Training", "icon": "mortarboard"}
