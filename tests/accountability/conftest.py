from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from toolbox.periods import local_today


@pytest.fixture
def today(mentor) -> dt.date:
    return local_today(mentor.time_zone)


@pytest.fixture
def now():
    return timezone.now()
