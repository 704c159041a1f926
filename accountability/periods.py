"""Reporting periods: a month, a quarter or an academic year.

Quarters are counted from the program's academic-year start month, so a program whose year
starts in July has July–September as its first quarter. Periods are half-open: ``start`` is
the first day in the period, ``end`` the first day after it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from mentorprogram.academic_year import academic_year_label, academic_year_start

MONTH = "month"
QUARTER = "quarter"
ACADEMIC_YEAR = "academic_year"


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + (day.month - 1) + months
    return date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class Period:
    kind: str
    start: date
    end: date
    label: str

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.start.isoformat()}"

    def contains(self, day: date) -> bool:
        return self.start <= day < self.end

    def elapsed_fraction(self, today: date) -> float:
        """How much of the period has gone by, counting today as done (0 before it, 1 after)."""
        if today < self.start:
            return 0.0
        if today >= self.end:
            return 1.0
        return ((today - self.start).days + 1) / (self.end - self.start).days


def academic_year(day: date, start_month: int) -> Period:
    start = academic_year_start(day, start_month)
    end = _add_months(start, 12)
    return Period(ACADEMIC_YEAR, start, end, f"Academic year {academic_year_label(start.year, start_month)}")


def period_containing(kind: str, day: date, start_month: int = 7) -> Period:
    if kind == MONTH:
        start = date(day.year, day.month, 1)
        return Period(MONTH, start, _add_months(start, 1), start.strftime("%B %Y"))
    if kind == QUARTER:
        year_start = academic_year_start(day, start_month)
        offset = (day.year - year_start.year) * 12 + day.month - year_start.month
        start = _add_months(year_start, (offset // 3) * 3)
        end = _add_months(start, 3)
        last = _add_months(end, -1)
        return Period(QUARTER, start, end, f"{start:%b}–{last:%b %Y} (quarter {offset // 3 + 1})")
    if kind == ACADEMIC_YEAR:
        return academic_year(day, start_month)
    raise ValueError(f"Unknown period kind {kind!r}")
