from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest

from community.models import Topic
from mentorprogram.models import Membership
from tests.factories.community import (
    AgendaItemFactory,
    MeetingFactory,
    MeetingSeriesFactory,
    ResourcePersonFactory,
)

# The live tests' shared fixtures (one definition, in tests/reminders/live.py).
from tests.reminders.live import (  # noqa: F401
    fast_retries,
    leave_the_migrated_data,
    redis_db,
    sink,
    unreachable_mail_server,
)

LA = zoneinfo.ZoneInfo("America/Los_Angeles")
# The Monday after daylight-saving time began in the United States (Sunday 8 March 2026).
START = dt.datetime(2026, 3, 9, 12, 0, tzinfo=LA)
JOINED = dt.date(2026, 1, 5)


def at(days_before: float, *, hours: float = 0) -> dt.datetime:
    """A moment ``days_before`` local days (plus ``hours`` earlier) before START."""
    wall = START.replace(tzinfo=None) - dt.timedelta(days=days_before, hours=hours)
    return wall.replace(tzinfo=LA)


@pytest.fixture
def people(program, coordinator, mentor, other_mentor, faculty):
    """The program's coordinator and two mentors (faculty get no reminders), members since January."""
    Membership.objects.filter(program=program).update(joined_on=JOINED)
    program.community_name = "Medicine Mentor Circle"
    program.save()
    mentor.display_name, mentor.time_zone = "Dr. Sam Okafor", "America/Los_Angeles"
    mentor.save()
    return [coordinator, mentor, other_mentor]


@pytest.fixture
def meeting(program):
    series = MeetingSeriesFactory(program=program, title="Monthly meeting")
    meeting = MeetingFactory(
        series=series, starts_at=START, occurrence_start=START, ends_at=START + dt.timedelta(hours=1),
        place="Alway Building, room M114", presenter=ResourcePersonFactory(
            program=program, name="Dr. Miriam Alvarez", role="Associate Dean for Faculty Development"),
        with_reading=True, reading__title="Giving feedback that a junior colleague can use",
        reading__url="https://example.org/readings/useful-feedback",
        # ASCII, like the rest of the meeting: tests/reminders/test_fast_messages.py sees 7bit parts.
        reading__citation="Alvarez M. Giving feedback that a junior colleague can use. Faculty Notes. 2024;3:12-15.",
    )
    topic = Topic.objects.get_or_create(name="Your mentees' challenges", defaults={"position": 2})[0]
    AgendaItemFactory(meeting=meeting, position=1, topic=topic, text="")
    AgendaItemFactory(meeting=meeting, position=2, topic=None, text="Round table: one thing that worked")
    return meeting
