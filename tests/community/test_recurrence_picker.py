"""The recurrence picker's service: plain choices to an RRULE and back, and the preview dates."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest

from community.recurrence import Pattern, RuleError, from_rule, next_dates, normalise, to_rule

NY = zoneinfo.ZoneInfo("America/New_York")
LA = zoneinfo.ZoneInfo("America/Los_Angeles")

PATTERNS = [
    (Pattern("MONTHLY", weekdays=("TU",), week_of_month=2), "FREQ=MONTHLY;BYDAY=2TU",
     "Every month on the second Tuesday"),
    (Pattern("MONTHLY", weekdays=("FR",), week_of_month=-1), "FREQ=MONTHLY;BYDAY=-1FR",
     "Every month on the last Friday"),
    (Pattern("MONTHLY", month_day=15), "FREQ=MONTHLY;BYMONTHDAY=15", "Every month on day 15"),
    (Pattern("MONTHLY", month_day=-1), "FREQ=MONTHLY;BYMONTHDAY=-1", "Every month on the last day"),
    (Pattern("MONTHLY", interval=2, weekdays=("WE",), week_of_month=1), "FREQ=MONTHLY;INTERVAL=2;BYDAY=1WE",
     "Every 2 months on the first Wednesday"),
    (Pattern("WEEKLY", weekdays=("TU", "TH")), "FREQ=WEEKLY;BYDAY=TU,TH", "Every week on Tuesday and Thursday"),
    (Pattern("WEEKLY", interval=2, weekdays=("MO",)), "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO", "Every 2 weeks on Monday"),
    (Pattern("YEARLY", month=9, weekdays=("MO",), week_of_month=1), "FREQ=YEARLY;BYMONTH=9;BYDAY=1MO",
     "Every year on the first Monday of September"),
    (Pattern("YEARLY", month=5, month_day=20), "FREQ=YEARLY;BYMONTH=5;BYMONTHDAY=20",
     "Every year on day 20 of May"),
]


@pytest.mark.parametrize("pattern, rule, words", PATTERNS)
def test_it_builds_the_rule_reads_it_back_and_says_it_in_words(pattern, rule, words):
    assert to_rule(pattern) == rule
    assert normalise(rule) == rule  # the model accepts what the picker writes
    assert from_rule(rule) == pattern
    assert pattern.describe() == words


@pytest.mark.parametrize("rule, pattern", [
    ("rrule:freq=monthly;byday=tu;bysetpos=2", Pattern("MONTHLY", weekdays=("TU",), week_of_month=2)),
    ("FREQ=WEEKLY;BYDAY=TH,TU", Pattern("WEEKLY", weekdays=("TU", "TH"))),
    ("FREQ=MONTHLY;BYDAY=+2TU", Pattern("MONTHLY", weekdays=("TU",), week_of_month=2)),
])
def test_it_reads_the_other_ways_calendars_write_the_same_rule(rule, pattern):
    assert from_rule(rule) == pattern


def test_it_fills_what_a_bare_rule_leaves_out_from_the_first_date():
    first = dt.date(2026, 3, 12)  # a Thursday
    assert from_rule("FREQ=WEEKLY", first) == Pattern("WEEKLY", weekdays=("TH",))
    assert from_rule("FREQ=MONTHLY", first) == Pattern("MONTHLY", month_day=12)
    assert from_rule("FREQ=YEARLY", first) == Pattern("YEARLY", month=3, month_day=12)


@pytest.mark.parametrize("rule", [
    "FREQ=MONTHLY;BYDAY=2TU;COUNT=10", "FREQ=MONTHLY;BYDAY=2TU;UNTIL=20271231T000000",
    "FREQ=MONTHLY;BYDAY=TU", "FREQ=MONTHLY;BYDAY=1TU,3TU", "FREQ=MONTHLY;BYDAY=5TU",
    "FREQ=MONTHLY;BYMONTH=1,7;BYDAY=2TU", "FREQ=YEARLY;BYMONTH=1,7;BYMONTHDAY=2", "not a rule",
])
def test_it_leaves_a_rule_the_picker_cannot_show_to_the_advanced_box(rule):
    assert from_rule(rule) is None


@pytest.mark.parametrize("kwargs, message", [
    ({"frequency": "DAILY"}, "every week"),
    ({"frequency": "WEEKLY"}, "at least one day"),
    ({"frequency": "MONTHLY"}, "either a weekday"),
    ({"frequency": "MONTHLY", "week_of_month": 2, "month_day": 3, "weekdays": ("TU",)}, "either a weekday"),
    ({"frequency": "MONTHLY", "week_of_month": 5, "weekdays": ("TU",)}, "which week"),
    ({"frequency": "MONTHLY", "month_day": 32}, "1 to 31"),
    ({"frequency": "YEARLY", "month_day": 3}, "the month"),
    ({"frequency": "MONTHLY", "interval": 0, "month_day": 3}, "1 to 99"),
])
def test_it_refuses_choices_that_make_no_rule(kwargs, message):
    with pytest.raises(RuleError, match=message):
        Pattern(**kwargs)


def test_the_preview_gives_the_next_five_second_tuesdays_at_noon_local_across_the_change_to_summer_time():
    rule = to_rule(Pattern("MONTHLY", weekdays=("TU",), week_of_month=2))
    dates = next_dates(rule, first_date=dt.date(2026, 1, 1), start_time=dt.time(12), last_date=None, zone=NY,
                       now=dt.datetime(2027, 1, 1, tzinfo=dt.UTC))
    assert [d.date() for d in dates] == [dt.date(2027, 1, 12), dt.date(2027, 2, 9), dt.date(2027, 3, 9),
                                         dt.date(2027, 4, 13), dt.date(2027, 5, 11)]
    assert {(d.hour, d.minute) for d in dates} == {(12, 0)}
    # 14 March 2027 is the change to summer time: noon is 17:00 UTC before it and 16:00 after.
    assert [d.astimezone(dt.UTC).hour for d in dates] == [17, 17, 17, 16, 16]


def test_the_preview_finds_the_last_friday_of_each_month_whatever_its_length():
    rule = to_rule(Pattern("MONTHLY", weekdays=("FR",), week_of_month=-1))
    dates = next_dates(rule, first_date=dt.date(2026, 1, 1), start_time=dt.time(8, 30), last_date=None, zone=LA,
                       now=dt.datetime(2027, 1, 1, tzinfo=dt.UTC))
    assert [d.date() for d in dates] == [dt.date(2027, 1, 29), dt.date(2027, 2, 26), dt.date(2027, 3, 26),
                                         dt.date(2027, 4, 30), dt.date(2027, 5, 28)]


def test_the_preview_takes_the_last_day_of_february_and_the_first_monday_of_september():
    last_day = next_dates("FREQ=MONTHLY;BYMONTHDAY=-1", first_date=dt.date(2028, 1, 1), start_time=dt.time(9),
                          last_date=None, zone=LA, now=dt.datetime(2028, 1, 1, tzinfo=dt.UTC), count=2)
    assert [d.date() for d in last_day] == [dt.date(2028, 1, 31), dt.date(2028, 2, 29)]
    yearly = next_dates(to_rule(Pattern("YEARLY", month=9, weekdays=("MO",), week_of_month=1)),
                        first_date=dt.date(2026, 1, 1), start_time=dt.time(9), last_date=None, zone=LA,
                        now=dt.datetime(2026, 1, 1, tzinfo=dt.UTC), count=2)
    assert [d.date() for d in yearly] == [dt.date(2026, 9, 7), dt.date(2027, 9, 6)]


def test_the_preview_stops_at_the_end_date_and_skips_what_is_past():
    dates = next_dates("FREQ=WEEKLY;BYDAY=TU", first_date=dt.date(2026, 1, 1), start_time=dt.time(12),
                       last_date=dt.date(2026, 1, 31), zone=LA, now=dt.datetime(2026, 1, 14, tzinfo=dt.UTC))
    assert [d.date() for d in dates] == [dt.date(2026, 1, 20), dt.date(2026, 1, 27)]
