"""The Redis cache backend that production and `make bench` use (CACHE_URL=redis://…)."""

from __future__ import annotations

import os

import pytest

from mentorprogram.cache import RedisCache

REDIS_URL = "redis://127.0.0.1:6379/13"


@pytest.fixture
def redis_cache():
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError as exc:
        if os.environ.get("CI"):
            pytest.fail(f"CI runs this test against Redis at {REDIS_URL}, which did not answer: {exc}")
        pytest.skip(f"needs Redis at {REDIS_URL}: {exc}")
    cache = RedisCache(REDIS_URL, {"KEY_PREFIX": "cache-backend-test"})
    yield cache
    cache.clear()


def test_it_keeps_one_client_for_every_call(redis_cache):
    client = redis_cache._cache.get_client("a")
    assert redis_cache._cache.get_client("b") is client
    assert redis_cache._cache.get_client("c", write=True) is client  # one server: one pool


def test_it_stores_and_reads_like_djangos_backend(redis_cache):
    redis_cache.set("stamp", "s1", None)
    assert redis_cache.add("stamp", "s2") is False
    redis_cache.set_many({"page": ("s1", 1.0, "<html>"), "other": 3}, 60)
    assert redis_cache.get_many(["stamp", "page", "missing"]) == {"stamp": "s1", "page": ("s1", 1.0, "<html>")}
    redis_cache.delete("page")
    assert redis_cache.get("page") is None
