"""One way to write a date, a time and a duration, everywhere the app shows one: pages, emails,
RSVP pages, charts and exports.

The shapes are the en-US ones a US school expects ("Tue, Dec 8, 2026, 12:00–1:00 PM PST");
the names of days and months come from the active language's catalog, and times are shown in
the active time zone (the person's, set per request) unless a zone is given.
"""

from __future__ import annotations

import datetime
import zoneinfo
from urllib.parse import urlsplit

from django.utils import dateformat, timezone
from django.utils.translation import gettext, ngettext

DATE = "M j, Y"            # Dec 8, 2026
DAY = "D, M j, Y"          # Tue, Dec 8, 2026
MONTH = "M Y"              # Dec 2026
TIME = "g:i A"             # 12:00 PM
ZONED_TIME = f"{TIME} T"   # 12:00 PM PST
DATETIME = f"{DAY}, {ZONED_TIME}"  # Tue, Dec 8, 2026, 12:00 PM PST


def _zone(tz: str | datetime.tzinfo | None) -> datetime.tzinfo:
    if tz is None or tz == "":
        return timezone.get_current_timezone()
    if isinstance(tz, str):
        try:
            return zoneinfo.ZoneInfo(tz)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            return timezone.get_current_timezone()
    return tz


def local(value: datetime.datetime, tz: str | datetime.tzinfo | None = None) -> datetime.datetime:
    """``value`` in ``tz`` (default: the active zone); a naive value is taken as already local."""
    if timezone.is_naive(value):
        return value
    return value.astimezone(_zone(tz))


def _day(value: datetime.date | datetime.datetime) -> datetime.date:
    return value.date() if isinstance(value, datetime.datetime) else value


def format_date(value: datetime.date | datetime.datetime | None, *, weekday: bool = False,
                tz: str | datetime.tzinfo | None = None) -> str:
    """Dec 8, 2026 (with ``weekday``: Tue, Dec 8, 2026). A datetime is first put in the zone."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        value = local(value, tz)
    return dateformat.format(value, DAY if weekday else DATE)


def format_month(value: datetime.date | None) -> str:
    """Dec 2026."""
    return dateformat.format(value, MONTH) if value else ""


def format_time(value: datetime.datetime | None, tz: str | datetime.tzinfo | None = None, *,
                zone_name: bool = False) -> str:
    """12:00 PM (with ``zone_name``: 12:00 PM PST)."""
    if value is None:
        return ""
    return dateformat.format(local(value, tz), ZONED_TIME if zone_name else TIME)


def format_datetime(value: datetime.datetime | None, tz: str | datetime.tzinfo | None = None) -> str:
    """Tue, Dec 8, 2026, 12:00 PM PST."""
    if value is None:
        return ""
    return dateformat.format(local(value, tz), DATETIME)


def format_range(start: datetime.datetime | None, end: datetime.datetime | None,
                 tz: str | datetime.tzinfo | None = None) -> str:
    """Tue, Dec 8, 2026, 12:00–1:00 PM PST; 11:30 AM–12:30 PM when the halves of the day differ;
    both dates when the range ends on another day. (One format a half: a list of meetings writes
    many of these, and each ``dateformat.format`` call reads its format string anew.)"""
    if start is None:
        return ""
    if end is None:
        return format_datetime(start, tz)
    start, end = local(start, tz), local(end, tz)
    if start.date() != end.date():
        return f"{dateformat.format(start, f'{DAY}, {TIME}')} – {dateformat.format(end, DATETIME)}"
    same_half = (start.hour < 12) == (end.hour < 12)
    first = dateformat.format(start, f"{DAY}, g:i" if same_half else f"{DAY}, {TIME}")
    return f"{first}–{dateformat.format(end, ZONED_TIME)}"


def format_date_range(start: datetime.date | None, end: datetime.date | None) -> str:
    """Dec 13–20, 2026; Nov 30 – Dec 6, 2026; Dec 28, 2026 – Jan 3, 2027."""
    if start is None or end is None:
        return format_date(start or end)
    start, end = _day(start), _day(end)
    if start == end:
        return format_date(start)
    if start.year != end.year:
        return f"{format_date(start)} – {format_date(end)}"
    if start.month != end.month:
        return f"{dateformat.format(start, 'M j')} – {format_date(end)}"
    return f"{dateformat.format(start, 'M j')}–{dateformat.format(end, 'j, Y')}"


def format_duration(minutes: int | None) -> str:
    """45 minutes, 1 hour, 1 hour 30 minutes, 2 hours."""
    if minutes is None:
        return ""
    hours, rest = divmod(int(minutes), 60)
    parts = []
    if hours:
        parts.append(ngettext("%(n)d hour", "%(n)d hours", hours) % {"n": hours})
    if rest or not hours:
        parts.append(ngettext("%(n)d minute", "%(n)d minutes", rest) % {"n": rest})
    return " ".join(parts)


def count(n: int, singular: str, plural: str) -> str:
    """``n`` with its noun in the right number: count(1, "meeting", "meetings") is "1 meeting"."""
    return ngettext("%(n)s " + singular, "%(n)s " + plural, n) % {"n": n}


def link_host(url: str | None) -> str:
    """Where a link goes, as a person reads it: "www.nrmnet.net" for a full address."""
    if not url:
        return ""
    host = urlsplit(url).hostname or ""
    return host.removeprefix("www.") or gettext("the link")
