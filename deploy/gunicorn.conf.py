"""gunicorn settings for a web node behind nginx (``deploy/entrypoint.sh web`` loads this file).

Every value can be set from the environment; the defaults suit one 2-core host."""

from __future__ import annotations

import multiprocessing
import os

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
# Heartbeat files: in a container, point this at memory (the image sets /dev/shm).
worker_tmp_dir = os.environ.get("GUNICORN_WORKER_TMP_DIR") or None
