"""The outbox's rules, one by one: how a mail server's answer is read, the settings it refuses,
the headers every automatic email carries, the unsubscribe link, plain-text subjects."""

from __future__ import annotations

import smtplib

import pytest
from django.core import mail
from django.urls import reverse

from accountability import nudges
from mentorprogram.models import OutboundEmail
from mentorprogram.outbox import outbox_send, outbox_sweep
from mentorprogram.outbox.headers import unsubscribe_token, unsubscribe_url
from mentorprogram.outbox.sending import classify
from tests.factories.accountability import AccountabilityPlanFactory, PlanItemFactory
from tests.factories.core import OutboundEmailFactory
from tests.reminders.live import point_mail_at, smtp_sink
from toolbox.checks import check_outbox_claim_timeout

pytestmark = pytest.mark.django_db

Status = OutboundEmail.Status


@pytest.mark.parametrize(("error", "verdict"), [
    (smtplib.SMTPRecipientsRefused({"a@x.test": (550, b"5.1.1 No such mailbox")}), "failed"),
    (smtplib.SMTPRecipientsRefused({"a@x.test": (452, b"4.2.2 Mailbox full")}), "retry"),
    (smtplib.SMTPDataError(554, b"5.7.1 Rejected"), "failed"),
    (smtplib.SMTPDataError(451, b"4.3.0 Try later"), "retry"),
    (smtplib.SMTPSenderRefused(421, b"4.7.0 Closing", "noreply@example.org"), "retry"),
    (smtplib.SMTPServerDisconnected("Connection unexpectedly closed: timed out"), "retry"),
    (ConnectionRefusedError(111, "Connection refused"), "unreachable"),
    (TimeoutError("timed out"), "unreachable"),
])
def test_5xx_answers_are_final_and_4xx_and_network_trouble_are_retried(error, verdict):
    assert classify(error).verdict == verdict


@pytest.mark.parametrize("error", [smtplib.SMTPServerDisconnected("Connection unexpectedly closed: timed out"),
                                   TimeoutError("timed out"), ConnectionResetError(104, "reset")])
def test_silence_after_the_whole_message_went_out_counts_as_sent(error):
    """The server had the message; only its 250 was late or lost. Sending again would double it."""
    outcome = classify(error, content_handed_over=True)
    assert outcome.verdict == "sent" and "counted as sent" in outcome.error


def test_a_negative_answer_after_the_message_is_still_a_refusal():
    assert classify(smtplib.SMTPDataError(550, b"5.7.1 Spam"), content_handed_over=True).verdict == "failed"


def test_the_system_check_refuses_a_claim_timeout_a_batch_can_outlast(settings):
    settings.CELERY_TASK_TIME_LIMIT = 180
    settings.REMINDERS_CLAIM_TIMEOUT = 600
    assert check_outbox_claim_timeout(None) == []
    settings.REMINDERS_CLAIM_TIMEOUT = 180
    [error] = check_outbox_claim_timeout(None)
    assert error.id == "mentorprogram.E002" and "twice" in error.msg


def test_the_configured_claim_timeout_outlasts_the_hard_limit(settings):
    assert settings.REMINDERS_CLAIM_TIMEOUT > settings.CELERY_TASK_TIME_LIMIT


def test_the_message_id_is_on_the_sites_domain_and_the_same_on_every_attempt(settings):
    settings.SITE_URL = "https://mentoring.example.edu"
    email = OutboundEmailFactory(to_address="someone@med.example.edu")
    with smtp_sink() as sink:
        point_mail_at(settings, sink.port)
        sink.refuse_first_share = 1.0  # 451 to the first attempt
        first = outbox_send(ids=[email.pk], claim_token="one")
        assert first.retry and sink.accepted == []
        email.refresh_from_db()
        outbox_send(ids=[email.pk], claim_token="two", now=email.next_attempt_at)
    [received] = sink.accepted
    assert received["Message-ID"] == f"<account.{email.pk}@mentoring.example.edu>"
    assert sink.answered_451 == {received["Message-ID"]}
    assert received["Auto-Submitted"] == "auto-generated"
    email.refresh_from_db()
    assert (email.status, email.attempts, email.message_id) == (Status.SENT, 2, received["Message-ID"])


def test_the_batchs_prepared_sent_mark_writes_what_the_orms_update_writes_and_only_under_its_claim():
    """Compiled once per batch, the "sent" mark must leave a row as the ORM's own UPDATE of it
    does, and, like it, leave alone a row whose claim is no longer the batch's."""
    from django.forms.models import model_to_dict
    from django.utils import timezone

    from mentorprogram.outbox import headers
    from mentorprogram.outbox.sending import _mine, _sent_values, _SentMark, claim

    ours, by_orm, taken = (OutboundEmailFactory(to_address=f"{n}@example.org") for n in "abc")
    claim(ids=[ours.pk, by_orm.pk, taken.pk], claim_token="batch", now=timezone.now())
    OutboundEmail.objects.filter(pk=taken.pk).update(claim_token="someone-else")
    message = mail.EmailMessage(subject="Hello", to=["a@example.org"])
    mark = _SentMark("batch")
    mark(ours, message, note="late answer")
    mark(taken, message)
    _mine([by_orm.pk], "batch").update(**_sent_values(by_orm, message, "late answer"))
    ours, by_orm, taken = (OutboundEmail.objects.get(pk=e.pk) for e in (ours, by_orm, taken))
    assert ours.status == Status.SENT and ours.message_id == headers.message_id(ours) and ours.sent_at
    differ = {"id", "dedupe_key", "message_id", "sent_at", "created_at", "user"}
    assert {k: v for k, v in model_to_dict(ours).items() if k not in differ} == {
        k: v for k, v in model_to_dict(by_orm).items() if k not in differ}
    assert (taken.status, taken.sent_at) == (Status.SENDING, None)


def test_the_sweep_hands_out_a_row_whose_task_was_lost_only_after_the_claim_timeout(settings, monkeypatch):
    from mentorprogram.outbox import queueing

    published = []
    monkeypatch.setattr(queueing, "publish", lambda batches, countdown=None: published.extend(batches))
    email = OutboundEmailFactory()
    import datetime as dt

    assert outbox_sweep(now=email.created_at + dt.timedelta(minutes=5))["queued"] == 0
    later = email.created_at + dt.timedelta(seconds=settings.REMINDERS_CLAIM_TIMEOUT + 1)
    assert outbox_sweep(now=later) == {"recovered": 0, "requeued": 1, "queued": 1}
    assert published == [[email.pk]]
    assert outbox_sweep(now=later)["queued"] == 0  # queued again just now: not lost yet


@pytest.fixture
def nudged(program, mentor, send_inline, django_capture_on_commit_callbacks):
    """A mentor nudged about an overdue item whose title a template would HTML-escape."""
    import datetime as dt

    plan = AccountabilityPlanFactory(program=program, mentor=mentor)
    PlanItemFactory(plan=plan, title="Attend the teaching academy's workshop", due_on=dt.date(2026, 3, 20))
    send_inline.now = dt.datetime(2026, 3, 31, 18, 0, tzinfo=dt.UTC)
    with django_capture_on_commit_callbacks(execute=True):
        nudges.nudges_dispatch(now=send_inline.now)
    [message] = mail.outbox
    return message


def test_subjects_are_plain_text(nudged):
    assert "academy's workshop" in nudged.subject and "&#x27;" not in nudged.subject


def test_the_one_click_unsubscribe_turns_nudges_off_by_post_without_a_session(client, nudged, mentor):
    link = nudged.extra_headers["List-Unsubscribe"].strip("<>")
    assert nudged.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    path = link.split("127.0.0.1:8000", 1)[1]
    client.handler.enforce_csrf_checks = True  # a mail provider has neither cookie nor token
    response = client.post(path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200
    mentor.refresh_from_db()
    assert mentor.nudges_opt_out and not mentor.reminders_opt_out


def test_the_unsubscribe_page_only_asks_on_get(client, mentor):
    url = reverse("unsubscribe", args=[unsubscribe_token(user_id=mentor.pk, topic="reminders")])
    response = client.get(url)
    assert response.status_code == 200 and b"Stop meeting reminder emails?" in response.content
    mentor.refresh_from_db()
    assert not mentor.reminders_opt_out
    assert b"you will receive no more meeting reminder emails" in client.post(url).content
    mentor.refresh_from_db()
    assert mentor.reminders_opt_out
    assert client.post(url).status_code == 200  # again: nothing more to do


def test_a_forged_or_altered_unsubscribe_link_is_404_and_changes_nothing(client, mentor, other_mentor):
    token = unsubscribe_token(user_id=mentor.pk, topic="reminders")
    forged = token.replace(token.split(":")[0], unsubscribe_token(user_id=other_mentor.pk, topic="x").split(":")[0])
    for bad in ("nonsense", token[:-2] + "xx", forged):
        assert client.post(reverse("unsubscribe", args=[bad])).status_code == 404
    mentor.refresh_from_db()
    other_mentor.refresh_from_db()
    assert not mentor.reminders_opt_out and not other_mentor.reminders_opt_out
    assert unsubscribe_url(user_id=mentor.pk, topic="reminders").startswith("http://127.0.0.1:8000/unsubscribe/")


def test_the_admin_lists_every_failed_email_with_the_servers_words_and_sends_it_again(
    client, coordinator, program, other_program, monkeypatch,
):
    from mentorprogram.outbox import queueing

    ours = OutboundEmailFactory(program=program, failed=True, kind=OutboundEmail.Kind.INVITATION)
    OutboundEmailFactory(program=other_program, failed=True, last_error="Another program's words")
    published = []
    monkeypatch.setattr(queueing, "publish", lambda batches, countdown=None: published.extend(batches))
    client.force_login(coordinator)
    changelist = reverse("admin:mentorprogram_outboundemail_changelist")
    body = client.get(changelist + "?status__exact=failed").content.decode()
    assert "550 5.1.1 No such mailbox here" in body and "Another program" not in body
    chosen = {"action": "send_again", "_selected_action": [ours.pk]}
    assert "1 email that failed will be sent again" in client.post(changelist, chosen).content.decode()
    assert published == []  # the first press only asks
    response = client.post(changelist, {**chosen, "confirmed": "yes"}, follow=True)
    assert "1 email(s) queued to be sent again" in response.content.decode()
    ours.refresh_from_db()
    assert (ours.status, ours.attempts, ours.last_error) == (Status.QUEUED, 0, "")


@pytest.mark.parametrize(("name", "value"), [
    ("Subject", "Reminder: Medicine Mentor Circle meets Monday"),
    ("Subject", "  two  spaces,\tand a tab; at the edges  "),
    ("To", '"Okafor, Sam" <sam@example.org>'),
    ("Content-Type", 'multipart/alternative; boundary="=_ob12_3"'),
    ("List-Unsubscribe", "<https://mentoring.example.org/unsubscribe/" + "x" * 80 + ">"),
    ("List-Unsubscribe", "<https://mentoring.example.org/unsubscribe/eyJ1IjoxfQ:1vQ2Xk:abcDEF-_ghiJK/>"),
    ("A-Very-Long-Header-Name-For-Its-Line", "<x@" + "y" * 37 + ">"),
    ("X-Long", "=?utf-8?q?" + "a=C3=A9" * 20 + "?="),
    ("X-Long", "no-fold-point:" + "z" * 1100),
    ("X-Long", "one,place;to-fold:" + "z" * 100),
    ("X-Long", "a\tlong\ttab-separated-value-" + "z" * 80),
    ("X-Long", "a\x0blong-value-with-a-vertical-tab-" + "z" * 80),
    ("Subject", "Réunion: the academy’s circle"),
    ("X-Empty", ""),
])
def test_the_outbox_writes_every_header_exactly_as_compat32_does(name, value):
    """The short cut for short ASCII headers changes the speed of serialising, never its bytes."""
    from email._policybase import compat32

    from mentorprogram.outbox.headers import SERIALISING_POLICY

    ours, stock = SERIALISING_POLICY.clone(linesep="\r\n"), compat32.clone(linesep="\r\n")
    assert ours.fold_binary(name, value) == stock.fold_binary(name, value)


def test_a_reminder_serialised_by_the_outbox_is_the_message_django_builds(program, mentor):
    from email import message_from_bytes
    from email.policy import default

    email = OutboundEmailFactory(kind=OutboundEmail.Kind.ACCOUNT, user=mentor, to_address=mentor.email,
                                 subject="Your mentoring program", body_text="Hello\n", body_html="<p>Hello</p>")
    from mentorprogram.outbox import headers
    from mentorprogram.outbox.composers import composer_for

    composed = composer_for(email.kind).prepare([email], None)(email)
    message = headers.finish(composed.message, email, unsubscribe="reminders")
    data = message.message().as_bytes(linesep="\r\n")
    parsed = message_from_bytes(data, policy=default)
    assert parsed["Subject"] == "Your mentoring program" and parsed["To"] == mentor.email
    assert parsed["List-Unsubscribe"].strip().startswith("<http") and parsed["Auto-Submitted"] == "auto-generated"
    assert [p.get_content_type() for p in parsed.walk()] == ["multipart/alternative", "text/plain", "text/html"]
    assert parsed.get_body(("html",)).get_content() == "<p>Hello</p>"
    boundary = parsed.get_boundary()
    assert boundary.startswith("=_ob") and boundary != message_from_bytes(
        headers.finish(composer_for(email.kind).prepare([email], None)(email).message, email, unsubscribe=None)
        .message().as_bytes()).get_boundary()


@pytest.mark.parametrize("address", [
    "mentor00001@bench.example.org", "Sam.O'Neil+circle@Med.Example.EDU", "a/b=c?d^e{f}|~@x-y.example",
    "a..b@example.org", ".a@example.org", "a.@example.org", "a@-example-.org", "a@example..org",
    "a@" + "x" * 64 + ".org", "Sam Okafor <sam@example.org>", '"Okafor, Sam" <sam@example.org>',
    "josé@example.org", "sam@exämple.org", "a b@example.org", "a@[127.0.0.1]", ("Sam", "sam@example.org"),
])
def test_a_recipient_the_backend_does_not_parse_is_one_django_leaves_as_it_is(address):
    from django.core.mail.message import sanitize_address

    from mentorprogram.outbox.smtp import _recipient

    try:
        expected = sanitize_address(address, "utf-8")
    except ValueError:
        with pytest.raises(ValueError):
            _recipient(address, "utf-8")
    else:
        assert _recipient(address, "utf-8") == expected


def test_another_email_backend_is_chosen_by_the_environment():
    """What the README tells a deployer to set to send through django-anymail (or any backend)."""
    import json
    import os
    import subprocess
    import sys

    from django.conf import settings

    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "EMAIL_URL": "smtp://mail.example.org:25",
           "EMAIL_BACKEND": "anymail.backends.mailgun.EmailBackend", "ANYMAIL": '{"MAILGUN_API_KEY": "key-1"}'}
    script = ("import django, json; django.setup(); from django.conf import settings as s; "
              "print(json.dumps([s.EMAIL_BACKEND, s.ANYMAIL]))")
    out = subprocess.run([sys.executable, "-c", script], env=env, cwd=settings.BASE_DIR,  # noqa: S603
                         capture_output=True, text=True, check=True).stdout
    assert json.loads(out.splitlines()[-1]) == ["anymail.backends.mailgun.EmailBackend", {"MAILGUN_API_KEY": "key-1"}]
    env.pop("EMAIL_BACKEND")
    out = subprocess.run([sys.executable, "-c", script], env=env, cwd=settings.BASE_DIR,  # noqa: S603
                         capture_output=True, text=True, check=True).stdout
    assert json.loads(out.splitlines()[-1])[0] == "mentorprogram.outbox.smtp.EmailBackend"
