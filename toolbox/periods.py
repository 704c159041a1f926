"""Dates and periods: "today" in a time zone, academic years, quarters and months.

One convention everywhere: a period is half-open, ``start`` its first day and ``end`` the first
day after it, so a date belongs to it when ``start <= day < end`` (in a query:
``field__gte=period.start, field__lt=period.end``).

An academic year starts in a program's ``academic_year_start_month`` and is named by the
calendar year it starts in: with a July start, 2025 means 1 July 2025 up to 1 July 2026 and is
shown as “2025–26”; with a January start it is simply “2025”. Quarters are counted from the
same month, so a July year has July–September as its first quarter.
"""

from __future__ import annotations

import datetime
import zoneinfo
from dataclasses import dataclass
from datetime import date

from dateutil.relativedelta import relativedelta
from django.utils import timezone

MONTH = "month"
QUARTER = "quarter"
ACADEMIC_YEAR = "academic_year"


def local_today(time_zone: str | None = None, now: datetime.datetime | None = None) -> date:
    """The date it is in ``time_zone`` (an IANA name) at ``now``; an unknown or empty name falls
    back to the site's default zone."""
    try:
        zone = zoneinfo.ZoneInfo(time_zone) if time_zone else timezone.get_default_timezone()
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = timezone.get_default_timezone()
    return timezone.localdate(now or timezone.now(), zone)


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


def academic_year_of(day: date, start_month: int) -> int:
    """The name (starting calendar year) of the academic year ``day`` falls in."""
    return day.year if day.month >= start_month else day.year - 1


def academic_year_label(year: int, start_month: int) -> str:
    if start_month == 1:
        return str(year)
    return f"{year}–{(year + 1) % 100:02d}"


def academic_year_named(year: int, start_month: int) -> Period:
    """The academic year that starts in calendar year ``year``."""
    start = date(year, start_month, 1)
    return Period(ACADEMIC_YEAR, start, _add_months(start, 12),
                  f"Academic year {academic_year_label(year, start_month)}")


def academic_year(day: date, start_month: int) -> Period:
    """The academic year ``day`` falls in."""
    return academic_year_named(academic_year_of(day, start_month), start_month)


def period_containing(kind: str, day: date, start_month: int = 7) -> Period:
    if kind == MONTH:
        start = date(day.year, day.month, 1)
        return Period(MONTH, start, _add_months(start, 1), start.strftime("%B %Y"))
    if kind == QUARTER:
        year_start = academic_year(day, start_month).start
        offset = (day.year - year_start.year) * 12 + day.month - year_start.month
        start = _add_months(year_start, (offset // 3) * 3)
        end = _add_months(start, 3)
        last = _add_months(end, -1)
        return Period(QUARTER, start, end, f"{start:%b}–{last:%b %Y} (quarter {offset // 3 + 1})")
    if kind == ACADEMIC_YEAR:
        return academic_year(day, start_month)
    raise ValueError(f"Unknown period kind {kind!r}")


def months_after(day: date, months: int) -> date:
    """The same day ``months`` later, or that month's last day when it is shorter (31 Aug + 6
    months is 28 Feb)."""
    return day + relativedelta(months=months)


def kept_for(start: date, months: int) -> Period:
    """The half-open period something is kept: from ``start`` up to ``months`` later. It is due for
    removal on ``end`` and every day after."""
    end = months_after(start, months)
    return Period("kept", start, end, f"Kept until {end:%b} {end.day}, {end.year}")


def latest_start_expired(today: date, months: int) -> date:
    """The latest start whose ``kept_for(start, months)`` has ended by ``today``: everything that
    started on or before it is due (``field__lte=``). Months differ in length, so the answer is
    found by stepping, never more than a few days, from ``today`` less ``months``."""
    start = today - relativedelta(months=months)
    while months_after(start, months) > today:
        start -= datetime.timedelta(days=1)
    while months_after(start + datetime.timedelta(days=1), months) <= today:
        start += datetime.timedelta(days=1)
    return start
