from __future__ import annotations

# The live tests' shared fixtures (one definition, in tests/reminders/live.py).
from tests.reminders.live import (  # noqa: F401
    fast_retries,
    leave_the_migrated_data,
    redis_db,
    sink,
    unreachable_mail_server,
)
