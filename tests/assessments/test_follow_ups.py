"""Follow-ups that come round: due dates by months after the baseline or by academic year, one
invitation per due date however often the daily job runs, the person's dashboard card, and the
coordinators' home listing those overdue."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse

from assessments import follow_ups, permissions, tasks
from assessments.follow_ups import add_months, due_dates, open_due_date
from assessments.models import FollowUpCadence
from mentorprogram.models import Membership, OutboundEmail
from mentorprogram.outbox import outbox_send, queueing
from tests.factories import make_member
from tests.factories.assessments import make_instrument, make_response
from tests.factories.core import MembershipFactory

NOW = dt.datetime(2026, 3, 20, 18, tzinfo=dt.UTC)
HOME = reverse("dashboard:home")


def cadence(program, version, **fields) -> FollowUpCadence:
    fields = {"rule": FollowUpCadence.Rule.MONTHS, "months": "6, 12", "overdue_after_days": 30, **fields}
    made = FollowUpCadence(program=program, instrument=version.instrument, **fields)
    made.full_clean()
    made.save()
    return made


@pytest.fixture
def send_now(monkeypatch):
    """Batches queued after commit are sent in this thread, through Django's test mail outbox."""
    def publish(batches, countdown=None):
        transaction.on_commit(lambda: [outbox_send(ids=ids, claim_token=uuid.uuid4().hex, now=NOW)
                                       for ids in batches])

    monkeypatch.setattr(queueing, "publish", publish)


@pytest.fixture
def version(program):
    return make_instrument(program, domains=1, items_per_domain=1, name="Mentor Skills Inventory")


# --- due dates ---------------------------------------------------------------------------------

def test_months_after_the_baseline_land_on_the_same_day_or_the_months_last():
    assert add_months(dt.date(2025, 8, 31), 6) == dt.date(2026, 2, 28)
    assert add_months(dt.date(2025, 3, 10), 12) == dt.date(2026, 3, 10)
    rule = FollowUpCadence(rule="months", months="12, 6")
    assert rule.month_list == [6, 12]
    assert due_dates(rule, dt.date(2025, 3, 10), dt.date(2026, 3, 20), 7) == [dt.date(2025, 9, 10),
                                                                             dt.date(2026, 3, 10)]


def test_each_academic_year_falls_due_when_the_next_year_begins():
    rule = FollowUpCadence(rule="academic_year")
    assert due_dates(rule, dt.date(2024, 3, 10), dt.date(2026, 3, 20), 7) == [dt.date(2024, 7, 1),
                                                                             dt.date(2025, 7, 1)]
    assert due_dates(rule, dt.date(2025, 3, 10), dt.date(2026, 3, 20), 1) == [dt.date(2026, 1, 1)]


def test_a_due_date_is_met_by_any_response_on_or_after_it():
    rule = FollowUpCadence(rule="months", months="6, 12")
    base, today = dt.date(2025, 3, 10), dt.date(2026, 1, 5)
    assert open_due_date(rule, base, base, today, 7) == dt.date(2025, 9, 10)
    assert open_due_date(rule, base, dt.date(2025, 9, 10), today, 7) is None
    assert open_due_date(rule, base, dt.date(2025, 9, 10), dt.date(2026, 3, 10), 7) == dt.date(2026, 3, 10)
    assert open_due_date(rule, base, base, dt.date(2025, 9, 9), 7) is None


@pytest.mark.parametrize(("fields", "field"), [
    ({"rule": "months", "months": ""}, "months"),
    ({"rule": "months", "months": "6, twelve"}, "months"),
    ({"rule": "months", "months": "0"}, "months"),
    ({"rule": "academic_year", "months": "6"}, "months"),
])
def test_the_cadence_says_plainly_what_is_wrong(program, version, fields, field):
    with pytest.raises(ValidationError) as refused:
        FollowUpCadence(program=program, instrument=version.instrument, **fields).full_clean()
    assert field in refused.value.message_dict


def test_a_cadence_cannot_use_another_programs_instrument(program, other_program):
    theirs = make_instrument(other_program)
    with pytest.raises(ValidationError) as refused:
        FollowUpCadence(program=program, instrument=theirs.instrument, months="6").full_clean()
    assert "instrument" in refused.value.message_dict


# --- invitations -------------------------------------------------------------------------------

def test_run_the_job_twice_one_email(program, version, send_now, django_capture_on_commit_callbacks):
    cadence(program, version)
    due = make_member(program, Membership.Role.MENTOR, display_name="Dr. Due")
    not_yet = make_member(program, Membership.Role.MENTOR)
    make_response(due, program, version, now=NOW - dt.timedelta(days=200))
    make_response(not_yet, program, version, now=NOW - dt.timedelta(days=30))
    with django_capture_on_commit_callbacks(execute=True):
        first = follow_ups.follow_up_invitations_dispatch(now=NOW)
    with django_capture_on_commit_callbacks(execute=True):
        again = follow_ups.follow_up_invitations_dispatch(now=NOW + dt.timedelta(days=1))
    assert len(first) == 1 and again == []
    assert [m.to for m in mail.outbox] == [[due.email]]
    assert "Time for your follow-up: Mentor Skills Inventory" in mail.outbox[0].subject
    assert "your follow-up was due on" in mail.outbox[0].body
    email = OutboundEmail.objects.get()
    assert email.kind == OutboundEmail.Kind.FOLLOW_UP and email.status == OutboundEmail.Status.SENT
    due_on = follow_ups.add_months((NOW - dt.timedelta(days=200)).date(), 6)
    assert email.dedupe_key == f"follow-up:{program.pk}:{version.instrument_id}:{due.pk}:{due_on:%Y-%m-%d}"


def test_the_daily_task_invites_once_per_due_date_and_again_at_the_next(program, version, send_now, monkeypatch,
                                                                        django_capture_on_commit_callbacks):
    cadence(program, version)
    person = make_member(program, Membership.Role.MENTOR)
    make_response(person, program, version, now=NOW - dt.timedelta(days=200))
    for day in range(3):
        monkeypatch.setattr(follow_ups.timezone, "now", lambda day=day: NOW + dt.timedelta(days=day))
        with django_capture_on_commit_callbacks(execute=True):
            tasks.invite_follow_ups()
    assert len(mail.outbox) == 1
    # Six months on, the twelve-month follow-up falls due: one more email, for that date.
    later = NOW + dt.timedelta(days=190)
    with django_capture_on_commit_callbacks(execute=True):
        follow_ups.follow_up_invitations_dispatch(now=later)
        follow_ups.follow_up_invitations_dispatch(now=later)
    assert len(mail.outbox) == 2
    assert OutboundEmail.objects.filter(kind=OutboundEmail.Kind.FOLLOW_UP).count() == 2


def test_a_follow_up_taken_before_the_email_goes_skips_it(program, version, django_capture_on_commit_callbacks):
    cadence(program, version)
    person = make_member(program, Membership.Role.MENTOR)
    make_response(person, program, version, now=NOW - dt.timedelta(days=200))
    (pk,) = follow_ups.follow_up_invitations_dispatch(now=NOW)
    make_response(person, program, version, now=NOW)
    outbox_send(ids=[pk], claim_token="t", now=NOW)
    assert mail.outbox == []
    assert OutboundEmail.objects.get(pk=pk).status == OutboundEmail.Status.SKIPPED


def test_nobody_is_invited_without_a_cadence_or_once_they_left(program, version):
    person = make_member(program, Membership.Role.MENTOR)
    make_response(person, program, version, now=NOW - dt.timedelta(days=400))
    assert follow_ups.follow_up_invitations_dispatch(now=NOW) == []
    cadence(program, version, is_active=False)
    assert follow_ups.follow_up_invitations_dispatch(now=NOW) == []
    FollowUpCadence.objects.update(is_active=True)
    Membership.objects.filter(user=person).update(status=Membership.Status.ALUMNI)
    assert follow_ups.follow_up_invitations_dispatch(now=NOW) == []


# --- the person's dashboard and the coordinators' home ----------------------------------------

def test_the_persons_dashboard_says_a_follow_up_is_due(client, program, mentor, version):
    make_response(mentor, program, version, now=dt.datetime.now(dt.UTC) - dt.timedelta(days=200))
    client.force_login(mentor)
    assert "Follow-up due" not in client.get(HOME).content.decode()
    cadence(program, version)
    page = client.get(HOME).content.decode()
    assert "Follow-up due" in page and "Take the follow-up" in page
    assert reverse("assessments:start", args=[program.slug, version.instrument_id]) in page
    make_response(mentor, program, version)
    assert "Follow-up due" not in client.get(HOME).content.decode()


@pytest.mark.parametrize("change", [{"status": Membership.Status.PROSPECTIVE}, {"awaiting_acceptance": True}])
def test_the_dashboard_asks_it_only_of_someone_taking_part_fully(client, program, mentor, version, change):
    make_response(mentor, program, version, now=dt.datetime.now(dt.UTC) - dt.timedelta(days=200))
    cadence(program, version)
    Membership.objects.filter(user=mentor, program=program).update(**change)
    client.force_login(mentor)
    response = client.get(HOME)
    assert response.status_code == 200
    assert "Follow-up due" not in response.content.decode()


def test_nobody_is_asked_to_retake_an_instrument_their_program_has_replaced(client, program, mentor):
    """A program's own skills inventory replaces the shared one: its cadence asks for nothing more,
    neither by email nor on the dashboard, where the button would lead to a page that refuses."""
    shared = make_instrument(program, shared=True, name="Shared skills inventory")
    make_response(mentor, program, shared, now=dt.datetime.now(dt.UTC) - dt.timedelta(days=200))
    cadence(program, shared)
    client.force_login(mentor)
    assert "Follow-up due" in client.get(HOME).content.decode()
    make_instrument(program, name="Our own skills inventory")
    assert follow_ups.open_follow_ups(cadences=follow_ups.active_cadences(), now=dt.datetime.now(dt.UTC)) == []
    assert follow_ups.follow_up_invitations_dispatch() == []
    assert "Follow-up due" not in client.get(HOME).content.decode()


def test_the_coordinators_home_lists_those_overdue_not_those_just_due(client, program, coordinator, version):
    cadence(program, version, months="6", overdue_after_days=30)
    now = dt.datetime.now(dt.UTC)
    overdue = make_member(program, Membership.Role.MENTOR, display_name="Dr. Overdue")
    just_due = make_member(program, Membership.Role.MENTOR, display_name="Dr. Just Due")
    taken = make_member(program, Membership.Role.MENTOR, display_name="Dr. Taken")
    make_response(overdue, program, version, now=now - dt.timedelta(days=240))
    make_response(just_due, program, version, now=now - dt.timedelta(days=190))
    make_response(taken, program, version, now=now - dt.timedelta(days=240))
    make_response(taken, program, version, now=now - dt.timedelta(days=10))
    client.force_login(coordinator)
    response = client.get(HOME)
    [home] = response.context["homes"]
    assert home.follow_up_count == 1 and [f.name for f in home.follow_ups] == ["Dr. Overdue"]
    page = response.content.decode()
    assert "Follow-up assessments overdue" in page and "Dr. Overdue" in page and "Dr. Just Due" not in page


def test_the_invitations_run_daily_from_the_beat_schedule(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["assessments-follow-up-invitations"]
    assert entry["task"] == tasks.invite_follow_ups.name
    assert entry["schedule"].hour == {6} and entry["schedule"].minute == {23}


def test_the_dashboard_and_the_daily_invitations_ask_the_same_people(program):
    """The rule of who is asked, as a query (the invitations) and over loaded memberships (the
    dashboard), gives the same answer for every role, status and acceptance."""
    memberships = [
        MembershipFactory(program=program, role=role, status=status, awaiting_acceptance=awaiting)
        for role in Membership.Role.values for status in Membership.Status.values for awaiting in (False, True)
    ]
    asked = set(Membership.objects.filter(permissions.asked_for_follow_ups_q(), program=program)
                .values_list("pk", flat=True))
    assert asked == {m.pk for m in memberships if permissions.is_asked_for_follow_ups(m)}
    assert asked == {m.pk for m in memberships if m.role in (Membership.Role.MENTOR, Membership.Role.FACULTY)
                     and m.status == Membership.Status.ACTIVE and not m.awaiting_acceptance}
