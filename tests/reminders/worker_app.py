"""The project's Celery app, tuned for the worker-crash test: a short visibility timeout and
frequent sweeps, so a message held by a killed worker comes back within seconds instead of
hours. Never used outside tests."""

from __future__ import annotations

from config.celery import app

app.conf.broker_transport_options = {
    "visibility_timeout": 2,
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
}
