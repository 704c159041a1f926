"""Training: CME credit hours this academic year and the next session of a planned course."""

from __future__ import annotations

from typing import TYPE_CHECKING

from courses import selectors
from toolbox.periods import academic_year_label, academic_year_of, local_today

if TYPE_CHECKING:
    from . import Viewer


def card(viewer: Viewer) -> dict | None:
    user, memberships, now = viewer.user, viewer.memberships, viewer.now
    start_month = memberships[0].program.academic_year_start_month if memberships else selectors.DEFAULT_START_MONTH
    year = academic_year_of(local_today(user.time_zone, now), start_month)
    credit = selectors.credit_hours_for_year(user=user, start_month=start_month, year=year)
    return {
        "template": "dashboard/cards/_training.html", "title": "Training", "icon": "mortarboard",
        "credit_hours": credit, "year_label": academic_year_label(year, start_month),
        "next_session": selectors.next_planned_session(user=user, now=now),
    }
