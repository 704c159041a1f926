from __future__ import annotations

import pytest

from config.celery import app as celery_app


@pytest.fixture
def eager_celery():
    """Tasks run in the test's own process as they are queued (the import's invitations)."""
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous
