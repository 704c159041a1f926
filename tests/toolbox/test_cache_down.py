"""Redis is optional for serving pages: a real ``redis-server`` of the test's own, on a free port,
is stopped and started again under the signed-in people's feet."""

from __future__ import annotations

import logging
import os
import shutil
import socket
import subprocess
import time

import pytest
from django.conf import settings
from django.test import Client
from django.test.utils import override_settings
from django.urls import reverse
from django.utils import timezone

from community.models import Rsvp
from tests.factories import TEST_PASSWORD
from tests.factories.community import MeetingFactory, MeetingSeriesFactory
from tests.security import csrf_post
from toolbox.cache_backend import RedisCache

pytestmark = pytest.mark.services


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class OwnRedis:
    """A throw-away redis-server on ``port`` that keeps nothing on disk."""

    def __init__(self, port: int):
        self.port = port
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(  # noqa: S603
            [shutil.which("redis-server"), "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.05)
        raise RuntimeError(f"redis-server did not start on port {self.port}")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


@pytest.fixture
def own_redis(monkeypatch):
    if shutil.which("redis-server") is None:
        if os.environ.get("CI"):
            pytest.fail("CI needs redis-server to stop and start a Redis of the test's own")
        pytest.skip("needs redis-server (apt-get install redis-server)")
    server = OwnRedis(_free_port())
    server.start()
    monkeypatch.setattr(RedisCache, "RETRY_SECONDS", 0.0)  # try Redis again on the next call
    caches = {"default": {"BACKEND": "toolbox.cache_backend.RedisCache",
                          "LOCATION": f"redis://127.0.0.1:{server.port}/0",
                          "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.5}}}
    with override_settings(CACHES=caches):
        yield server
    server.stop()


def sign_in(client: Client, user):
    return csrf_post(client, reverse("account_login"), {"login": user.email, "password": TEST_PASSWORD})


def health(client: Client):
    response = client.get("/healthz")
    assert response["Content-Type"] == "application/json"
    return response.status_code, response.json()


def test_it_keeps_serving_signed_in_people_while_redis_is_down_and_says_so_in_healthz(
    own_redis, program, mentor, other_mentor, caplog,
):
    meeting = MeetingFactory(series=MeetingSeriesFactory(program=program),
                             starts_at=timezone.now() + timezone.timedelta(days=3))
    client = Client(enforce_csrf_checks=True)
    assert sign_in(client, mentor).status_code == 302
    assert health(client) == (200, {"database": "ok", "cache": "ok", "broker": "ok"})

    own_redis.stop()
    with caplog.at_level(logging.WARNING, logger="toolbox.cache_backend"):
        for url in ("/", reverse("community:detail", args=[program.slug]),
                    reverse("community:meeting", args=[meeting.pk]), reverse("profile")):
            assert client.get(url).status_code == 200, url
        newcomer = Client(enforce_csrf_checks=True)
        assert sign_in(newcomer, other_mentor).status_code == 302
        assert newcomer.get("/").status_code == 200
        answered = csrf_post(client, reverse("community:meeting_rsvp", args=[meeting.pk]), {"answer": "yes"},
                             form_page=reverse("community:meeting", args=[meeting.pk]))
        assert answered.status_code == 302
        assert Rsvp.objects.get(meeting=meeting, user=mentor).answer == "yes"
        status, state = health(client)
        assert status == 503
        assert state["database"] == "ok" and state["broker"] == "ok" and state["cache"] != "ok"
    down_warnings = [r for r in caplog.records if "does not answer" in r.getMessage()]
    assert len(down_warnings) == 1  # once a minute, not once a request

    own_redis.start()
    deadline = time.monotonic() + 5
    while health(client)[0] != 200 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert health(client) == (200, {"database": "ok", "cache": "ok", "broker": "ok"})
    assert client.get("/").status_code == 200


def test_it_counts_failed_sign_ins_per_process_while_redis_is_down(own_redis, mentor):
    own_redis.stop()
    for n in range(5):
        response = csrf_post(Client(enforce_csrf_checks=True, REMOTE_ADDR=f"10.0.0.{n + 1}"),
                             reverse("account_login"), {"login": mentor.email, "password": "wrong"})
        assert response.status_code == 200 and response.context["form"].errors
    response = sign_in(Client(enforce_csrf_checks=True, REMOTE_ADDR="10.0.0.99"), mentor)
    assert "Too many failed login attempts" in response.content.decode()


def test_a_redis_cache_url_gets_the_optional_backend_and_sessions_stay_in_the_database():
    import json
    import sys

    code = ("import json, django; django.setup(); from django.conf import settings as s; "
            "print(json.dumps([s.CACHES['default'], s.SESSION_ENGINE]))")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "CACHE_URL": "redis://127.0.0.1:6379/13"}
    env.pop("SESSION_ENGINE", None)
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=settings.BASE_DIR, capture_output=True,  # noqa: S603
                         text=True, check=True).stdout
    cache, sessions = json.loads(out.strip().splitlines()[-1])
    assert cache["BACKEND"] == "toolbox.cache_backend.RedisCache"
    assert cache["OPTIONS"]["socket_connect_timeout"] <= 1
    assert sessions == "django.contrib.sessions.backends.db"
