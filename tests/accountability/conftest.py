from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

# The live tests' shared fixtures (one definition, in tests/reminders/live.py).
from tests.reminders.live import (  # noqa: F401
    fast_retries,
    leave_the_migrated_data,
    redis_db,
    sink,
    unreachable_mail_server,
)
from toolbox.periods import local_today


@pytest.fixture
def today(mentor) -> dt.date:
    return local_today(mentor.time_zone)


@pytest.fixture
def now():
    return timezone.now()
