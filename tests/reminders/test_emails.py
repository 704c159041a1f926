"""The emails themselves, sent through Django's in-memory backend: what a person reads."""

from __future__ import annotations

import datetime as dt
import email

import icalendar
import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.db import connection
from django.test.utils import CaptureQueriesContext

from community import services as community_services
from community.calendar import meeting_uid
from mentorprogram.models import OutboundEmail
from mentorprogram.outbox import outbox_send
from reminders import services
from reminders.models import ReminderDelivery

from .conftest import START, at

pytestmark = pytest.mark.django_db

Status = ReminderDelivery.Status


def send_all(now):
    ids = list(OutboundEmail.objects.filter(status=Status.QUEUED).values_list("pk", flat=True))
    return outbox_send(ids=ids, claim_token="test-run", now=now)


def email_ids() -> list[int]:
    return list(OutboundEmail.objects.values_list("pk", flat=True))


def parts(message):
    parsed = email.message_from_bytes(message.message().as_bytes())
    found = {}
    for part in parsed.walk():
        if part.get_content_maintype() != "multipart":
            found[part.get_content_type()] = part
    return parsed, found


def message_to(mailoutbox, address):
    [message] = [m for m in mailoutbox if m.to == [address]]
    return message


def test_it_sends_a_reminder_with_everything_a_mentor_needs(people, meeting, mailoutbox, settings):
    settings.SITE_URL = "https://mentoring.example.edu"
    services.reminders_dispatch(now=at(7))
    result = send_all(at(7))
    assert len(result.sent) == 3 and len(mailoutbox) == 3
    mentor = people[1]
    message = message_to(mailoutbox, mentor.email)
    assert message.subject == "Reminder: Medicine Mentor Circle meets Mon, Mar 9, 2026, 12:00 PM PDT"
    parsed, found = parts(message)
    text = found["text/plain"].get_payload(decode=True).decode()
    html = found["text/html"].get_payload(decode=True).decode()
    for body in (text, html):
        assert "Dr. Sam Okafor" in body
        assert "Mon, Mar 9, 2026, 12:00–1:00 PM PDT" in body
        assert "Your mentees&#x27; challenges" in body or "Your mentees' challenges" in body
        assert "Round table: one thing that worked" in body
        assert "Dr. Miriam Alvarez" in body
        assert "Giving feedback that a junior colleague can use" in body
        assert "Alvarez M. Giving feedback" in body and "Faculty Notes. 2024;3:12-15." in body  # the citation
        assert "https://example.org/readings/useful-feedback" in body
        assert f"/community/meetings/{meeting.pk}/" in body
        assert "/reminders/rsvp/" in body and "/yes/" in body and "/no/" in body
    email_id = ReminderDelivery.objects.get(user=mentor).email_id
    assert parsed["Message-ID"] == f"<meeting.{email_id}@mentoring.example.edu>"
    assert parsed["Auto-Submitted"] == "auto-generated"
    assert parsed["List-Unsubscribe"].strip().startswith("<https://mentoring.example.edu/unsubscribe/")
    assert parsed["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_the_reading_comes_with_the_meeting_not_by_a_query_of_its_own(people, meeting, mailoutbox):
    services.reminders_dispatch(now=at(7))
    with CaptureQueriesContext(connection) as ctx:
        send_all(at(7))
    assert len(mailoutbox) == 3
    assert not [q["sql"] for q in ctx.captured_queries if 'FROM "courses_reading"' in q["sql"]]


def test_the_invitation_is_a_request_for_the_recipient_with_the_meetings_stable_uid(people, meeting, mailoutbox):
    services.reminders_dispatch(now=at(7))
    send_all(at(7))
    _, found = parts(message_to(mailoutbox, people[1].email))
    part = found["text/calendar"]
    assert part.get_param("method") == "REQUEST"
    assert part.get_filename() == "invite.ics"
    cal = icalendar.Calendar.from_ical(part.get_payload(decode=True))
    assert cal["METHOD"] == "REQUEST"
    [event] = cal.walk("VEVENT")
    assert str(event["UID"]) == meeting_uid(meeting)
    assert event["SEQUENCE"] == 0
    assert str(event["ATTENDEE"]) == f"mailto:{people[1].email}"
    assert event["ATTENDEE"].params["CN"] == "Dr. Sam Okafor"
    assert str(event["ORGANIZER"]) == "mailto:noreply@example.org"
    assert event.decoded("DTSTART") == START


def test_a_recipient_in_another_time_zone_reads_their_own_time(people, meeting, mailoutbox):
    people[2].time_zone = "Europe/London"
    people[2].save()
    services.reminders_dispatch(now=at(1))
    send_all(at(1))
    message = message_to(mailoutbox, people[2].email)
    # Europe has not changed its clocks yet: noon in Los Angeles is 7 PM in London, not 8 PM.
    assert message.subject == "Reminder: Medicine Mentor Circle meets Mon, Mar 9, 2026, 7:00 PM GMT"
    assert "Mon, Mar 9, 2026, 7:00–8:00 PM GMT (Europe/London time)" in message.body


def test_a_moved_meeting_sends_an_update_with_a_higher_sequence(people, meeting, mailoutbox):
    services.reminders_dispatch(now=at(7))
    send_all(at(7))
    mailoutbox.clear()
    community_services.meeting_move(meeting=meeting, starts_at=START + dt.timedelta(hours=2))
    services.reminders_dispatch(now=at(6))
    send_all(at(6))
    assert len(mailoutbox) == 3
    message = message_to(mailoutbox, people[1].email)
    assert message.subject.startswith("Changed: Medicine Mentor Circle now meets Mon, Mar 9, 2026, 2:00 PM")
    _, found = parts(message)
    cal = icalendar.Calendar.from_ical(found["text/calendar"].get_payload(decode=True))
    [event] = cal.walk("VEVENT")
    assert cal["METHOD"] == "REQUEST" and event["SEQUENCE"] == 1 and str(event["UID"]) == meeting_uid(meeting)
    assert set(ReminderDelivery.objects.filter(kind="update").values_list("sent_sequence", flat=True)) == {1}
    services.reminders_dispatch(now=at(5))
    assert OutboundEmail.objects.filter(status=Status.QUEUED).count() == 0


def test_a_cancelled_meeting_sends_a_cancel_and_its_pending_reminders_are_not_sent(people, meeting, mailoutbox):
    services.reminders_dispatch(now=at(7))
    send_all(at(7))
    services.reminders_dispatch(now=at(1))  # the 1-day reminders are queued …
    community_services.meeting_cancel(meeting=meeting)  # … when the meeting is cancelled
    mailoutbox.clear()
    result = send_all(at(1))
    assert len(result.skipped) == 3 and mailoutbox == []
    services.reminders_dispatch(now=at(1) + dt.timedelta(minutes=5))
    send_all(at(1) + dt.timedelta(minutes=5))
    assert len(mailoutbox) == 3
    message = message_to(mailoutbox, people[1].email)
    assert message.subject.startswith("Cancelled: Medicine Mentor Circle on Mon, Mar 9, 2026")
    _, found = parts(message)
    assert found["text/calendar"].get_param("method") == "CANCEL"
    cal = icalendar.Calendar.from_ical(found["text/calendar"].get_payload(decode=True))
    [event] = cal.walk("VEVENT")
    assert cal["METHOD"] == "CANCEL" and event["STATUS"] == "CANCELLED" and event["SEQUENCE"] == 1


def test_sending_the_same_batch_twice_sends_once(people, meeting, mailoutbox):
    services.reminders_dispatch(now=at(7))
    ids = email_ids()
    first = outbox_send(ids=ids, claim_token="one", now=at(7))
    second = outbox_send(ids=ids, claim_token="two", now=at(7))
    assert len(first.sent) == 3
    assert second.as_dict() == {"sent": 0, "failed": 0, "skipped": 0, "retry": 0, "released": 0}
    assert len(mailoutbox) == 3
    assert set(ReminderDelivery.objects.values_list("email__status", "email__attempts", "sent_sequence")) == {
        ("sent", 1, 0)}


def test_a_live_claim_is_left_alone_and_a_stale_one_is_taken(people, meeting, mailoutbox, settings):
    services.reminders_dispatch(now=at(7))
    ids = email_ids()
    OutboundEmail.objects.update(status=Status.SENDING, claim_token="alive", claimed_at=at(7))
    assert outbox_send(ids=ids, claim_token="other", now=at(7) + dt.timedelta(minutes=1)).sent == []
    later = at(7) + dt.timedelta(seconds=settings.REMINDERS_CLAIM_TIMEOUT + 1)
    assert len(outbox_send(ids=ids, claim_token="other", now=later).sent) == 3


def test_it_skips_people_who_opted_out_after_it_was_queued(people, meeting, mailoutbox):
    services.reminders_dispatch(now=at(1))
    people[1].reminders_opt_out = True
    people[1].save()
    result = send_all(at(1))
    assert len(result.sent) == 2 and len(result.skipped) == 1
    skipped = ReminderDelivery.objects.get(user=people[1]).email
    assert skipped.status == Status.SKIPPED and "turned meeting reminder emails off" in skipped.last_error


def test_a_late_worker_never_sends_after_the_meeting_started(people, meeting, mailoutbox):
    services.reminders_dispatch(now=at(1))
    result = send_all(START + dt.timedelta(minutes=1))
    assert len(result.skipped) == 3 and mailoutbox == []


def test_send_reminders_now_sends_one_extra_reminder_per_person(people, meeting, mailoutbox,
                                                                 django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks():
        assert services.meeting_send_reminders_now(meeting=meeting, now=at(10)) == 3
        assert services.meeting_send_reminders_now(meeting=meeting, now=at(10)) == 0
    send_all(at(10))
    assert len(mailoutbox) == 3
    assert set(ReminderDelivery.objects.values_list("lead_days", flat=True)) == {0}


@pytest.mark.parametrize("interruption", [SoftTimeLimitExceeded, KeyboardInterrupt, SystemExit])
def test_an_interrupted_batch_gives_back_what_it_had_not_sent(people, meeting, mailoutbox, monkeypatch,
                                                              interruption):
    """The soft time limit, a warm shutdown or Ctrl-C while a message is built or sent: the rows
    not sent go back to the queue untouched, never recorded as a mail server failure."""
    services.reminders_dispatch(now=at(1))
    calls = []

    def interrupted(self, delivery):
        calls.append(delivery.pk)
        if len(calls) == 2:
            raise interruption()
        return original(self, delivery)

    from reminders.emails import MeetingMail

    original = MeetingMail.message
    monkeypatch.setattr(MeetingMail, "message", interrupted)
    if interruption is SoftTimeLimitExceeded:
        result = outbox_send(ids=email_ids(), claim_token="cut-short", now=at(1))
        assert result.interrupted and len(result.sent) == 1 and len(result.released) == 2
    else:
        with pytest.raises(interruption):
            outbox_send(ids=email_ids(), claim_token="cut-short", now=at(1))
    rows = sorted(OutboundEmail.objects.values_list("status", "attempts", "last_error"))
    assert rows == [("queued", 0, ""), ("queued", 0, ""), ("sent", 1, "")]
    assert len(mailoutbox) == 1


def test_a_batch_past_its_deadline_stops_between_messages_and_gives_back_the_rest(people, meeting, mailoutbox,
                                                                                  monkeypatch):
    services.reminders_dispatch(now=at(1))
    clock = iter([0.0, 0.5, 2.0, 3.0])
    monkeypatch.setattr("mentorprogram.outbox.sending.time.monotonic", lambda: next(clock))
    result = outbox_send(ids=email_ids(), claim_token="deadline", now=at(1), deadline=1.0)
    assert (len(result.sent), len(result.released)) == (2, 1) and len(mailoutbox) == 2
    assert sorted(OutboundEmail.objects.values_list("status", "attempts")) == [
        ("queued", 0), ("sent", 1), ("sent", 1)]


@pytest.mark.parametrize("kind", ["reminder", "cancellation"])
def test_the_calendar_part_shared_by_a_meetings_recipients_is_byte_for_byte_the_one_built_for_each(kind):
    """The calendar part's headers are built once per meeting; each recipient's part must still be
    what ``MIMEText`` writes for their own invitation, non-ASCII names and long lines included."""
    from email.mime.text import MIMEText

    from reminders.emails import MeetingMail

    mail = MeetingMail(meeting=None, kind=kind, agenda=[])
    for ics in (b"BEGIN:VCALENDAR\r\nATTENDEE;CN=\"Dr. A\":mailto:a@example.org\r\nEND:VCALENDAR\r\n" * 30,
                "SUMMARY:Café – naïve\r\nATTENDEE;CN=José Núñez:mailto:j@example.org\r\n".encode()):
        reference = MIMEText(ics.decode(), "calendar", "utf-8")
        reference.set_param("method", mail.method)
        reference.add_header("Content-Disposition", "attachment", filename="invite.ics")
        assert mail._calendar_part(ics).as_bytes() == reference.as_bytes()
    first, second = mail._calendar_part(b"A"), mail._calendar_part(b"B")
    assert first.get_payload(decode=True) == b"A" and second.get_payload(decode=True) == b"B"  # nothing shared


def test_reminders_built_from_shared_parts_are_byte_for_byte_the_messages_django_builds(people, meeting):
    """Each reminder's parts are copies of shared ones (mentorprogram/outbox/parts.py); what the
    outbox writes must be what Django's own EmailMultiAlternatives of the same content writes —
    an ASCII name, one that is not, and the second message of a kind as much as the first."""
    from django.core.mail import EmailMultiAlternatives

    from mentorprogram.outbox.headers import SERIALISING_POLICY
    from mentorprogram.outbox.parts import serialise
    from reminders.emails import MeetingMail

    mentor, other = people[1], people[2]
    other.display_name = "Dr. José Núñez"
    mail = MeetingMail(meeting=meeting, kind="reminder", agenda=list(meeting.agenda_items.all()))
    for user in (mentor, other, mentor, other):
        ours = mail.message(ReminderDelivery(pk=1, meeting=meeting, user=user, lead_days=1))
        ours.extra_headers |= {"Date": "Mon, 02 Mar 2026 12:00:00 -0000", "Message-ID": "<meeting.1@example.org>"}
        reference = EmailMultiAlternatives(
            subject=ours.subject, body=ours.body, from_email=ours.from_email, to=ours.to, reply_to=ours.reply_to,
            headers=dict(ours.extra_headers), alternatives=ours.alternatives)
        [calendar] = ours.attachments
        reference.attach(calendar)
        mine, theirs = ours.message(), reference.message()
        for i, (a, b) in enumerate(zip(mine.walk(), theirs.walk(), strict=True)):
            if a.is_multipart():
                a.set_boundary(f"=_ob_{i}")
                b.set_boundary(f"=_ob_{i}")
        mine.policy = SERIALISING_POLICY
        assert serialise(mine) == theirs.as_bytes(linesep="\r\n")
