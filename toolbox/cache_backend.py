"""Django's Redis cache, made optional: while Redis does not answer, the site keeps serving.

Nothing the site needs to be right lives in the cache (sessions are in the database), so a
failed call is not an error page: it goes to a small cache of this process instead, where a
read finds nothing that was kept in Redis (a miss) and allauth's sign-in rate limits are counted
per process until Redis is back. After a failure Redis is left alone for ``RETRY_SECONDS``,
so that an unreachable server does not cost each request a connection timeout, and the failure
is logged at most once every ``LOG_SECONDS``.
"""

from __future__ import annotations

import logging
import threading
import time

from django.core.cache.backends import redis as django_redis
from django.core.cache.backends.locmem import LocMemCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

UNREACHABLE = (RedisConnectionError, RedisTimeoutError)


class RedisCache(django_redis.RedisCache):
    RETRY_SECONDS = 5.0
    LOG_SECONDS = 60.0

    def __init__(self, server, params):
        super().__init__(server, params)
        self._fallback = LocMemCache(f"redis-fallback-{id(self)}", {"TIMEOUT": params.get("TIMEOUT", 300)})
        self._lock = threading.Lock()
        self._retry_at = 0.0  # monotonic time before which Redis is not tried; 0 while it answers
        self._logged_at = float("-inf")

    def ping(self) -> None:
        """Ask Redis itself, whatever state this process thinks it is in; raises when it does not answer."""
        self._cache.get_client(write=True).ping()

    def _call(self, method: str, *args, **kwargs):
        if time.monotonic() >= self._retry_at:
            try:
                result = getattr(super(), method)(*args, **kwargs)
            except UNREACHABLE as exc:
                self._failed(exc)
            else:
                if self._retry_at:
                    self._recovered()
                return result
        return getattr(self._fallback, method)(*args, **kwargs)

    def _failed(self, exc: Exception) -> None:
        now = time.monotonic()
        with self._lock:
            self._retry_at = now + self.RETRY_SECONDS
            if now - self._logged_at < self.LOG_SECONDS:
                return
            self._logged_at = now
        logger.warning("The cache (Redis) does not answer (%s: %s): serving without it; sign-in rate limits "
                       "are counted per process until it is back.", exc.__class__.__name__, exc)

    def _recovered(self) -> None:
        with self._lock:
            self._retry_at = 0.0
        self._fallback.clear()  # what was counted here meanwhile is not carried over
        logger.warning("The cache (Redis) answers again.")

    def add(self, *args, **kwargs):
        return self._call("add", *args, **kwargs)

    def get(self, *args, **kwargs):
        return self._call("get", *args, **kwargs)

    def set(self, *args, **kwargs):
        return self._call("set", *args, **kwargs)

    def touch(self, *args, **kwargs):
        return self._call("touch", *args, **kwargs)

    def delete(self, *args, **kwargs):
        return self._call("delete", *args, **kwargs)

    def get_many(self, *args, **kwargs):
        return self._call("get_many", *args, **kwargs)

    def has_key(self, *args, **kwargs):
        return self._call("has_key", *args, **kwargs)

    def incr(self, *args, **kwargs):
        return self._call("incr", *args, **kwargs)

    def set_many(self, *args, **kwargs):
        return self._call("set_many", *args, **kwargs)

    def delete_many(self, *args, **kwargs):
        return self._call("delete_many", *args, **kwargs)

    def clear(self):
        return self._call("clear")
