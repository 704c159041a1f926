"""Retention: what each program keeps, and for how long, applied every night (retention.tasks).

Two periods per program (Program → Settings › Retention; defaults in mentorprogram.models):

- **Mentee notes and free text**, ``mentee_notes_retention_months`` after a mentee's last
  mentorship ended. ``ended_on`` is the mentorship's last day, so the notes are kept for the
  half-open period from the day after it (toolbox.periods.kept_for) and removed on its end. A
  mentee with a mentorship that has not ended (active or paused) is kept whatever the dates.
- **Alumni records**, ``alumni_retention_months`` after a person left. A person is an *alumnus* of
  a program when every membership of theirs in it has the status alumni; they left on the latest
  ``left_on`` of those memberships (its first day as alumni). A membership without ``left_on`` is
  kept.

Removing is clearing text, never deleting rows: dates, durations, statuses and counts stay, so
the program's reports and published aggregates do not change. Every function here only writes
what is not already cleared, which makes a second run a no-op that counts nothing.
"""

from __future__ import annotations

import datetime
from collections import Counter

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.socialaccount.models import SocialAccount
from django.db import transaction
from django.db.models import Count, F, Max, Q, QuerySet
from django.utils import timezone

from accountability.models import Mentee, MenteeGoal, MenteeMeeting, Mentorship, PlanItem, PlanItemChange
from assessments.models import Answer, Response
from community.models import Challenge
from mentorprogram import audit
from mentorprogram.models import Membership, OutboundEmail, Program, User
from toolbox import periods

from .models import RetentionRun

FORMER_MENTEE = "Former mentee"
REMOVED_TEXT = "Removed at the end of the program's retention period."
"""Stands in for a required text (a goal's wording, a challenge), so that pages and the admin
still have something to show and link."""
ANONYMISED_DOMAIN = "removed.invalid"
PLAN_ITEM_FREE_TEXT = ("description", "evidence")


def mentee_notes_last_due_end(*, program: Program, today: datetime.date) -> datetime.date:
    """The latest mentorship end (its last day) whose mentee's notes are due for removal ``today``."""
    first_day_after = periods.latest_start_expired(today, program.mentee_notes_retention_months)
    return first_day_after - datetime.timedelta(days=1)


def mentees_due(*, program: Program, today: datetime.date) -> QuerySet[Mentee]:
    """The program's mentees whose every mentorship ended, the last one long enough ago."""
    return (
        Mentee.objects.filter(program=program)
        .annotate(last_end=Max("mentorships__ended_on"),
                  not_ended=Count("mentorships", filter=~Q(mentorships__status="ended")))
        .filter(not_ended=0, last_end__lte=mentee_notes_last_due_end(program=program, today=today))
    )


def mentee_private_data_remove(*, mentees: QuerySet[Mentee]) -> Counter:
    """Clear what a mentor wrote about these mentees: name (to “Former mentee”), email, department,
    career stage, meeting notes, goals' wording (to ``REMOVED_TEXT``) and notes. Dates, durations
    and statuses stay."""
    ids = list(mentees.values_list("pk", flat=True))
    # The records cleared tonight: the audit trail's entries about them, and about everything
    # named after them (mentorships, meetings, goals), lose the same words.
    named = list(Mentee.objects.filter(pk__in=ids).exclude(name=FORMER_MENTEE, email="", department="",
                                                          career_stage="").values_list("pk", flat=True))
    counts = Counter()
    counts["mentee_meetings"] = MenteeMeeting.objects.filter(mentee_id__in=ids).exclude(notes="").update(notes="")
    counts["mentee_goals"] = (MenteeGoal.objects.filter(mentee_id__in=ids).exclude(text=REMOVED_TEXT, notes="")
                              .update(text=REMOVED_TEXT, notes=""))
    counts["mentees"] = (Mentee.objects.filter(pk__in=named)
                         .update(name=FORMER_MENTEE, email="", department="", career_stage=""))
    if named:
        audit.scrub_rows(Mentee.objects.filter(pk__in=named), *(model.objects.filter(mentee_id__in=named)
                                                                 for model in (Mentorship, MenteeMeeting, MenteeGoal)))
    return counts


def alumni_due(*, program: Program, today: datetime.date) -> QuerySet[User]:
    """The program's alumni whose record is due: every membership of theirs in the program is alumni
    and began being so (``left_on``) at least the program's alumni retention before ``today``."""
    last_due = periods.latest_start_expired(today, program.alumni_retention_months)
    kept = Membership.objects.filter(program=program).exclude(status=Membership.Status.ALUMNI, left_on__lte=last_due)
    return (User.objects.filter(memberships__program=program).exclude(pk__in=kept.values("user"))
            .distinct().order_by("pk"))


def _alumni_record_is_due(membership: Membership, now: datetime.datetime) -> bool:
    if membership.status != Membership.Status.ALUMNI or membership.left_on is None:
        return False
    program = membership.program
    today = periods.local_today(program.time_zone, now)
    return periods.kept_for(membership.left_on, program.alumni_retention_months).end <= today


def alumni_record_remove(*, user: User, program: Program, now: datetime.datetime) -> Counter:
    """Remove a person's alumni record in one program: the free text they wrote there (mentee
    records, free-text answers, plan items' descriptions and evidence with their history,
    challenges) and their department. Their account is anonymised too once no program keeps
    them (``account_anonymise``). Self-contained for now; one erasure service will share it."""
    counts = mentee_private_data_remove(mentees=Mentee.objects.filter(program=program, mentor=user))
    counts["answers"] = (Answer.objects.filter(response__user=user, response__program=program)
                         .exclude(text="").update(text=""))
    items = PlanItem.objects.filter(plan__mentor=user, plan__program=program)
    counts["plan_items"] = items.exclude(description="", evidence="").update(description="", evidence="")
    for change in PlanItemChange.objects.filter(item__in=items).only("pk", "changes"):
        kept = {field: (["", ""] if field in PLAN_ITEM_FREE_TEXT else values)
                for field, values in change.changes.items()}
        if kept != change.changes:
            PlanItemChange.objects.filter(pk=change.pk).update(changes=kept)
    counts["challenges"] = (Challenge.objects.filter(author=user, program=program).exclude(text=REMOVED_TEXT)
                            .update(text=REMOVED_TEXT))
    memberships_here = Membership.objects.filter(user=user, program=program)
    counts["memberships"] = memberships_here.exclude(department="").update(department="")
    # The trail's entries about what was cleared lose those words too, even while another
    # program keeps the account (once none does, account_anonymise scrubs the whole trail).
    audit.scrub_rows(Response.objects.filter(user=user, program=program), items, memberships_here)
    memberships = list(user.memberships.select_related("program"))
    if memberships and all(_alumni_record_is_due(m, now) for m in memberships):
        counts["accounts"] = account_anonymise(user=user)
    return counts


def anonymised_email(user: User) -> str:
    return f"former-member-{user.pk}@{ANONYMISED_DOMAIN}"


def account_anonymise(*, user: User) -> int:
    """Make an account nobody's: no name, an address that reaches no one, no password, sign-in
    identities or second factors, and the email bookkeeping of what was sent to it emptied. 1 when
    it changed, 0 when it was already anonymous. A superuser's account is never anonymised here."""
    if user.is_superuser or user.email == anonymised_email(user):
        return 0
    user.email = anonymised_email(user)
    user.display_name = ""
    user.is_active = user.is_staff = False
    user.set_unusable_password()  # also ends every session: its hash no longer matches
    user.save(update_fields=["email", "display_name", "is_active", "is_staff", "password"])
    EmailAddress.objects.filter(user=user).delete()
    SocialAccount.objects.filter(user=user).delete()
    Authenticator.objects.filter(user=user).delete()
    # What waits to be sent to them is not sent; one a worker holds right now is left to finish.
    emails = OutboundEmail.objects.filter(user=user).exclude(status=OutboundEmail.Status.SENDING)
    emails.filter(status=OutboundEmail.Status.QUEUED).update(status=OutboundEmail.Status.SKIPPED)
    emails.update(to_address="", subject="", body_text="", body_html="", context={})
    # The audit trail keeps that their data changed, not their name, address or words (as an erasure does).
    audit.scrub_person(user)
    return 1


def program_retention_apply(*, program: Program, now: datetime.datetime | None = None) -> RetentionRun:
    """Apply one program's retention as of ``now`` (in the program's zone), in one transaction,
    and add what it removed to that day's ``RetentionRun``."""
    now = now or timezone.now()
    today = periods.local_today(program.time_zone, now)
    with transaction.atomic():
        counts = mentee_private_data_remove(mentees=mentees_due(program=program, today=today))
        for user in alumni_due(program=program, today=today):
            counts += alumni_record_remove(user=user, program=program, now=now)
        run, _ = RetentionRun.objects.get_or_create(program=program, applied_on=today)
        RetentionRun.objects.filter(pk=run.pk).update(
            last_ran_at=now, runs=F("runs") + 1, **{kind: F(kind) + n for kind, n in counts.items() if n},
        )
    run.refresh_from_db()
    return run


def retention_apply(*, now: datetime.datetime | None = None) -> list[RetentionRun]:
    """Apply every program's retention (the nightly task)."""
    return [program_retention_apply(program=program, now=now) for program in Program.objects.order_by("pk")]
