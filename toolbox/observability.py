"""Structured logs and error reporting for production.

* ``JsonFormatter`` writes one JSON object per line (``LOG_FORMAT=json``, the default with
  ``DEBUG`` off); ``ConsoleFormatter`` keeps the development console readable.
* ``RequestLogMiddleware`` logs one line per request with its request id (the ``X-Request-ID``
  the proxy sent, or a new one), method, route, status, duration and the user's id. It never
  logs an email address, a query string or a form field: a resolved request is named by its URL
  pattern (``reminders/rsvp/<str:token>/<str:answer>/``), not by its path.
* ``connect_celery(app)`` gives Celery's worker and beat the same logging, one line per task
  with the id of the request that queued it.
* ``init_sentry(dsn)`` reports errors to Sentry with private fields scrubbed.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import json
import logging
import re
import time
import uuid

request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)

# What the proxy may hand us as a request id: nginx's $request_id is 32 hex digits.
REQUEST_ID_PATTERN = re.compile(r"^[A-Za-z0-9._-]{8,128}$")
EMAIL_PATTERN = re.compile(r"[^\s@/<>\"']+@[^\s@/<>\"']+\.[A-Za-z]{2,}")
REDACTED = "[redacted]"

# Attributes every LogRecord has; anything else was passed in ``extra`` and goes into the line.
_RECORD_ATTRIBUTES = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}


def redact_emails(text: str) -> str:
    return EMAIL_PATTERN.sub(REDACTED, text)


class RequestIdFilter(logging.Filter):
    """Adds the current request's id to every record logged while it is handled."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None) is None:
            record.request_id = request_id_var.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message and the record's extra fields."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": dt.datetime.fromtimestamp(record.created, tz=dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": redact_emails(record.getMessage()),
        }
        if getattr(record, "request_id", None) is None:
            record.request_id = request_id_var.get()
        for key, value in vars(record).items():
            if key not in _RECORD_ATTRIBUTES and not key.startswith("_"):
                plain = value is None or isinstance(value, int | float | bool)
                line[key] = value if plain else redact_emails(str(value))
        if record.exc_info:
            line["exception"] = redact_emails(self.formatException(record.exc_info))
        return json.dumps(line, ensure_ascii=False)


class ConsoleFormatter(logging.Formatter):
    """The development console: time, level, logger and message, with the request id if any."""

    def __init__(self):
        super().__init__("%(asctime)s %(levelname)-7s %(name)s %(message)s", datefmt="%H:%M:%S")


def route_of(request) -> str:
    match = getattr(request, "resolver_match", None)
    if match is not None and match.route:
        return "/" + match.route.lstrip("^").rstrip("$").lstrip("/")
    return redact_emails(request.path_info)[:200]


class RequestLogMiddleware:
    """Logs every request once, after its answer, as ``mentorprogram.request``; sends the request
    id back in ``X-Request-ID``. Put it first in ``MIDDLEWARE`` so that its duration covers the
    whole stack."""

    logger = logging.getLogger("mentorprogram.request")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        offered = request.headers.get("X-Request-ID", "")
        request_id = offered if REQUEST_ID_PATTERN.match(offered) else uuid.uuid4().hex
        request.request_id = request_id
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
        except Exception:
            self._log(request, 500, started)
            raise
        else:
            response["X-Request-ID"] = request_id
            self._log(request, response.status_code, started)
            return response
        finally:
            request_id_var.reset(token)

    def _log(self, request, status: int, started: float) -> None:
        duration_ms = round((time.perf_counter() - started) * 1000, 1)
        user = getattr(request, "user", None)
        user_id = user.pk if user is not None and getattr(user, "is_authenticated", False) else None
        route = route_of(request)
        level = logging.ERROR if status >= 500 else logging.INFO
        self.logger.log(level, "%s %s %s %sms", request.method, route, status, duration_ms, extra={
            "request_id": request.request_id, "method": request.method, "route": route, "status": status,
            "duration_ms": duration_ms, "user_id": user_id,
        })


# --- Celery ----------------------------------------------------------------------------------
_task_started: dict[str, tuple[float, contextvars.Token]] = {}


def connect_celery(app) -> None:
    """Workers and beat log through Django's ``LOGGING`` (so JSON in production) and log each
    task once it ends, with the id of the request that queued it."""
    from celery import signals

    task_logger = logging.getLogger("mentorprogram.task")

    @signals.setup_logging.connect(weak=False)
    def use_django_logging(**kwargs):
        import logging.config

        from django.conf import settings

        logging.config.dictConfig(settings.LOGGING)

    @signals.before_task_publish.connect(weak=False)
    def pass_request_id(headers=None, **kwargs):
        request_id = request_id_var.get()
        if headers is not None and request_id and "request_id" not in headers:
            headers["request_id"] = request_id

    @signals.task_prerun.connect(weak=False)
    def task_started(task_id=None, task=None, **kwargs):
        # A worker puts a message's own headers on the request; ``apply()`` keeps them in ``headers``.
        request = task.request if task is not None else None
        request_id = getattr(request, "request_id", None) or (getattr(request, "headers", None) or {}).get("request_id")
        _task_started[task_id] = (time.perf_counter(), request_id_var.set(request_id or task_id))

    @signals.task_postrun.connect(weak=False)
    def task_ended(task_id=None, task=None, state=None, **kwargs):
        started, token = _task_started.pop(task_id, (None, None))
        duration_ms = round((time.perf_counter() - started) * 1000, 1) if started is not None else None
        name = getattr(task, "name", "?")
        task_logger.info("task %s %s %sms", name, state, duration_ms, extra={
            "task": name, "task_id": task_id, "status": state, "duration_ms": duration_ms,
        })
        if token is not None:
            request_id_var.reset(token)


# --- Sentry ----------------------------------------------------------------------------------
# Fields whose values never leave the process, wherever they appear in an event.
PRIVATE_FIELDS = [
    "email", "emails", "name", "first_name", "last_name", "full_name", "answers", "answer", "notes", "note",
    "minutes", "body", "text", "comment", "reflection", "payload", "token", "key", "file", "csrfmiddlewaretoken",
    "password", "password1", "password2", "oldpassword", "sessionid", "csrftoken", "cookie", "authorization",
]


def scrub_event(event: dict, hint: dict | None = None) -> dict:
    """Sentry's ``before_send``: no request body, cookies, query string or user details, and no
    email address anywhere in a message or an exception's text."""
    request = event.get("request")
    if isinstance(request, dict):
        for key in ("data", "cookies", "query_string", "env"):
            request.pop(key, None)
        headers = request.get("headers")
        if isinstance(headers, dict):
            request["headers"] = {k: v for k, v in headers.items() if k.lower() not in ("cookie", "authorization")}
    user = event.get("user")
    if isinstance(user, dict):
        event["user"] = {"id": user["id"]} if "id" in user else {}
    return _redact_strings(event)


def _redact_strings(value):
    if isinstance(value, str):
        return redact_emails(value)
    if isinstance(value, dict):
        return {k: _redact_strings(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_redact_strings(v) for v in value]
    return value


def init_sentry(dsn: str, *, environment: str | None = None, release: str | None = None,
                traces_sample_rate: float = 0.0, transport=None) -> None:
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration
    from sentry_sdk.scrubber import DEFAULT_DENYLIST, EventScrubber

    options = {}
    if transport is not None:
        options["transport"] = transport
    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        release=release,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        max_request_body_size="never",
        include_local_variables=False,
        event_scrubber=EventScrubber(denylist=DEFAULT_DENYLIST + PRIVATE_FIELDS, recursive=True),
        before_send=scrub_event,
        traces_sample_rate=traces_sample_rate,
        **options,
    )
