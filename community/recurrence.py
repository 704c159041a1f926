"""Meeting recurrence with python-dateutil's rrule.

Rules run over naive local wall-clock times and each occurrence is then placed in the
series' time zone, so "12:00 on the second Tuesday" stays 12:00 local across daylight-saving
changes while the stored UTC instant moves by an hour.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

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
