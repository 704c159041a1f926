"""Academic years: a year starting in the program's ``academic_year_start_month``.

An academic year is named by the calendar year it starts in: with a July start, 2025 means
1 July 2025 to 30 June 2026 and is shown as “2025–26”; with a January start it is simply
“2025”. Training transcripts, accountability periods and the program report all count years
this way, so they live here in the core.
"""

from __future__ import annotations

import datetime


def academic_year_of(day: datetime.date, start_month: int) -> int:
    return day.year if day.month >= start_month else day.year - 1


def academic_year_start(day: datetime.date, start_month: int) -> datetime.date:
    """The first day of the academic year that ``day`` falls in."""
    return datetime.date(academic_year_of(day, start_month), start_month, 1)


def academic_year_bounds(year: int, start_month: int) -> tuple[datetime.date, datetime.date]:
    """First and last day of the academic year ``year`` (both inclusive)."""
    first = datetime.date(year, start_month, 1)
    following = datetime.date(year + 1, start_month, 1)
    return first, following - datetime.timedelta(days=1)


def academic_year_label(year: int, start_month: int) -> str:
    if start_month == 1:
        return str(year)
    return f"{year}–{(year + 1) % 100:02d}"
