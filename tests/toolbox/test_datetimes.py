"""One way to write a date and a time (en-US, in the person's zone), and counts in the right number."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.template import Context, Template
from django.utils import timezone

from toolbox import datetimes

LA = ZoneInfo("America/Los_Angeles")
NOON = dt.datetime(2026, 12, 8, 20, 0, tzinfo=dt.UTC)  # 12:00 PM in Los Angeles


def test_a_meeting_reads_the_en_us_way_in_the_persons_zone():
    assert datetimes.format_range(NOON, NOON + dt.timedelta(hours=1), LA) == "Tue, Dec 8, 2026, 12:00–1:00 PM PST"
    assert datetimes.format_datetime(NOON, LA) == "Tue, Dec 8, 2026, 12:00 PM PST"
    assert datetimes.format_datetime(NOON, "Europe/Paris") == "Tue, Dec 8, 2026, 9:00 PM CET"


def test_a_range_across_noon_or_midnight_names_both_halves_or_both_days():
    start = NOON - dt.timedelta(minutes=30)
    assert datetimes.format_range(start, start + dt.timedelta(hours=1), LA) == \
        "Tue, Dec 8, 2026, 11:30 AM–12:30 PM PST"
    late = dt.datetime(2026, 12, 8, 23, 0, tzinfo=LA)
    assert datetimes.format_range(late, late + dt.timedelta(hours=2), LA) == \
        "Tue, Dec 8, 2026, 11:00 PM – Wed, Dec 9, 2026, 1:00 AM PST"


def test_dates_months_and_date_ranges():
    assert datetimes.format_date(dt.date(2026, 11, 1)) == "Nov 1, 2026"
    assert datetimes.format_date(dt.date(2026, 12, 8), weekday=True) == "Tue, Dec 8, 2026"
    assert datetimes.format_month(dt.date(2026, 9, 1)) == "Sep 2026"
    assert datetimes.format_date_range(dt.date(2026, 12, 13), dt.date(2026, 12, 20)) == "Dec 13–20, 2026"
    assert datetimes.format_date_range(dt.date(2026, 11, 30), dt.date(2026, 12, 6)) == "Nov 30 – Dec 6, 2026"
    assert datetimes.format_date_range(dt.date(2026, 12, 28), dt.date(2027, 1, 3)) == "Dec 28, 2026 – Jan 3, 2027"


def test_a_datetime_shown_as_a_date_is_the_date_in_the_zone():
    late_utc = dt.datetime(2026, 12, 9, 3, 0, tzinfo=dt.UTC)  # still Dec 8 in Los Angeles
    assert datetimes.format_date(late_utc, tz=LA) == "Dec 8, 2026"


def test_durations_and_counts_in_the_right_number():
    assert datetimes.format_duration(60) == "1 hour"
    assert datetimes.format_duration(90) == "1 hour 30 minutes"
    assert datetimes.format_duration(1) == "1 minute"
    assert datetimes.format_duration(120) == "2 hours"
    assert datetimes.count(1, "meeting", "meetings") == "1 meeting"
    assert datetimes.count(3, "meeting", "meetings") == "3 meetings"


def test_the_template_filters_use_the_active_zone_and_need_no_load():
    template = Template("{{ s|when_range:e }} · {{ d|when_date }} · {{ u|host }} · {{ '2026-12-13'|when_value }}")
    with timezone.override(LA):
        text = template.render(Context({"s": NOON, "e": NOON + dt.timedelta(hours=1), "d": dt.date(2026, 12, 20),
                                        "u": "https://www.nrmnet.net/x"}))
    assert text == "Tue, Dec 8, 2026, 12:00–1:00 PM PST · Dec 20, 2026 · nrmnet.net · Dec 13, 2026"


def test_what_django_writes_itself_in_the_admin_and_templates_reads_the_same_way():
    from django.contrib.admin.utils import display_for_value

    with timezone.override(LA):
        assert Template("{{ when }}").render(Context({"when": NOON})) == datetimes.format_datetime(NOON)
        assert display_for_value(NOON, "") == "Tue, Dec 8, 2026, 12:00 PM PST"  # an admin list's cell
        assert Template("{{ day }}").render(Context({"day": NOON.date()})) == "Dec 8, 2026"
