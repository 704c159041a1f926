"""Keeping something for a number of months: a half-open period, and the cutoff a query uses."""

from __future__ import annotations

import datetime as dt

import pytest

from toolbox import periods


def test_it_keeps_for_whole_months_clamped_to_a_shorter_month():
    kept = periods.kept_for(dt.date(2025, 8, 31), 6)
    assert (kept.start, kept.end) == (dt.date(2025, 8, 31), dt.date(2026, 2, 28))
    assert kept.contains(dt.date(2026, 2, 27)) and not kept.contains(dt.date(2026, 2, 28))


@pytest.mark.parametrize("months", [1, 6, 12, 24, 60])
def test_the_cutoff_is_the_latest_start_whose_period_has_ended(months):
    today = dt.date(2024, 1, 1)
    for _ in range(800):  # every day of two years and more, leap day and month ends included
        cutoff = periods.latest_start_expired(today, months)
        assert periods.kept_for(cutoff, months).end <= today
        assert periods.kept_for(cutoff + dt.timedelta(days=1), months).end > today
        today += dt.timedelta(days=1)
