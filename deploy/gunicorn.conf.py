"""gunicorn settings for a web node behind nginx (``deploy/entrypoint.sh web`` loads this file).

Every value can be set from the environment; the defaults suit one 2-core host."""

from __future__ import annotations

import datetime as dt
import json
import logging
import multiprocessing
import os
import sys

from gunicorn.glogging import Logger

# Where this node listens: nginx's upstream names it. 127.0.0.1 when nginx is on the same host;
# 0.0.0.0 in a container or when nginx is on another host (then firewall the port).
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Sync workers: each request holds one process, nginx buffers slow clients. 2 × cores + 1.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"
# A request taking longer than this is killed (the worker is restarted); nginx waits longer.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 30))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", 30))
# nginx keeps connections to the upstream open (keepalive in the upstream block).
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", 5))
# Recycle workers now and then, so a slow leak never grows unbounded.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", 2000))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", 200))
# Only the proxy may say the request came over HTTPS (X-Forwarded-Proto) or from whom.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
secure_scheme_headers = {"X-FORWARDED-PROTO": "https"}
# The app logs one JSON line per request (mentorprogram.request); gunicorn's own access log
# would repeat it without the request id or user.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
proc_name = os.environ.get("GUNICORN_PROC_NAME", "mentorprogram-web")
# gunicorn's control socket (``gunicornc``) is off unless given a path: its default lives in
# $HOME, which a unit with ProtectHome cannot write and which two nodes on one host would share.
if os.environ.get("GUNICORN_CONTROL_SOCKET"):
    control_socket = os.environ["GUNICORN_CONTROL_SOCKET"]
else:
    control_socket_disable = True
# Heartbeat files: in a container, point this at memory (the image sets /dev/shm).
worker_tmp_dir = os.environ.get("GUNICORN_WORKER_TMP_DIR") or None


class JsonLinesFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return json.dumps({
            "time": dt.datetime.fromtimestamp(record.created, tz=dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname, "logger": record.name, "message": record.getMessage(),
        })


class JsonLogger(Logger):
    """gunicorn's own lines (start, worker boots, timeouts) as JSON on stdout, like the app's."""

    def setup(self, cfg):
        super().setup(cfg)
        for handler in self.error_log.handlers:
            handler.setFormatter(JsonLinesFormatter())
            if isinstance(handler, logging.StreamHandler) and handler.stream is sys.stderr:
                handler.setStream(sys.stdout)


# The same switch as the app's settings: JSON unless DEBUG is on, or as LOG_FORMAT says.
_debug = os.environ.get("DEBUG", "1").strip().lower() in ("1", "true", "yes", "on", "y", "ok")
if os.environ.get("LOG_FORMAT", "console" if _debug else "json") == "json":
    logger_class = JsonLogger
