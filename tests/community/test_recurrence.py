"""Meeting series: rules, materialising twelve months, moves and cancellations, DST."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from community import recurrence, services, tasks
from community.models import Meeting, MeetingSeries
from tests.factories.community import MeetingSeriesFactory

LA = zoneinfo.ZoneInfo("America/Los_Angeles")
NOW = dt.datetime(2026, 1, 5, 17, 0, tzinfo=dt.UTC)


def test_it_keeps_a_noon_meeting_at_noon_local_across_both_daylight_saving_changes():
    starts = recurrence.occurrences(
        "FREQ=MONTHLY;BYDAY=2TU", first_date=dt.date(2026, 1, 1), start_time=dt.time(12), last_date=None,
        zone=LA, since=NOW, until=dt.datetime(2027, 1, 1, tzinfo=dt.UTC),
    )
    local = [s.astimezone(LA) for s in starts]
    assert [(t.hour, t.minute) for t in local] == [(12, 0)] * 12
    assert [t.weekday() for t in local] == [1] * 12  # Tuesdays
    by_month = {t.month: s for t, s in zip(local, starts, strict=True)}
    # PST (UTC−8) before 8 March, PDT (UTC−7) until 1 November, PST again after.
    assert by_month[2].hour == 20 and by_month[3].hour == 19
    assert by_month[10].hour == 19 and by_month[11].hour == 20
    assert by_month[3].date() == dt.date(2026, 3, 10)  # two days after the change to summer time


def test_it_keeps_local_time_in_stored_meetings_across_the_change(program):
    series = MeetingSeriesFactory(program=program, time_zone="America/Los_Angeles")
    services.series_materialise(series=series, now=NOW)
    hours = {m.starts_at.astimezone(LA).hour for m in series.meetings.all()}
    assert hours == {12}
    assert {m.starts_at.astimezone(dt.UTC).hour for m in series.meetings.all()} == {19, 20}


@pytest.mark.parametrize("rule, message", [
    ("FREQ=MONTHLY;BYDAY=2XX", "does not parse"),
    ("every second tuesday", "NAME=VALUE"),
    ("FREQ=HOURLY", "WEEKLY, MONTHLY or YEARLY"),
    ("FREQ=MONTHLY;BYHOUR=9", "not supported"),
    ("", "cannot be blank"),
])
def test_it_refuses_a_rule_that_does_not_parse_with_a_field_error(program, rule, message):
    series = MeetingSeriesFactory.build(program=program, rrule=rule)
    with pytest.raises(ValidationError) as exc:
        series.full_clean()
    assert message in " ".join(exc.value.message_dict["rrule"])


def test_it_refuses_a_series_that_would_produce_no_meeting(program):
    series = MeetingSeriesFactory.build(program=program, rrule="FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30")
    with pytest.raises(ValidationError) as exc:
        series.full_clean()
    assert "produces no meeting" in exc.value.message_dict["rrule"][0]
    short = MeetingSeriesFactory.build(
        program=program, rrule="FREQ=MONTHLY;BYDAY=2TU", first_date=dt.date(2026, 1, 14),
        last_date=dt.date(2026, 2, 9),
    )
    with pytest.raises(ValidationError):
        short.full_clean()


def test_it_refuses_an_end_before_the_start(program):
    series = MeetingSeriesFactory.build(
        program=program, first_date=dt.date(2026, 5, 1), last_date=dt.date(2026, 4, 1),
    )
    with pytest.raises(ValidationError) as exc:
        series.full_clean()
    assert "last_date" in exc.value.message_dict


def test_it_normalises_a_rule():
    assert recurrence.normalise(" rrule:freq=monthly;byday=2tu; ") == "FREQ=MONTHLY;BYDAY=2TU"


def test_it_materialises_twelve_months_and_running_twice_changes_nothing(program):
    series = MeetingSeriesFactory(program=program)
    first = services.series_materialise(series=series, now=NOW)
    assert first.created == 12
    meetings = list(series.meetings.order_by("starts_at"))
    assert meetings[0].starts_at.astimezone(LA).date() == dt.date(2026, 1, 13)
    assert all(m.ends_at - m.starts_at == dt.timedelta(minutes=60) for m in meetings)
    assert {m.place for m in meetings} == {series.place}

    assert services.series_materialise(series=series, now=NOW) == services.MaterialiseResult()
    assert series.meetings.count() == 12
    # A month later the horizon moves on by one meeting.
    assert services.series_materialise(series=series, now=NOW + dt.timedelta(days=31)).created == 1


def test_it_stops_at_the_last_date_and_at_count(program):
    series = MeetingSeriesFactory(program=program, last_date=dt.date(2026, 4, 30))
    assert services.series_materialise(series=series, now=NOW).created == 4
    counted = MeetingSeriesFactory(program=program, rrule="FREQ=MONTHLY;BYDAY=2TU;COUNT=3")
    assert services.series_materialise(series=counted, now=NOW).created == 3


def test_it_moves_one_occurrence_without_touching_the_others_and_keeps_its_identity(program):
    series = MeetingSeriesFactory(program=program)
    services.series_materialise(series=series, now=NOW)
    march, april = series.meetings.order_by("starts_at")[2:4]
    uid, original = march.uid, march.starts_at
    services.meeting_move(meeting=march, starts_at=original + dt.timedelta(days=2, hours=1))

    assert services.series_materialise(series=series, now=NOW).created == 0
    march.refresh_from_db()
    assert (march.uid, march.occurrence_start) == (uid, original)
    assert march.starts_at == original + dt.timedelta(days=2, hours=1)
    assert march.ends_at - march.starts_at == dt.timedelta(hours=1)
    assert march.sequence == 1 and march.is_exception
    april_before = april.starts_at
    april.refresh_from_db()
    assert (april.starts_at, april.sequence) == (april_before, 0)


def test_it_cancels_one_occurrence_and_the_series_does_not_bring_it_back(program):
    series = MeetingSeriesFactory(program=program)
    services.series_materialise(series=series, now=NOW)
    meeting = series.meetings.order_by("starts_at")[1]
    services.meeting_cancel(meeting=meeting)
    services.series_materialise(series=series, now=NOW)
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.CANCELLED and meeting.sequence == 1
    assert series.meetings.filter(status=Meeting.Status.SCHEDULED).count() == 11


def test_it_carries_a_new_place_to_future_meetings_but_not_to_a_moved_one(program):
    series = MeetingSeriesFactory(program=program)
    services.series_materialise(series=series, now=NOW)
    moved = series.meetings.order_by("starts_at")[3]
    services.meeting_move(meeting=moved, starts_at=moved.starts_at + dt.timedelta(hours=2))
    series.place = "Li Ka Shing Center, room 320"
    series.save()
    result = services.series_materialise(series=series, now=NOW)
    assert result.updated == 11
    assert series.meetings.filter(place="Li Ka Shing Center, room 320", sequence=1).count() == 11
    moved.refresh_from_db()
    assert moved.place != series.place


def test_it_cancels_future_meetings_the_changed_rule_no_longer_makes(program):
    series = MeetingSeriesFactory(program=program)
    services.series_materialise(series=series, now=NOW)
    series.rrule = "FREQ=MONTHLY;BYDAY=3TH"
    series.save()
    result = services.series_materialise(series=series, now=NOW)
    assert (result.created, result.cancelled) == (12, 12)
    assert series.meetings.filter(status=Meeting.Status.SCHEDULED).count() == 12


def test_the_command_and_the_task_keep_the_horizon_and_are_idempotent(program, capsys):
    series = MeetingSeriesFactory(program=program, first_date=dt.date.today())
    call_command("materialise_meetings")
    assert "12 created" in capsys.readouterr().out or series.meetings.count() >= 12
    count = series.meetings.count()
    assert tasks.materialise_all_series() == {"series": 1, "created": 0, "failed": 0}
    assert series.meetings.count() == count


def test_the_task_skips_a_broken_series_and_goes_on(program):
    good = MeetingSeriesFactory(program=program, first_date=dt.date.today())
    MeetingSeries.objects.filter(pk=MeetingSeriesFactory(program=program).pk).update(rrule="FREQ=NONSENSE")
    totals = tasks.materialise_all_series()
    assert totals["failed"] == 1 and totals["series"] == 1
    assert good.meetings.count() >= 12


def test_the_horizon_task_is_declared_in_the_beat_schedule(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["community-materialise-meetings"]
    assert entry["task"] == tasks.materialise_all_series.name
