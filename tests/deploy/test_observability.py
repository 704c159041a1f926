"""Structured logs (one JSON line per request and per task, with a request id and no private
text) and Sentry reporting with private fields scrubbed, captured in-process."""

from __future__ import annotations

import json
import logging

import pytest
from celery import signals

from tests.factories import TEST_PASSWORD
from toolbox import observability


def json_lines(caplog, logger: str) -> list[dict]:
    formatter = observability.JsonFormatter()
    return [json.loads(formatter.format(r)) for r in caplog.records if r.name == logger]


@pytest.mark.django_db
def test_it_logs_one_json_line_per_request_with_its_id_status_duration_and_user_id(client, mentor, caplog):
    client.force_login(mentor)
    with caplog.at_level(logging.INFO, logger="mentorprogram.request"):
        response = client.get("/profile/?q=" + mentor.email, headers={"X-Request-ID": "0123456789abcdef0123"})
    assert response.status_code == 200
    assert response["X-Request-ID"] == "0123456789abcdef0123"
    (line,) = json_lines(caplog, "mentorprogram.request")
    assert line["request_id"] == "0123456789abcdef0123"
    assert line["status"] == 200 and line["method"] == "GET" and line["route"] == "/profile/"
    assert line["user_id"] == mentor.pk
    assert isinstance(line["duration_ms"], float)
    assert line["level"] == "INFO" and line["logger"] == "mentorprogram.request"
    assert mentor.email not in json.dumps(line)


@pytest.mark.django_db
def test_it_names_a_request_by_its_route_so_tokens_and_addresses_stay_out_of_the_log(client, caplog):
    with caplog.at_level(logging.INFO, logger="mentorprogram.request"):
        client.get("/reminders/rsvp/secret-token-value/yes/", headers={"X-Request-ID": "bad id with spaces"})
        client.get("/no/such/page/ana@example.edu/")
    rsvp, missing = json_lines(caplog, "mentorprogram.request")
    assert rsvp["route"] == "/rsvp/<str:token>/<str:answer>/" or rsvp["route"].endswith("<str:token>/<str:answer>/")
    assert "secret-token-value" not in json.dumps(rsvp)
    assert rsvp["request_id"] != "bad id with spaces" and len(rsvp["request_id"]) == 32
    assert missing["status"] == 404 and "ana@example.edu" not in json.dumps(missing)


def test_it_redacts_email_addresses_in_any_logged_message():
    record = logging.LogRecord("app", logging.WARNING, __file__, 1, "no mailbox for %s", ("ana@example.edu",), None)
    line = json.loads(observability.JsonFormatter().format(record))
    assert line["message"] == "no mailbox for [redacted]"


@pytest.mark.django_db
def test_it_logs_a_task_in_the_same_shape_with_the_request_id_that_queued_it(caplog):
    from reminders.tasks import dispatch

    headers: dict = {}
    token = observability.request_id_var.set("feedfacefeedface")
    try:
        signals.before_task_publish.send(sender=dispatch.name, headers=headers, body=None)
    finally:
        observability.request_id_var.reset(token)
    assert headers["request_id"] == "feedfacefeedface"

    with caplog.at_level(logging.INFO, logger="mentorprogram.task"):
        dispatch.apply(headers=headers)
    (line,) = json_lines(caplog, "mentorprogram.task")
    assert line["task"] == "reminders.tasks.dispatch" and line["status"] == "SUCCESS"
    assert line["request_id"] == "feedfacefeedface"
    assert isinstance(line["duration_ms"], float) and line["task_id"]


class CapturingTransport:
    """A Sentry transport that keeps the events in memory instead of sending them anywhere."""

    def __new__(cls, *args, **kwargs):
        from sentry_sdk.transport import Transport

        class _Capturing(Transport):
            def __init__(self, options=None):
                super().__init__(options)
                self.events: list[dict] = []

            def capture_envelope(self, envelope):
                for item in envelope.items:
                    if item.type == "event":
                        self.events.append(item.payload.json)

            def flush(self, timeout, callback=None):
                return None

            def kill(self):
                return None

        return _Capturing(*args, **kwargs)


@pytest.fixture
def sentry_events():
    import sentry_sdk

    transport = CapturingTransport()
    observability.init_sentry("https://public@sentry.invalid/1", transport=transport)
    yield transport.events
    sentry_sdk.get_client().close()
    sentry_sdk.init()  # no DSN: nothing is reported by later tests


@pytest.mark.django_db
def test_it_reports_an_error_to_sentry_without_the_private_fields(client, mentor, settings, sentry_events):
    settings.ROOT_URLCONF = "tests.deploy.boom_urls"
    client.force_login(mentor)
    client.raise_request_exception = False
    response = client.post("/boom/", {"email": "ana@example.edu", "notes": "my private reflection",
                                      "password": TEST_PASSWORD})
    assert response.status_code == 500
    (error,) = [e for e in sentry_events if e.get("exception")]
    assert error["exception"]["values"][-1]["type"] == "ValueError"
    assert "boom" in error["transaction"] and not error.get("user")
    text = json.dumps(sentry_events)
    for private in ("ana@example.edu", "my private reflection", TEST_PASSWORD, mentor.email):
        assert private not in text
    assert "data" not in error.get("request", {}) and "cookies" not in error.get("request", {})
    assert "[redacted]" in text
