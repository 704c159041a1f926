"""The production stack of README › Deploying, brought up from the files it names: nginx with
deploy/nginx/mentorprogram.conf in front of two gunicorn web nodes, a Celery worker and beat,
all started by deploy/entrypoint.sh with DEBUG=0, on PostgreSQL and a Redis of its own.

Every process is a child of the test, in its own process group, and is ended by ``close()``.
Outside CI a missing nginx, Chromium, redis-server or PostgreSQL skips the test; under CI=true
it fails."""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import ssl
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings

from tests.browser.helpers import chromium_path
from tests.reminders.live import free_port

BASE_DIR = Path(settings.BASE_DIR)
ENTRYPOINT = BASE_DIR / "deploy" / "entrypoint.sh"
SITE_FILE = BASE_DIR / "deploy" / "nginx" / "mentorprogram.conf"
HOST = "localhost"


def unavailable(reason: str):
    if os.environ.get("CI", "").lower() in ("true", "1"):
        pytest.fail(f"{reason} (CI runs the production stack test)", pytrace=False)
    pytest.skip(reason)


def nginx_path() -> str | None:
    return shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if os.access(p, os.X_OK)), None)


def postgres_server_url() -> str:
    """The PostgreSQL server to make the stack's database on: DATABASE_URL's when it is PostgreSQL."""
    url = os.environ.get("DEPLOY_STACK_POSTGRES_URL") or os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        url = "postgres://postgres@127.0.0.1:5432/postgres"
    return url.rsplit("/", 1)[0]


def render_site(*, upstreams: list[int], https_port: int, http_port: int, cert: Path, key: Path,
                public: Path, logs: Path) -> str:
    """The README's site file with this machine's ports, certificate and folders put in."""
    text = SITE_FILE.read_text()
    replacements = [
        (r"^\s*server 127\.0\.0\.1:8000 (.*);$",
         "\n".join(f"    server 127.0.0.1:{port} \\1;" for port in upstreams)),
        (r"^\s*listen \[::\]:(80|443)( ssl)?;\n", ""),
        (r"^(\s*)listen 80;$", rf"\g<1>listen 127.0.0.1:{http_port};"),
        (r"^(\s*)listen 443 ssl;$", rf"\g<1>listen 127.0.0.1:{https_port} ssl;"),
        (r"/etc/ssl/mentorprogram/fullchain\.pem", str(cert)),
        (r"/etc/ssl/mentorprogram/privkey\.pem", str(key)),
        (r"root /srv/mentorprogram/public;", f"root {public};"),
        (r"/var/log/nginx/", f"{logs}/"),
    ]
    for pattern, replacement in replacements:
        text, count = re.subn(pattern, replacement, text, flags=re.MULTILINE)
        assert count, f"{SITE_FILE.name} no longer has {pattern!r}: update tests/deploy/stack.py with it"
    return text


def nginx_main_conf(*, prefix: Path, site: Path, logs: Path) -> str:
    """What Debian's /etc/nginx/nginx.conf gives a site, in a folder of the test's own."""
    temp = prefix / "temp"
    user = "user root root;\n" if os.geteuid() == 0 else ""  # the workers read the test's private temp folders
    return f"""{user}daemon off;
worker_processes 1;
pid {prefix}/nginx.pid;
error_log {logs}/nginx-main.error.log warn;
events {{ worker_connections 256; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    sendfile on;
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    include {site};
}}
"""


def make_certificate(folder: Path) -> tuple[Path, Path]:
    cert, key = folder / "fullchain.pem", folder / "privkey.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", f"/CN={HOST}",
         "-addext", f"subjectAltName=DNS:{HOST},IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True, timeout=60,
    )
    return cert, key


@dataclass
class Node:
    name: str
    port: int
    log: Path

    def request_ids(self) -> set[str]:
        return {line["request_id"] for line in json_lines(self.log) if line.get("logger") == "mentorprogram.request"}


def json_lines(path: Path) -> list[dict]:
    lines = []
    for raw in path.read_text(errors="replace").splitlines():
        if raw.startswith("{"):
            try:
                lines.append(json.loads(raw))
            except json.JSONDecodeError:
                continue
    return lines


@dataclass
class Stack:
    root: Path
    env: dict[str, str]
    https_port: int
    http_port: int
    cert: Path
    nodes: list[Node]
    database: str
    server_url: str
    logs: Path
    world: dict = field(default_factory=dict)
    processes: list[tuple[str, subprocess.Popen, object]] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"https://{HOST}:{self.https_port}"

    # --- processes ---------------------------------------------------------------------------
    def start(self, name: str, argv: list[str], env: dict[str, str] | None = None) -> subprocess.Popen:
        out = open(self.logs / f"{name}.log", "wb")  # noqa: SIM115  (closed in close())
        process = subprocess.Popen(argv, env=env or self.env, stdout=out, stderr=subprocess.STDOUT, cwd=BASE_DIR,
                                   start_new_session=True)
        self.processes.append((name, process, out))
        return process

    def run(self, *args: str, env: dict[str, str] | None = None, timeout: float = 120) -> str:
        done = subprocess.run([str(ENTRYPOINT), *args], env=env or self.env, cwd=BASE_DIR, capture_output=True,
                              text=True, timeout=timeout)
        assert done.returncode == 0, f"entrypoint.sh {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
        return done.stdout

    def check_alive(self) -> None:
        for name, process, _ in self.processes:
            if process.poll() is not None:
                raise AssertionError(f"{name} exited with {process.returncode}:\n{self.tail(name)}")

    def tail(self, name: str, lines: int = 40) -> str:
        path = self.logs / f"{name}.log"
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path.exists() else ""

    def close(self) -> None:
        for _, process, _ in reversed(self.processes):
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + 20
        for _, process, out in self.processes:
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
            out.close()
        self.processes.clear()
        drop_database(self.server_url, self.database)

    # --- requests ----------------------------------------------------------------------------
    def tls(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.cert))

    def get(self, path: str, headers: dict[str, str] | None = None):
        request = urllib.request.Request(self.url + path, headers=headers or {})  # noqa: S310  (https, ours)
        try:
            return urllib.request.urlopen(request, context=self.tls(), timeout=10)  # noqa: S310
        except urllib.error.HTTPError as answer:
            return answer

    def node_of(self, request_id: str | None, timeout: float = 5) -> str:
        """Which web node served the request with this id, read from the nodes' own request logs."""
        assert request_id, "the response carries no X-Request-ID"
        deadline = time.monotonic() + timeout
        while True:
            found = [node.name for node in self.nodes if request_id in node.request_ids()]
            if found or time.monotonic() > deadline:
                assert len(found) == 1, f"request {request_id} is logged by {found or 'no node'}"
                return found[0]
            time.sleep(0.1)


def psql(server_url: str, statement, params: tuple = ()) -> None:
    import psycopg

    with psycopg.connect(f"{server_url}/postgres", autocommit=True, connect_timeout=3) as conn:
        conn.execute(statement, params)


def drop_database(server_url: str, name: str) -> None:
    from psycopg import sql

    psql(server_url, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,))
    psql(server_url, sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))


def create_database(server_url: str, name: str) -> None:
    from psycopg import sql

    psql(server_url, sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def query(stack: Stack, sql: str, params: tuple = ()) -> list[tuple]:
    import psycopg

    with psycopg.connect(f"{stack.server_url}/{stack.database}", connect_timeout=3) as conn:
        return conn.execute(sql, params).fetchall()


def wait_until(predicate, timeout: float, interval: float = 0.2) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()


def bring_up(root: Path, smtp_port: int) -> Stack:
    """Start everything, as README › Deploying orders it: migrate and collect static files, then
    the web nodes (each refuses to start without the manifest), the worker and beat, then nginx."""
    nginx = nginx_path()
    if nginx is None:
        unavailable("no nginx found: install Debian's `nginx` package")
    if chromium_path() is None:
        unavailable("no Chromium found: install Debian's `chromium` package or set CHROMIUM_PATH")
    if shutil.which("openssl") is None:
        unavailable("no openssl found: install Debian's `openssl` package")
    redis_server = shutil.which("redis-server")
    if redis_server is None:
        unavailable("no redis-server found: install Debian's `redis-server` package")
    server_url = postgres_server_url()
    database = os.environ.get("DEPLOY_STACK_DB_NAME", "deploy_stack")
    if os.environ.get("PYTEST_XDIST_WORKER"):  # one stack per xdist worker that runs some of these tests
        database += "_" + os.environ["PYTEST_XDIST_WORKER"]
    try:
        drop_database(server_url, database)
        create_database(server_url, database)
    except Exception as exc:
        unavailable(f"needs PostgreSQL at {server_url} (set DEPLOY_STACK_POSTGRES_URL): {exc}")

    logs, public, prefix = root / "logs", root / "public", root / "nginx"
    for folder in (logs, public, prefix / "temp"):
        folder.mkdir(parents=True, exist_ok=True)
    cert, key = make_certificate(root)
    https_port, http_port, redis_port = free_port(), free_port(), free_port()
    env = {
        "PATH": f"{Path(sys.executable).parent}:{os.environ.get('PATH', '/usr/bin:/bin')}",
        "HOME": os.environ.get("HOME", str(root)),
        "LANG": "C.UTF-8",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": HOST,
        # The stack is served on a port other than 443, which the browser sends in Origin.
        "CSRF_TRUSTED_ORIGINS": f"https://{HOST}:{https_port}",
        "SITE_URL": f"https://{HOST}:{https_port}",
        "DATABASE_URL": f"{server_url}/{database}",
        "CACHE_URL": f"redis://127.0.0.1:{redis_port}/1",
        "CELERY_BROKER_URL": f"redis://127.0.0.1:{redis_port}/0",
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
        "BEHIND_PROXY": "1",
        "CONN_MAX_AGE": "60",
        "STATIC_ROOT": str(public / "static"),
        "WEB_CONCURRENCY": "1",
        "CELERY_CONCURRENCY": "1",
        "REMINDERS_DISPATCH_INTERVAL": "2",
    }
    nodes = [Node(name, free_port(), logs / f"{name}.log") for name in ("web-a", "web-b")]
    stack = Stack(root=root, env=env, https_port=https_port, http_port=http_port, cert=cert, nodes=nodes,
                  database=database, server_url=server_url, logs=logs)
    try:
        stack.start("redis", [redis_server, "--port", str(redis_port), "--bind", "127.0.0.1", "--save", "",
                              "--appendonly", "no"])
        migrate = subprocess.Popen([str(ENTRYPOINT), "migrate"], env=env, cwd=BASE_DIR,
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        stack.run("collectstatic", timeout=180)
        output, _ = migrate.communicate(timeout=180)
        assert migrate.returncode == 0, f"entrypoint.sh migrate failed:\n{output}"
        world = stack.run("manage", "shell", "-c", "from tests.deploy.world import build; build()")
        stack.world = json.loads(next(line for line in world.splitlines() if line.startswith("WORLD "))[6:])

        for node in nodes:
            stack.start(node.name, [str(ENTRYPOINT), "web"], env={**env, "GUNICORN_BIND": f"127.0.0.1:{node.port}"})
        stack.start("worker", [str(ENTRYPOINT), "worker"])
        stack.start("beat", [str(ENTRYPOINT), "beat"])
        for node in nodes:
            stack.run("healthcheck", "--wait", "60", env={**env, "GUNICORN_BIND": f"127.0.0.1:{node.port}"})

        site = prefix / "mentorprogram.conf"
        site.write_text(render_site(upstreams=[n.port for n in nodes], https_port=https_port, http_port=http_port,
                                    cert=cert, key=key, public=public, logs=logs))
        main = prefix / "nginx.conf"
        main.write_text(nginx_main_conf(prefix=prefix, site=site, logs=logs))
        nginx_argv = [nginx, "-p", str(prefix), "-c", str(main), "-e", str(logs / "nginx-main.error.log")]
        test = subprocess.run([*nginx_argv, "-t"], capture_output=True, text=True, timeout=30)
        assert test.returncode == 0, f"nginx refused the site file:\n{test.stderr}"
        stack.start("nginx", nginx_argv)
        assert wait_until(lambda: _answers(stack), timeout=20), "nginx did not answer:\n" + stack.tail("nginx")
        stack.check_alive()
    except BaseException:
        stack.close()
        raise
    return stack


def _answers(stack: Stack) -> bool:
    try:
        return stack.get("/healthz").status == 200
    except OSError:
        return False
