from __future__ import annotations

import os

import pytest


def test_it_reports_ok_when_database_and_broker_answer(client, db, settings):
    if os.environ.get("CI") and not settings.CELERY_BROKER_URL.startswith("redis"):
        pytest.fail("CI must run the suite against Redis (CELERY_BROKER_URL=redis://…)")
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "broker": "ok"}


def test_it_answers_503_when_the_broker_is_down(client, db, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:9/0"  # the discard port: nothing listens
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {}
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "ok"
    assert response.json()["broker"] != "ok"


def test_it_is_not_cached(client, db):
    assert "no-cache" in client.get("/healthz")["Cache-Control"]
