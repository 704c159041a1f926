"""The template side of ``toolbox.datetimes``, loaded on every template (a builtin):
``{{ meeting.starts_at|when }}``, ``{{ meeting.starts_at|when_range:meeting.ends_at }}``,
``{{ item.due_on|when_date }}``, ``{{ minutes|duration }}``, ``{{ course.url|host }}``."""

from __future__ import annotations

import datetime

from django import template

from toolbox import datetimes

register = template.Library()


@register.filter
def when(value):
    return datetimes.format_datetime(value) if value else ""


@register.filter
def when_range(start, end):
    return datetimes.format_range(start, end) if start else ""


@register.filter
def when_date(value, weekday=""):
    return datetimes.format_date(value, weekday=bool(weekday)) if value else ""


@register.filter
def when_time(value):
    return datetimes.format_time(value, zone_name=True) if value else ""


@register.filter
def when_month(value):
    return datetimes.format_month(value) if value else ""


@register.filter
def when_dates(start, end):
    return datetimes.format_date_range(start, end)


@register.filter
def duration(minutes):
    return datetimes.format_duration(minutes) if minutes is not None else ""


@register.filter
def host(url):
    return datetimes.link_host(url)


@register.filter
def when_value(value):
    """A stored value as a person reads it: an ISO date ("2026-12-13") becomes Dec 13, 2026."""
    if isinstance(value, str) and len(value) == 10:
        try:
            return datetimes.format_date(datetime.date.fromisoformat(value))
        except ValueError:
            return value
    return value


@register.filter
def field_label(name):
    """A field's name as words: "due_on" is "Due on"."""
    return str(name).replace("_", " ").capitalize()
