"""The benchmark's yardstick: a plain WSGI callable (no Django), served by the same gunicorn
configuration as the app, so a page's throughput can be read as a share of what the server,
the loopback and wrk allow on this machine."""

from __future__ import annotations

BODY = b"ok"


def application(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(BODY)))])
    return [BODY]
