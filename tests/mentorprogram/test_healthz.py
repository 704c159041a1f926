from __future__ import annotations

import os

import pytest


def test_it_reports_ok_when_database_and_broker_answer(client, db, settings):
    if os.environ.get("CI") and not settings.CELERY_BROKER_URL.startswith("redis"):
        pytest.fail("CI must run the suite against Redis (CELERY_BROKER_URL=redis://…)")
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "cache": "ok", "broker": "ok"}


def test_it_answers_503_when_the_broker_is_down(client, db, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:9/0"  # the discard port: nothing listens
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {}
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "ok"
    assert response.json()["broker"] != "ok"


def test_it_is_not_cached(client, db):
    assert "no-cache" in client.get("/healthz")["Cache-Control"]


def test_it_answers_503_json_naming_the_cache_when_redis_does_not_answer(client, db, mentor):
    from django.test.utils import override_settings

    client.force_login(mentor)  # a signed-in probe too: its session must not turn this into an HTML 500
    dead = {"default": {"BACKEND": "toolbox.cache_backend.RedisCache", "LOCATION": "redis://127.0.0.1:9/0",
                        "OPTIONS": {"socket_connect_timeout": 0.25}}}
    with override_settings(CACHES=dead):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    assert response.json()["cache"] != "ok"
    assert response.json()["database"] == "ok"
