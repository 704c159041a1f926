"""Retention removes what is due and nothing else, and a second run changes nothing."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.urls import reverse

from accountability import services as accountability_services
from accountability.models import Mentee, MenteeGoal, MenteeMeeting, Mentorship, PlanItem, PlanItemChange
from assessments.models import Answer
from community.models import Challenge
from mentorprogram import services as core_services
from mentorprogram.models import Membership, OutboundEmail, User
from retention import services, tasks
from retention.models import RetentionRun
from tests.factories import MembershipFactory, OutboundEmailFactory, ProgramFactory, UserFactory
from tests.factories.accountability import (
    AccountabilityPlanFactory,
    MenteeFactory,
    MenteeGoalFactory,
    MenteeMeetingFactory,
)
from tests.factories.assessments import make_instrument, make_response
from tests.factories.community import ChallengeFactory

LA = zoneinfo.ZoneInfo("America/Los_Angeles")
RUNS_LIST_QUERIES = 11  # the admin list of runs, cold: the same at 2 and 30 days


def at(day: dt.date, hour: int = 12) -> dt.datetime:
    """``day`` at ``hour`` in the programs' zone (Los Angeles)."""
    return dt.datetime.combine(day, dt.time(hour), LA)


def ended_mentee(program, *, ended_on: dt.date, mentor=None, **kwargs) -> Mentee:
    extra = {"mentor": mentor} if mentor else {}
    mentee = MenteeFactory(program=program, mentorship=False, email="ana@example.org", **extra, **kwargs)
    Mentorship.objects.create(mentee=mentee, started_on=ended_on - dt.timedelta(days=300), ended_on=ended_on,
                              status=Mentorship.Status.ENDED)
    MenteeMeetingFactory(mentee=mentee)
    MenteeGoalFactory(mentee=mentee)
    return mentee


def private_text_of(mentee: Mentee) -> dict:
    mentee.refresh_from_db()
    return {
        "name": mentee.name, "email": mentee.email, "department": mentee.department,
        "career_stage": mentee.career_stage,
        "notes": list(MenteeMeeting.objects.filter(mentee=mentee).values_list("notes", flat=True)),
        "goals": list(MenteeGoal.objects.filter(mentee=mentee).values_list("text", "notes")),
    }


REMOVED = "Removed at the end of the program's retention period."
CLEARED = {"name": "Former mentee", "email": "", "department": "", "career_stage": "", "notes": [""],
           "goals": [(REMOVED, "")]}


@pytest.fixture
def program(db):
    return ProgramFactory(slug="medicine", mentee_notes_retention_months=12, alumni_retention_months=60)


# --- Mentee notes -------------------------------------------------------------------------------

def test_it_keeps_mentee_notes_through_the_last_day_of_the_period(program):
    # Ended on 31 Jan 2025 (its last day): kept from 1 Feb 2025 for 12 months, up to 1 Feb 2026.
    mentee = ended_mentee(program, ended_on=dt.date(2025, 1, 31))
    before = private_text_of(mentee)

    run = services.program_retention_apply(program=program, now=at(dt.date(2026, 1, 31), hour=23))

    assert private_text_of(mentee) == before
    assert run.total == 0


def test_it_removes_mentee_notes_on_the_first_day_after_the_period(program):
    mentee = ended_mentee(program, ended_on=dt.date(2025, 1, 31))

    run = services.program_retention_apply(program=program, now=at(dt.date(2026, 2, 1), hour=0))

    assert private_text_of(mentee) == CLEARED
    assert (run.mentees, run.mentee_meetings, run.mentee_goals) == (1, 1, 1)
    # What reports count stays: the meeting's date and length, the goal's dates and status.
    meeting = MenteeMeeting.objects.get(mentee=mentee)
    assert (meeting.held_on, meeting.duration_minutes) == (dt.date(2025, 9, 10), 45)
    assert MenteeGoal.objects.get(mentee=mentee).set_on == dt.date(2025, 9, 10)


def test_cleared_mentee_text_leaves_the_audit_trail_too(program):
    """The mentor stays in the program, so no account is anonymised: the entries about the cleared
    rows lose the mentee's name, address and words all the same; that the rows changed stays."""
    from mentorprogram.models import AuditEntry

    mentee = ended_mentee(program, ended_on=dt.date(2025, 1, 31), name="Dr. Nadia Okafor")
    words = ["Dr. Nadia Okafor", "ana@example.org", "Submit the K23 application"]  # notes: "(private text)"

    def trail_text() -> str:
        return " ".join(f"{e.object_repr} {e.changes}" for e in AuditEntry.objects.all())

    assert [w for w in words if w not in trail_text()] == []  # the trail saw them
    entries = AuditEntry.objects.count()
    services.program_retention_apply(program=program, now=at(dt.date(2026, 2, 1), hour=0))

    assert private_text_of(mentee) == CLEARED
    text = trail_text()
    assert [w for w in words if w in text] == []
    assert AuditEntry.objects.count() == entries  # entries kept, only their words taken out
    assert AuditEntry.objects.filter(content_type__model="menteemeeting", changes__has_key="held_on").exists()


def test_it_reads_the_day_in_the_programs_time_zone(program):
    mentee = ended_mentee(program, ended_on=dt.date(2025, 1, 31))
    before = private_text_of(mentee)
    # 1 Feb 2026 02:00 UTC is still 31 January in Los Angeles.
    services.program_retention_apply(program=program, now=dt.datetime(2026, 2, 1, 2, tzinfo=dt.UTC))
    assert private_text_of(mentee) == before


def test_it_keeps_a_mentee_whose_mentorship_has_not_ended(program):
    returning = ended_mentee(program, ended_on=dt.date(2020, 1, 31))
    Mentorship.objects.create(mentee=returning, started_on=dt.date(2024, 1, 1), status=Mentorship.Status.PAUSED)
    never_ended = MenteeFactory(program=program, mentorship__started_on=dt.date(2019, 1, 1))
    MenteeMeetingFactory(mentee=never_ended, held_on=dt.date(2019, 2, 1))
    before = [private_text_of(returning), private_text_of(never_ended)]

    services.program_retention_apply(program=program, now=at(dt.date(2026, 6, 1)))

    assert [private_text_of(returning), private_text_of(never_ended)] == before


def test_it_counts_from_the_last_of_several_mentorships(program):
    mentee = ended_mentee(program, ended_on=dt.date(2024, 1, 31))
    Mentorship.objects.create(mentee=mentee, started_on=dt.date(2024, 9, 1), ended_on=dt.date(2025, 5, 31),
                              status=Mentorship.Status.ENDED)
    before = private_text_of(mentee)

    services.program_retention_apply(program=program, now=at(dt.date(2026, 5, 31)))
    assert private_text_of(mentee) == before
    services.program_retention_apply(program=program, now=at(dt.date(2026, 6, 1)))
    assert private_text_of(mentee) == CLEARED


def test_it_follows_each_programs_own_setting(program):
    other = ProgramFactory(slug="surgery", mentee_notes_retention_months=36)
    here = ended_mentee(program, ended_on=dt.date(2024, 1, 31))
    there = ended_mentee(other, ended_on=dt.date(2024, 1, 31))
    there_before = private_text_of(there)

    services.retention_apply(now=at(dt.date(2026, 1, 1)))

    assert private_text_of(here) == CLEARED
    assert private_text_of(there) == there_before


# --- Alumni -------------------------------------------------------------------------------------

@pytest.fixture
def alumna(program):
    """A mentor who left on 1 Mar 2021, with free text in every place the program keeps some."""
    user = UserFactory(email="alumna@example.org", display_name="Dr. Alma Alumna")
    MembershipFactory(user=user, program=program, role=Membership.Role.MENTOR, status=Membership.Status.ALUMNI,
                      department="Cardiology", left_on=dt.date(2021, 3, 1))
    mentee = MenteeFactory(program=program, mentor=user, mentorship__started_on=dt.date(2020, 1, 1))
    MenteeMeetingFactory(mentee=mentee, held_on=dt.date(2020, 2, 1))
    version = make_instrument(program, domains=1, items_per_domain=1)
    response = make_response(user, program, version)
    Answer.objects.filter(response=response).update(text="I find feedback conversations hard.")
    plan = AccountabilityPlanFactory(program=program, mentor=user, period_start=dt.date(2020, 7, 1),
                                     period_end=dt.date(2021, 7, 1))
    item = accountability_services.plan_item_add(plan=plan, by=user, title="Shadow a colleague",
                                                 description="With Dr. Reyes, about my mentee's burnout.")
    ChallengeFactory(program=program, author=user, text="My mentee cries in our meetings.")
    OutboundEmailFactory(user=user, program=program, status=OutboundEmail.Status.SENT,
                         sent_at=at(dt.date(2020, 5, 1)), body_text="Dear Dr. Alma Alumna")
    OutboundEmailFactory(user=user, program=program, status=OutboundEmail.Status.QUEUED)
    user.item = item
    return user


def alumna_private_text(user: User) -> dict:
    user.refresh_from_db()
    item = PlanItem.objects.get(plan__mentor=user)
    return {
        "email": user.email, "name": user.display_name, "active": user.is_active,
        "usable_password": user.has_usable_password(),
        "addresses": EmailAddress.objects.filter(user=user).count(),
        "department": sorted(Membership.objects.filter(user=user).values_list("department", flat=True)),
        "mentees": sorted(Mentee.objects.filter(mentor=user).values_list("name", flat=True)),
        "answers": sorted(Answer.objects.filter(response__user=user).exclude(text="").values_list("text", flat=True)),
        "plan": (item.description, [c.changes.get("description") for c in PlanItemChange.objects.filter(item=item)]),
        "challenges": list(Challenge.objects.filter(author=user).values_list("text", flat=True)),
        "emails": sorted(OutboundEmail.objects.filter(user=user).values_list("to_address", "body_text", "status")),
    }


def test_it_keeps_an_alumni_record_through_the_last_day(program, alumna):
    before = alumna_private_text(alumna)
    run = services.program_retention_apply(program=program, now=at(dt.date(2026, 2, 28), hour=23))
    assert alumna_private_text(alumna) == before
    assert run.accounts == 0


def test_it_removes_an_alumni_record_on_the_day_it_is_due(program, alumna):
    # Left on 1 Mar 2021, kept 60 months: up to 1 Mar 2026.
    run = services.program_retention_apply(program=program, now=at(dt.date(2026, 3, 1), hour=0))

    assert alumna_private_text(alumna) == {
        "email": f"former-member-{alumna.pk}@removed.invalid", "name": "", "active": False,
        "usable_password": False, "addresses": 0, "department": [""], "mentees": ["Former mentee"],
        "answers": [], "plan": ("", [["", ""]]), "challenges": [REMOVED],
        "emails": [("", "", "sent"), ("", "", "skipped")],
    }
    assert (run.accounts, run.answers, run.plan_items, run.challenges, run.memberships, run.mentees) == (
        1, 1, 1, 1, 1, 1)
    # The rows stay, so the program's counts and aggregates do not change.
    assert Membership.objects.filter(user=alumna, status=Membership.Status.ALUMNI).count() == 1
    assert PlanItem.objects.get(pk=alumna.item.pk).title == "Shadow a colleague"
    assert Answer.objects.filter(response__user=alumna).count() == 1


def test_a_month_end_start_is_kept_until_the_shorter_months_last_day(program, alumna):
    program.alumni_retention_months = 6
    program.save()
    Membership.objects.filter(user=alumna).update(left_on=dt.date(2025, 8, 31))
    before = alumna_private_text(alumna)

    services.program_retention_apply(program=program, now=at(dt.date(2026, 2, 27)))
    assert alumna_private_text(alumna) == before
    services.program_retention_apply(program=program, now=at(dt.date(2026, 2, 28)))
    assert alumna_private_text(alumna)["email"].endswith("@removed.invalid")


def test_someone_still_active_in_the_program_is_no_alumnus(program, alumna):
    MembershipFactory(user=alumna, program=program, role=Membership.Role.FACULTY, status=Membership.Status.ACTIVE)
    before = alumna_private_text(alumna)
    services.program_retention_apply(program=program, now=at(dt.date(2030, 1, 1)))
    assert alumna_private_text(alumna) == before


def test_an_alumni_membership_without_a_date_it_ended_is_kept(program, alumna):
    Membership.objects.filter(user=alumna).update(left_on=None)
    before = alumna_private_text(alumna)
    services.program_retention_apply(program=program, now=at(dt.date(2040, 1, 1)))
    assert alumna_private_text(alumna) == before


def test_another_program_that_keeps_the_person_keeps_their_account(program, alumna):
    MembershipFactory(user=alumna, program=ProgramFactory(slug="surgery"), role=Membership.Role.MENTOR)

    run = services.program_retention_apply(program=program, now=at(dt.date(2026, 3, 1)))

    after = alumna_private_text(alumna)
    assert (after["email"], after["name"], after["active"]) == ("alumna@example.org", "Dr. Alma Alumna", True)
    assert after["answers"] == [] and after["challenges"] == [REMOVED] and after["mentees"] == ["Former mentee"]
    assert run.accounts == 0


def test_what_a_kept_account_loses_in_one_program_leaves_the_audit_trail_too(program, alumna):
    from mentorprogram.models import AuditEntry

    MembershipFactory(user=alumna, program=ProgramFactory(slug="surgery"), role=Membership.Role.MENTOR)
    words = ["about my mentee's burnout", "Cardiology"]  # a plan item's description, the membership's department

    def trail_text() -> str:
        return " ".join(f"{e.object_repr} {e.changes}" for e in AuditEntry.objects.all())

    assert [w for w in words if w not in trail_text()] == []  # the trail saw them
    services.program_retention_apply(program=program, now=at(dt.date(2026, 3, 1)))

    assert [w for w in words if w in trail_text()] == []
    assert "alumna@example.org" in trail_text()  # the account is kept, and so is its name


def test_it_leaves_other_people_and_superusers_accounts_alone(program, alumna, mentor, superuser):
    MembershipFactory(user=superuser, program=program, role=Membership.Role.MENTOR,
                      status=Membership.Status.ALUMNI, left_on=dt.date(2019, 1, 1))
    mentors_mentee = MenteeFactory(program=program, mentor=mentor)
    MenteeMeetingFactory(mentee=mentors_mentee)
    ChallengeFactory(program=program, author=mentor)
    before = (private_text_of(mentors_mentee), list(Challenge.objects.filter(author=mentor).values("text")))

    services.program_retention_apply(program=program, now=at(dt.date(2026, 3, 1)))

    assert (private_text_of(mentors_mentee), list(Challenge.objects.filter(author=mentor).values("text"))) == before
    superuser.refresh_from_db()
    assert (superuser.email, superuser.is_active) == ("admin@example.org", True)


# --- Twice, same result -------------------------------------------------------------------------

def snapshot() -> dict:
    return {
        model.__name__: sorted(map(repr, model.objects.values()))
        for model in (User, Membership, Mentee, MenteeMeeting, MenteeGoal, Answer, PlanItem, PlanItemChange,
                      Challenge, OutboundEmail, EmailAddress)
    }


def test_running_the_job_twice_gives_the_same_result(program, alumna):
    ended_mentee(program, ended_on=dt.date(2024, 1, 31))
    now = at(dt.date(2026, 3, 1))

    first = services.program_retention_apply(program=program, now=now)
    after_first = snapshot()
    second = services.program_retention_apply(program=program, now=now)

    assert snapshot() == after_first
    assert second.pk == first.pk and second.runs == 2
    assert second.total == first.total > 0
    # The next day finds nothing to do either.
    assert services.program_retention_apply(program=program, now=now + dt.timedelta(days=1)).total == 0
    assert snapshot() == after_first


def test_the_nightly_task_applies_every_program_and_is_on_beats_schedule(program):
    mentee = ended_mentee(program, ended_on=dt.date(2000, 1, 31))
    entry = settings.CELERY_BEAT_SCHEDULE["retention-apply"]
    assert entry["task"] == "retention.tasks.apply_retention"

    assert tasks.apply_retention() == 1
    assert private_text_of(mentee) == CLEARED
    tasks.apply_retention()
    run = RetentionRun.objects.get(program=program)
    assert (run.runs, run.mentees, run.mentee_meetings, run.mentee_goals) == (2, 1, 1, 1)


# --- Alumni get the date they left ---------------------------------------------------------------

def test_a_membership_made_alumni_in_the_admin_records_the_day_it_ended(program, superuser):
    membership = MembershipFactory(program=program, status=Membership.Status.ACTIVE)
    membership.status = Membership.Status.ALUMNI
    core_services.membership_save_by_admin(actor=superuser, membership=membership)
    membership.refresh_from_db()
    assert membership.left_on is not None

    membership.left_on = dt.date(2024, 6, 30)
    core_services.membership_save_by_admin(actor=superuser, membership=membership)
    assert Membership.objects.get(pk=membership.pk).left_on == dt.date(2024, 6, 30)

    membership.status = Membership.Status.ACTIVE
    core_services.membership_save_by_admin(actor=superuser, membership=membership)
    assert Membership.objects.get(pk=membership.pk).left_on is None


# --- The admin ----------------------------------------------------------------------------------

def test_the_admin_lists_each_runs_counts_to_the_programs_coordinator(client, program, coordinator,
                                                                      other_program, other_coordinator):
    ended_mentee(program, ended_on=dt.date(2024, 1, 31))
    services.retention_apply(now=at(dt.date(2026, 3, 1)))
    run = RetentionRun.objects.get(program=program)
    elsewhere = RetentionRun.objects.get(program=other_program)

    client.force_login(coordinator)
    page = client.get(reverse("admin:retention_retentionrun_changelist"))
    assert page.status_code == 200
    assert list(page.context["cl"].result_list) == [run]
    assert '<td class="field-mentee_meetings">1</td>' in page.content.decode()
    assert client.get(reverse("admin:retention_retentionrun_change", args=[run.pk])).status_code == 200
    assert client.get(reverse("admin:retention_retentionrun_change", args=[elsewhere.pk])).status_code == 404
    assert client.get(reverse("admin:retention_retentionrun_add")).status_code == 403
    delete = reverse("admin:retention_retentionrun_delete", args=[run.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert RetentionRun.objects.filter(pk=run.pk).exists()

    client.force_login(other_coordinator)
    assert list(client.get(reverse("admin:retention_retentionrun_changelist")).context["cl"].result_list) == [
        elsewhere]


def test_the_admin_lists_every_program_to_a_superuser(client, program, other_program, superuser):
    services.retention_apply(now=at(dt.date(2026, 3, 1)))
    client.force_login(superuser)
    page = client.get(reverse("admin:retention_retentionrun_changelist"))
    assert {r.program for r in page.context["cl"].result_list} == {program, other_program}


def test_mentors_do_not_reach_the_admins_runs(client, program, mentor):
    services.retention_apply(now=at(dt.date(2026, 3, 1)))
    client.force_login(mentor)
    page = client.get(reverse("admin:retention_retentionrun_changelist"))
    assert page.status_code == 302 and "/login/" in page["Location"]


def test_only_a_superuser_changes_the_retention_settings(client, program, coordinator):
    client.force_login(coordinator)
    page = client.get(reverse("admin:mentorprogram_program_change", args=[program.pk]))
    form = page.context["adminform"].form
    assert "mentee_notes_retention_months" not in form.fields
    assert "Keep mentee notes for (months)" in page.content.decode()


def test_a_superuser_sets_the_retention_periods_and_nonsense_is_refused(client, program, superuser):
    from tests.mentorprogram.test_privacy_threshold import change_url, form_data

    client.force_login(superuser)
    saved = client.post(change_url(program), form_data(program, mentee_notes_retention_months="36",
                                                       alumni_retention_months="84"))
    assert saved.status_code == 302
    program.refresh_from_db()
    assert (program.mentee_notes_retention_months, program.alumni_retention_months) == (36, 84)

    refused = client.post(change_url(program), form_data(program, mentee_notes_retention_months="0"))
    assert "mentee_notes_retention_months" in refused.context["adminform"].form.errors
    program.refresh_from_db()
    assert program.mentee_notes_retention_months == 36


def test_the_command_says_what_a_dry_run_would_remove_and_removes_nothing(program):
    import io

    from django.core.management import call_command

    mentee = ended_mentee(program, ended_on=dt.date(2000, 1, 31))
    before = private_text_of(mentee)

    out = io.StringIO()
    call_command("apply_retention", dry_run=True, stdout=out)
    assert out.getvalue() == (f"{program}: mentees anonymised 1; mentee meeting notes removed 1; "
                              "mentee goals removed 1 — a dry run: nothing was removed.\n")
    assert private_text_of(mentee) == before
    assert not RetentionRun.objects.exists()

    call_command("apply_retention", stdout=io.StringIO())
    assert private_text_of(mentee) == CLEARED
    out = io.StringIO()
    call_command("apply_retention", stdout=out)
    assert out.getvalue() == f"{program}: nothing is due.\n"
    assert RetentionRun.objects.get(program=program).mentees == 1


@pytest.mark.parametrize("days", [2, 30])
def test_the_runs_list_makes_the_same_queries_for_few_and_many_runs(client, program, coordinator, cold, days):
    from tests.factories.retention import RetentionRunFactory

    RetentionRunFactory.create_batch(days, program=program)
    client.force_login(coordinator)
    with cold(RUNS_LIST_QUERIES):
        page = client.get(reverse("admin:retention_retentionrun_changelist"))
    assert len(page.context["cl"].result_list) == days


def test_an_anonymised_alumnas_name_address_and_words_leave_the_audit_trail(program, alumna):
    from mentorprogram.models import AuditEntry

    def trail_text() -> str:
        return " ".join(f"{e.object_repr} {e.changes} {e.actor_email}" for e in AuditEntry.objects.all())

    assert "Dr. Alma Alumna" in trail_text() and "Dr. Reyes" in trail_text()  # the trail saw them
    services.program_retention_apply(program=program, now=at(dt.date(2026, 3, 1), hour=0))
    text = trail_text()
    assert "Dr. Alma Alumna" not in text and "alumna@example.org" not in text and "Dr. Reyes" not in text
    # It keeps that it happened.
    assert AuditEntry.objects.filter(person_id=alumna.pk, additional_data__event="erasure").count() == 1
