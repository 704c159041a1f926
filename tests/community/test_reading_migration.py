"""Moving each meeting's typed reading title and link to a catalog Reading, and back, loses nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from community.models import Meeting
from courses.models import Reading
from tests.factories.community import MeetingFactory, MeetingSeriesFactory
from tests.factories.courses import ReadingFactory

# Migrating commits, so the test runs outside a transaction and the migrated rows are put back after.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

WITH_BOTH = [("community", "0003_meeting_reading")]
"""The state where a meeting has its reading link and its old title and link."""


def migrate(targets=None):
    """Migrate to ``targets`` (default: the latest) and return the models as they are there."""
    executor = MigrationExecutor(connection)
    targets = targets or executor.loader.graph.leaf_nodes()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def test_each_typed_reading_is_linked_to_a_catalog_reading_its_program_may_use(program, other_program):
    series, other_series = MeetingSeriesFactory(program=program), MeetingSeriesFactory(program=other_program)
    shared = ReadingFactory(program=None, title="Shared title", url="https://example.org/shared")
    theirs = ReadingFactory(program=other_program, title="Their own reading", url="")
    long_title = "A very long reading title " * 18
    try:
        old = migrate(WITH_BOTH).get_model("community", "Meeting")
        start = timezone.now().replace(microsecond=0)

        def meeting(s, title, url, days):
            at = start + dt.timedelta(days=days)
            return old.objects.create(series_id=s.pk, occurrence_start=at, starts_at=at,
                                      ends_at=at + dt.timedelta(hours=1), reading_title=title, reading_url=url).pk

        same = meeting(series, "Shared title", "https://example.org/shared", 1)
        title_only = meeting(series, "Shared title", "", 2)
        other_link = meeting(series, "Shared title", "https://elsewhere.example.org/x", 3)
        not_ours = meeting(series, "Their own reading", "", 4)
        not_ours_again = meeting(series, "  Their own reading ", "", 5)
        none = meeting(series, "", "", 6)
        link_only = meeting(series, "", "https://example.org/only-a-link", 7)
        long = meeting(series, long_title, "", 8)
        their_meeting = meeting(other_series, "Their own reading", "", 9)
        stamp = old.objects.get(pk=same).updated_at
    finally:
        migrate()

    reading = {m.pk: m.reading for m in Meeting.objects.select_related("reading")}
    assert reading[same] == shared and reading[title_only] == shared
    assert reading[their_meeting] == theirs
    made = reading[other_link]
    assert (made.program, made.title, made.citation, made.url) == (
        program, "Shared title", "Shared title", "https://elsewhere.example.org/x")
    ours = reading[not_ours]
    assert ours != theirs and (ours.program, ours.title, ours.citation) == (
        program, "Their own reading", "Their own reading")
    assert reading[not_ours_again] == ours  # one reading per title and link, not one per meeting
    assert reading[none] is None
    assert (reading[link_only].title, reading[link_only].url) == ("https://example.org/only-a-link",) * 2
    assert len(reading[long].title) == 300 and reading[long].title.endswith("…")
    assert reading[long].citation == long_title.strip()  # the whole title is kept
    assert Reading.objects.filter(program=program).count() == 4
    assert Meeting.objects.get(pk=same).updated_at == stamp  # calendars need not hear of it


def test_going_back_copies_each_readings_title_and_link_onto_its_meetings(program):
    series = MeetingSeriesFactory(program=program)
    soon = timezone.now() + dt.timedelta(days=7)
    linked = MeetingFactory(series=series, starts_at=soon, with_reading=True,
                            reading__title="Giving feedback that lands", reading__url="https://example.org/readings/feedback")
    long_link = MeetingFactory(series=series, starts_at=soon + dt.timedelta(days=28), with_reading=True,
                               reading__url="https://example.org/" + "x" * 250)
    without = MeetingFactory(series=series, starts_at=soon + dt.timedelta(days=56))
    try:
        old = migrate(WITH_BOTH).get_model("community", "Meeting")
        back = {m.pk: (m.reading_title, m.reading_url) for m in old.objects.all()}
    finally:
        migrate()
    assert back[linked.pk] == ("Giving feedback that lands", "https://example.org/readings/feedback")
    assert back[long_link.pk] == (long_link.reading.title, "")  # too long for the old field
    assert back[without.pk] == ("", "")
    assert Meeting.objects.get(pk=linked.pk).reading == linked.reading  # and forward again keeps the link
