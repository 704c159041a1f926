"""Request bodies over ``MAX_REQUEST_BODY_BYTES`` are refused with 413 before they are read: a
real server is sent a multipart upload declared at 200 MB of which only the first megabyte is
ever sent; the answer comes at once and nothing reaches the disk."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings as django_settings
from django.urls import reverse

from tests.migrated_data import restore_migrated_data

DECLARED = 200 * 1024 * 1024
BOUNDARY = "----mentorprogram-test-boundary"


@pytest.fixture(scope="module", autouse=True)
def _put_back_the_migrated_data(django_db_setup, django_db_blocker):
    """The live server's tests end by emptying the tables; put back what the migrations made, so
    that later tests restoring that state themselves find no duplicates."""
    yield
    with django_db_blocker.unblock():
        restore_migrated_data()


@pytest.fixture
def upload_dir(settings, tmp_path):
    folder = tmp_path / "uploads"
    folder.mkdir()
    settings.FILE_UPLOAD_TEMP_DIR = str(folder)
    return folder


# A CSRF cookie of the right form, as a browser that loaded the form holds: without one the CSRF
# check refuses before it looks at the body, and the test would prove nothing.
CSRF_COOKIE = "A" * 32


def multipart_head(host: str, path: str, content_length: int) -> bytes:
    part = (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.csv\"\r\n"
            "Content-Type: text/csv\r\n\r\n")
    return (f"POST {path} HTTP/1.1\r\nHost: {host}\r\nCookie: csrftoken={CSRF_COOKIE}\r\n"
            f"Content-Type: multipart/form-data; boundary={BOUNDARY}\r\n"
            f"Content-Length: {content_length}\r\n\r\n{part}").encode()


def send_and_read_answer(url: str, head: bytes, body: bytes, *, timeout: float = 10) -> bytes:
    """Send ``head`` and ``body`` from a thread (the server may never read them) and return what
    the server answers, or what it had answered after ``timeout`` seconds."""
    parts = urlsplit(url)
    sock = socket.create_connection((parts.hostname, parts.port), timeout=timeout)

    def send():
        try:
            sock.sendall(head)
            sock.sendall(body)
        except OSError:
            pass  # the server answered and closed without reading: what we want

    sender = threading.Thread(target=send, daemon=True)
    sender.start()
    answer = b""
    try:
        while b"\r\n\r\n" not in answer:
            chunk = sock.recv(65536)
            if not chunk:
                break
            answer += chunk
    except OSError:  # timed out, or reset by a server closing with our body unread
        pass
    finally:
        sock.close()
        sender.join(timeout=5)
    return answer


@pytest.mark.parametrize("path", ["/accounts/login/", "/admin/mentorprogram/membership/import/", "/no/such/page/"])
def test_it_refuses_a_200_mb_upload_at_once_without_reading_it(live_server, upload_dir, path):
    head = multipart_head(urlsplit(live_server.url).netloc, path, DECLARED)
    answer = send_and_read_answer(live_server.url, head, b"x" * (1024 * 1024))
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert list(upload_dir.iterdir()) == []


def test_it_never_reads_a_chunked_body_that_declares_no_length(live_server, upload_dir):
    host = urlsplit(live_server.url).netloc
    head = (f"POST /accounts/login/ HTTP/1.1\r\nHost: {host}\r\nTransfer-Encoding: chunked\r\n"
            f"Cookie: csrftoken={CSRF_COOKIE}\r\n"
            f"Content-Type: multipart/form-data; boundary={BOUNDARY}\r\n\r\n").encode()
    chunk = b"x" * 65536
    body = (f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n") * 32
    answer = send_and_read_answer(live_server.url, head, body)
    status = int(answer.split(b" ", 2)[1])
    assert 400 <= status < 500  # the CSRF check refuses the (empty, to Django) form
    assert list(upload_dir.iterdir()) == []


def test_it_lets_a_body_within_the_limit_through(client, settings, db):
    settings.MAX_REQUEST_BODY_BYTES = 4096
    url = reverse("account_login")
    assert client.post(url, {"login": "someone@example.org", "password": "x" * 3000}).status_code == 200
    response = client.post(url, {"login": "someone@example.org", "password": "x" * 5000})
    assert response.status_code == 413
    assert response["Content-Type"].startswith("text/plain")


def test_it_reads_the_limit_from_the_environment_with_10_mb_by_default():
    root = Path(django_settings.BASE_DIR)
    code = "from django.conf import settings; print(settings.MAX_REQUEST_BODY_BYTES)"
    clean = {k: v for k, v in os.environ.items() if k != "MAX_REQUEST_BODY_MB"}

    def limit(**env):
        result = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, timeout=60,
                                env={**clean, "DJANGO_SETTINGS_MODULE": "config.settings", **env})
        assert result.returncode == 0, result.stderr
        return int(result.stdout)

    assert limit() == 10 * 1024 * 1024
    assert limit(MAX_REQUEST_BODY_MB="3") == 3 * 1024 * 1024


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def gunicorn(tmp_path):
    """The app under gunicorn with production settings, as the Procfile runs it; uploads would go
    to its own TMPDIR."""
    uploads, worker_tmp = tmp_path / "tmp", tmp_path / "worker"
    uploads.mkdir()
    worker_tmp.mkdir()
    port = free_port()
    env = {**os.environ, "DEBUG": "0", "SECRET_KEY": "g" * 60, "ALLOWED_HOSTS": "127.0.0.1",
           "SECURE_SSL_REDIRECT": "0", "TMPDIR": str(uploads), "VAR_DIR": str(tmp_path / "var")}
    env.pop("MAX_REQUEST_BODY_MB", None)
    bin_dir = Path(sys.executable).parent
    server = subprocess.Popen([str(bin_dir / "gunicorn"), "config.wsgi", "--bind", f"127.0.0.1:{port}",
                               "--workers", "1", "--worker-tmp-dir", str(worker_tmp)],
                              cwd=django_settings.BASE_DIR, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        for _ in range(300):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if server.poll() is not None:
                    pytest.fail(f"gunicorn did not start: {server.stderr.read().decode()[-2000:]}")
                threading.Event().wait(0.1)
        yield f"http://127.0.0.1:{port}", uploads
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_gunicorn_with_production_settings_refuses_a_200_mb_upload_at_once(gunicorn):
    url, uploads = gunicorn
    head = multipart_head("127.0.0.1", "/accounts/login/", DECLARED)
    answer = send_and_read_answer(url, head, b"x" * (1024 * 1024))
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert list(uploads.iterdir()) == []
