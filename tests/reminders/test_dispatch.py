"""The dispatcher: who gets which reminder when, and that running it again adds nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from community import services as community_services
from mentorprogram.models import Membership, OutboundEmail
from mentorprogram.outbox import queueing
from reminders import services
from reminders.models import ReminderDelivery
from tests.factories import make_member

from .conftest import START, at

pytestmark = pytest.mark.django_db

Status = ReminderDelivery.Status


def rows(meeting):
    return sorted(ReminderDelivery.objects.filter(meeting=meeting).values_list("user__email", "kind", "lead_days"))


def sent(meeting, *, now):
    """Pretend the worker sent everything queued, carrying the meeting's current SEQUENCE."""
    meeting.refresh_from_db()
    queued = ReminderDelivery.objects.filter(meeting=meeting, email__status=Status.QUEUED)
    OutboundEmail.objects.filter(reminder_delivery__in=queued).update(status=Status.SENT, sent_at=now)
    ReminderDelivery.objects.filter(meeting=meeting).update(sent_sequence=meeting.sequence)


def test_it_records_nothing_before_the_first_lead_is_due(people, meeting, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        result = services.reminders_dispatch(now=at(7, hours=0.5))
    assert result.created == 0 and rows(meeting) == [] and callbacks == []


def test_it_records_one_reminder_per_person_and_lead_however_often_it_runs(people, meeting):
    first = services.reminders_dispatch(now=at(7))
    again = services.reminders_dispatch(now=at(7) + dt.timedelta(minutes=5))
    assert first.created == 3 and again.created == 0
    assert rows(meeting) == sorted((p.email, "reminder", 7) for p in people)
    sent(meeting, now=at(7))
    services.reminders_dispatch(now=at(1))
    services.reminders_dispatch(now=at(1))
    assert len(rows(meeting)) == 6
    assert {lead for *_, lead in rows(meeting)} == {7, 1}


def test_it_uses_local_wall_clock_time_across_the_daylight_saving_change(people, meeting):
    # A week before the Monday noon (PDT) meeting is Monday noon PST: 6 days 23 hours earlier.
    due = services.lead_due_at(meeting, 7).astimezone(dt.UTC)
    assert due == dt.datetime(2026, 3, 2, 20, 0, tzinfo=dt.UTC)
    assert START.astimezone(dt.UTC) - due == dt.timedelta(days=6, hours=23)
    assert services.reminders_dispatch(now=at(7) - dt.timedelta(seconds=1)).created == 0
    assert services.reminders_dispatch(now=at(7)).created == 3


def test_it_queues_the_new_rows_in_batches_after_commit(people, meeting, django_capture_on_commit_callbacks,
                                                        settings, monkeypatch):
    settings.REMINDERS_BATCH_SIZE = 2
    published = []
    monkeypatch.setattr(queueing, "publish", lambda batches, countdown=None: published.extend(batches))
    with django_capture_on_commit_callbacks(execute=True):
        result = services.reminders_dispatch(now=at(7))
    assert sorted(sum(published, [])) == sorted(result.queued_ids)
    assert [len(b) for b in published] == [2, 1]


def test_it_skips_people_who_opted_out_and_faculty_and_other_programs(people, meeting, faculty, other_coordinator):
    people[1].reminders_opt_out = True
    people[1].save()
    services.reminders_dispatch(now=at(1))
    emails = {email for email, *_ in rows(meeting)}
    assert emails == {people[0].email, people[2].email}


def test_it_sends_only_the_latest_missed_lead_after_an_outage(people, meeting):
    """Workers were down for a week: one late reminder, not two."""
    services.reminders_dispatch(now=at(0, hours=3))
    assert {lead for *_, lead in rows(meeting)} == {1}
    assert len(rows(meeting)) == 3


def test_it_never_reminds_once_the_meeting_has_started(people, meeting):
    assert services.reminders_dispatch(now=START).created == 0
    assert services.reminders_dispatch(now=START + dt.timedelta(minutes=10)).created == 0


def test_a_late_joiner_gets_only_the_leads_still_ahead(program, people, meeting):
    newcomer = make_member(program, Membership.Role.MENTOR, email="new.mentor@example.org")
    Membership.objects.filter(user=newcomer).update(joined_on=dt.date(2026, 3, 5))
    services.reminders_dispatch(now=at(3))
    assert "new.mentor@example.org" not in {email for email, *_ in rows(meeting)}
    services.reminders_dispatch(now=at(1))
    assert ("new.mentor@example.org", "reminder", 1) in rows(meeting)
    assert ("new.mentor@example.org", "reminder", 7) not in rows(meeting)


def test_it_uses_the_programs_lead_times(program, people, meeting):
    program.reminder_lead_days = [3]
    program.save()
    assert services.reminders_dispatch(now=at(7)).created == 0
    services.reminders_dispatch(now=at(3))
    assert {lead for *_, lead in rows(meeting)} == {3}


def test_a_moved_meeting_sends_a_change_notice_to_those_already_reminded(people, meeting):
    services.reminders_dispatch(now=at(7))
    sent(meeting, now=at(7))
    community_services.meeting_move(meeting=meeting, starts_at=START + dt.timedelta(hours=2))
    services.reminders_dispatch(now=at(6))
    services.reminders_dispatch(now=at(6))
    notices = ReminderDelivery.objects.filter(meeting=meeting, kind="update")
    assert notices.count() == 3 and {n.sequence for n in notices} == {1}


def test_a_change_before_anyone_was_reminded_sends_no_notice(people, meeting):
    community_services.meeting_move(meeting=meeting, starts_at=START + dt.timedelta(hours=2))
    services.reminders_dispatch(now=at(6))
    assert not ReminderDelivery.objects.filter(kind="update").exists()


def test_a_cancelled_meeting_sends_a_cancellation_and_no_more_reminders(people, meeting):
    services.reminders_dispatch(now=at(7))
    sent(meeting, now=at(7))
    community_services.meeting_cancel(meeting=meeting)
    services.reminders_dispatch(now=at(1))
    services.reminders_dispatch(now=at(1))
    assert sorted(k for _, k, _ in rows(meeting)) == ["cancellation"] * 3 + ["reminder"] * 3


def test_each_delivery_has_its_own_outbox_email_for_its_program_and_person(people, meeting):
    services.reminders_dispatch(now=at(7))
    services.reminders_dispatch(now=at(7))
    emails = OutboundEmail.objects.filter(reminder_delivery__meeting=meeting)
    assert sorted(emails.values_list("kind", "program_id", "user__email", "status")) == sorted(
        ("meeting", meeting.series.program_id, p.email, Status.QUEUED) for p in people)
    assert OutboundEmail.objects.count() == 3


def test_its_query_count_does_not_grow_with_the_members(program, people, meeting):
    def count() -> int:
        OutboundEmail.objects.all().delete()
        with CaptureQueriesContext(connection) as ctx:
            services.reminders_dispatch(now=at(1))
        return len(ctx.captured_queries)

    small = count()
    for i in range(40):
        user = make_member(program, Membership.Role.MENTOR, email=f"m{i}@example.org")
        Membership.objects.filter(user=user).update(joined_on=dt.date(2026, 1, 1))
    assert count() == small
    assert ReminderDelivery.objects.count() == 43
