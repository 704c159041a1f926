"""Meeting recurrence with python-dateutil's rrule.

Rules run over naive local wall-clock times and each occurrence is then placed in the
series' time zone, so "12:00 on the second Tuesday" stays 12:00 local across daylight-saving
changes while the stored UTC instant moves by an hour.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass

from dateutil.rrule import rrule, rrulestr

ALLOWED_FREQUENCIES = {"WEEKLY", "MONTHLY", "YEARLY"}
ALLOWED_PARTS = {"FREQ", "INTERVAL", "COUNT", "UNTIL", "BYDAY", "BYMONTHDAY", "BYMONTH", "BYSETPOS", "WKST"}
SEARCH_YEARS = 10
UTC = dt.UTC


class RuleError(ValueError):
    """The text is not a recurrence rule this application accepts; the message says why."""


def normalise(text: str) -> str:
    """Return the rule in canonical upper case without an ``RRULE:`` prefix, or raise RuleError."""
    rule = " ".join(text.split()).upper().removeprefix("RRULE:").strip().strip(";")
    if not rule:
        raise RuleError("Write a recurrence rule, e.g. FREQ=MONTHLY;BYDAY=2TU.")
    parts = {}
    for chunk in rule.split(";"):
        name, sep, value = chunk.partition("=")
        if not sep or not name or not value:
            raise RuleError(f"“{chunk}” is not of the form NAME=VALUE, e.g. FREQ=MONTHLY;BYDAY=2TU.")
        if name not in ALLOWED_PARTS:
            raise RuleError(
                f"{name} is not supported here; use {', '.join(sorted(ALLOWED_PARTS))}. "
                "The time of day comes from the start time."
            )
        parts[name] = value
    if parts.get("FREQ") not in ALLOWED_FREQUENCIES:
        raise RuleError("FREQ must be WEEKLY, MONTHLY or YEARLY.")
    if "COUNT" in parts and "UNTIL" in parts:
        raise RuleError("Give COUNT or UNTIL, not both.")
    try:
        build(rule, dt.date(2000, 1, 3), dt.time(12))
    except (ValueError, TypeError, OverflowError) as exc:
        raise RuleError(f"This rule does not parse: {exc}.") from None
    return rule


def build(rule: str, first_date: dt.date, start_time: dt.time, last_date: dt.date | None = None) -> rrule | _CappedRule:
    """The dateutil rule over naive local datetimes from ``first_date`` at ``start_time``."""
    start = dt.datetime.combine(first_date, start_time)
    parsed = rrulestr(rule, dtstart=start, ignoretz=True)
    if last_date is not None:
        last = dt.datetime.combine(last_date, dt.time.max)
        if parsed._until is None or parsed._until > last:
            parsed = parsed.replace(until=last) if parsed._count is None else _CappedRule(parsed, last)
    return parsed


class _CappedRule:
    """A COUNT rule that also stops at the series' last date."""

    def __init__(self, inner: rrule, last: dt.datetime):
        self.inner, self.last = inner, last

    def __iter__(self):
        for occurrence in self.inner:
            if occurrence > self.last:
                return
            yield occurrence

    def between(self, after: dt.datetime, before: dt.datetime, inc: bool = False) -> list[dt.datetime]:
        return self.inner.between(after, min(before, self.last), inc=inc)


def has_occurrence(rule: str, first_date: dt.date, start_time: dt.time, last_date: dt.date | None) -> bool:
    """Whether the rule yields at least one meeting within the series' dates (searching
    ``SEARCH_YEARS`` ahead when the series has no last date)."""
    search_end = last_date or first_date.replace(year=first_date.year + SEARCH_YEARS)
    for occurrence in build(rule, first_date, start_time, search_end):
        return occurrence.date() <= search_end
    return False


def to_utc(local: dt.datetime, zone: zoneinfo.ZoneInfo) -> dt.datetime:
    """A naive local wall-clock time as an aware UTC instant."""
    return local.replace(tzinfo=zone).astimezone(UTC)


def occurrences(
    rule: str, *, first_date: dt.date, start_time: dt.time, last_date: dt.date | None,
    zone: zoneinfo.ZoneInfo, since: dt.datetime, until: dt.datetime,
) -> list[dt.datetime]:
    """Occurrence starts (aware, UTC) with ``since <= start < until``."""
    parsed = build(rule, first_date, start_time, last_date)
    margin = dt.timedelta(days=2)
    local_since = since.astimezone(zone).replace(tzinfo=None) - margin
    local_until = until.astimezone(zone).replace(tzinfo=None) + margin
    starts = (to_utc(local, zone) for local in parsed.between(local_since, local_until, inc=True))
    return [s for s in starts if since <= s < until]


# --- the picker: plain choices to a rule and back ------------------------------------------

WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
               "October", "November", "December")
WEEK_OF_MONTH = {1: "first", 2: "second", 3: "third", 4: "fourth", -1: "last"}
LAST_DAY = -1
PICKER_PARTS = {"FREQ", "INTERVAL", "BYDAY", "BYMONTHDAY", "BYMONTH", "BYSETPOS"}


@dataclass(frozen=True)
class Pattern:
    """A rule as a coordinator chooses it: every ``interval`` weeks on ``weekdays``; or every
    ``interval`` months (years, in ``month``) on the ``week_of_month``-th ``weekdays[0]`` (−1:
    the last) or on day ``month_day`` (−1: the last day)."""

    frequency: str
    interval: int = 1
    weekdays: tuple[str, ...] = ()
    week_of_month: int | None = None
    month_day: int | None = None
    month: int | None = None

    def __post_init__(self) -> None:
        if self.frequency not in ALLOWED_FREQUENCIES:
            raise RuleError("Choose every week, every month or every year.")
        if not 1 <= self.interval <= 99:
            raise RuleError("Repeat every 1 to 99 weeks, months or years.")
        if any(day not in WEEKDAYS for day in self.weekdays):
            raise RuleError("Choose days of the week.")
        if self.frequency == "WEEKLY":
            if not self.weekdays:
                raise RuleError("Choose at least one day of the week.")
            return
        if self.frequency == "YEARLY" and self.month not in range(1, 13):
            raise RuleError("Choose the month.")
        by_weekday = self.week_of_month is not None
        if by_weekday == (self.month_day is not None):
            raise RuleError("Choose either a weekday of the month or a date of the month.")
        if by_weekday and (self.week_of_month not in WEEK_OF_MONTH or len(self.weekdays) != 1):
            raise RuleError("Choose which week of the month and one day of the week.")
        if not by_weekday and self.month_day not in (*range(1, 32), LAST_DAY):
            raise RuleError("Choose a day of the month from 1 to 31, or the last day.")

    def describe(self) -> str:
        """The pattern in words, e.g. “Every month on the second Tuesday”."""
        unit = {"WEEKLY": "week", "MONTHLY": "month", "YEARLY": "year"}[self.frequency]
        every = f"Every {unit}" if self.interval == 1 else f"Every {self.interval} {unit}s"
        if self.frequency == "WEEKLY":
            days = [WEEKDAY_NAMES[WEEKDAYS.index(d)] for d in sorted(self.weekdays, key=WEEKDAYS.index)]
            listed = days[0] if len(days) == 1 else ", ".join(days[:-1]) + " and " + days[-1]
            return f"{every} on {listed}"
        if self.week_of_month is not None:
            day = WEEKDAY_NAMES[WEEKDAYS.index(self.weekdays[0])]
            on = f"the {WEEK_OF_MONTH[self.week_of_month]} {day}"
        else:
            on = "the last day" if self.month_day == LAST_DAY else f"day {self.month_day}"
        where = f" of {MONTH_NAMES[self.month - 1]}" if self.frequency == "YEARLY" else ""
        return f"{every} on {on}{where}"


def to_rule(pattern: Pattern) -> str:
    """The RRULE for a pattern, in a fixed order of parts, e.g. ``FREQ=MONTHLY;BYDAY=2TU``."""
    parts = [f"FREQ={pattern.frequency}"]
    if pattern.interval != 1:
        parts.append(f"INTERVAL={pattern.interval}")
    if pattern.frequency == "WEEKLY":
        parts.append("BYDAY=" + ",".join(sorted(pattern.weekdays, key=WEEKDAYS.index)))
        return ";".join(parts)
    if pattern.frequency == "YEARLY":
        parts.append(f"BYMONTH={pattern.month}")
    if pattern.week_of_month is not None:
        parts.append(f"BYDAY={pattern.week_of_month}{pattern.weekdays[0]}")
    else:
        parts.append(f"BYMONTHDAY={pattern.month_day}")
    return ";".join(parts)


def _int(text: str) -> int:
    if not text.lstrip("+-").isdigit():
        raise ValueError(text)
    return int(text)


def from_rule(rule: str, first_date: dt.date | None = None) -> Pattern | None:
    """The pattern a rule stands for, or None when the picker cannot show it (COUNT, UNTIL,
    several months, the 5th weekday…; such a rule stays in the advanced box). Parts a rule
    leaves out come from ``first_date``, as the rule itself would take them."""
    try:
        rule = normalise(rule)
    except RuleError:
        return None
    parts = dict(chunk.split("=", 1) for chunk in rule.split(";"))
    if set(parts) - PICKER_PARTS:
        return None
    try:
        interval = _int(parts.get("INTERVAL", "1"))
        freq = parts["FREQ"]
        days = [d for d in parts.get("BYDAY", "").split(",") if d]
        if freq == "WEEKLY":
            if set(parts) - {"FREQ", "INTERVAL", "BYDAY"}:
                return None
            if not days:
                if first_date is None:
                    return None
                days = [WEEKDAYS[first_date.weekday()]]
            return Pattern("WEEKLY", interval, tuple(sorted(set(days), key=WEEKDAYS.index)))
        month = None
        if freq == "YEARLY":
            month = _int(parts["BYMONTH"]) if "BYMONTH" in parts else (first_date.month if first_date else None)
        elif "BYMONTH" in parts:
            return None
        if "BYMONTHDAY" in parts:
            if days or "BYSETPOS" in parts:
                return None
            return Pattern(freq, interval, month_day=_int(parts["BYMONTHDAY"]), month=month)
        if not days:
            if first_date is None:
                return None
            return Pattern(freq, interval, month_day=first_date.day, month=month)
        if len(days) != 1:
            return None
        day = days[0]
        if "BYSETPOS" in parts:  # the form some calendars write: BYDAY=TU;BYSETPOS=2
            if not day.isalpha():
                return None
            return Pattern(freq, interval, (day,), week_of_month=_int(parts["BYSETPOS"]), month=month)
        if day.isalpha():
            return None  # every Tuesday of the month: not a choice of the picker
        return Pattern(freq, interval, (day[-2:],), week_of_month=_int(day[:-2]), month=month)
    except (RuleError, ValueError, KeyError):
        return None


def next_dates(
    rule: str, *, first_date: dt.date, start_time: dt.time, last_date: dt.date | None,
    zone: zoneinfo.ZoneInfo, now: dt.datetime, count: int = 5,
) -> list[dt.datetime]:
    """The next ``count`` meeting starts from ``now`` (aware, in ``zone``), for a preview."""
    found: list[dt.datetime] = []
    horizon = now + dt.timedelta(days=366 * SEARCH_YEARS)
    for local in build(rule, first_date, start_time, last_date):
        start = local.replace(tzinfo=zone)
        if start > horizon:
            break
        if start.astimezone(UTC) >= now:
            found.append(start)
            if len(found) == count:
                break
    return found
