from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests.factories.community import MeetingFactory, MeetingSeriesFactory, MentorCommunityFactory


@pytest.fixture
def series(program):
    return MeetingSeriesFactory(program=program)


@pytest.fixture
def meeting(series):
    """A scheduled meeting of ``program`` a week from now."""
    return MeetingFactory(series=series, with_reading=True, reading__title="Giving feedback that lands",
                          reading__url="https://example.org/readings/feedback")


@pytest.fixture
def past_meeting(series):
    start = timezone.now() - dt.timedelta(days=20)
    return MeetingFactory(series=series, starts_at=start, status="held", minutes="We talked about **feedback**.")


@pytest.fixture
def community(program):
    return MentorCommunityFactory(program=program, purpose="We meet so that nobody mentors alone.")


@pytest.fixture
def other_meeting(other_program):
    return MeetingFactory(series=MeetingSeriesFactory(program=other_program))
