"""Factories for requirements, mentee records and plans."""

from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone

from accountability.models import (
    AccountabilityPlan,
    FeedbackRequest,
    FeedbackRound,
    FeedbackSchedule,
    Mentee,
    MenteeGoal,
    MenteeMeeting,
    Mentorship,
    Nudge,
    PlanItem,
    ReportingRequirement,
)
from mentorprogram.models import Membership, OutboundEmail, User

from .core import OutboundEmailFactory, ProgramFactory, UserFactory, make_member


class ReportingRequirementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReportingRequirement

    program = factory.SubFactory(ProgramFactory)
    metric = ReportingRequirement.Metric.MENTEE_MEETINGS
    target = 1
    period = ReportingRequirement.Period.MONTH


class MenteeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Mentee
        skip_postgeneration_save = True

    program = factory.SubFactory(ProgramFactory)
    mentor = factory.LazyAttribute(lambda o: make_member(o.program, Membership.Role.MENTOR))
    name = factory.Faker("name")
    department = "Medicine"
    career_stage = "Assistant professor"

    @factory.post_generation
    def mentorship(self, create, extracted, **kwargs):
        if create and extracted is not False:
            Mentorship.objects.create(mentee=self, started_on=kwargs.get("started_on", dt.date(2024, 7, 1)))


class MenteeMeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MenteeMeeting

    mentee = factory.SubFactory(MenteeFactory)
    held_on = dt.date(2025, 9, 10)
    duration_minutes = 45
    mode = MenteeMeeting.Mode.IN_PERSON
    notes = "Talked through the grant resubmission; she worries about the timeline."


class MenteeGoalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MenteeGoal

    mentee = factory.SubFactory(MenteeFactory)
    text = "Submit the K23 application"
    set_on = dt.date(2025, 9, 10)
    notes = "Needs a second reader for the specific aims."


class AccountabilityPlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AccountabilityPlan

    program = factory.SubFactory(ProgramFactory)
    mentor = factory.LazyAttribute(lambda o: make_member(o.program, Membership.Role.MENTOR))
    period_start = dt.date(2025, 7, 1)
    period_end = dt.date(2026, 7, 1)


class PlanItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PlanItem

    plan = factory.SubFactory(AccountabilityPlanFactory)
    title = factory.Sequence(lambda n: f"Plan item {n}")
    due_on = dt.date(2025, 12, 1)


class NudgeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Nudge

    program = factory.SubFactory(ProgramFactory)
    person = factory.LazyAttribute(lambda o: make_member(o.program, Membership.Role.MENTOR))
    kind = Nudge.Kind.ITEM_OVERDUE
    key = factory.Sequence(lambda n: f"item:{n}")
    email = factory.SubFactory(
        OutboundEmailFactory, kind=OutboundEmail.Kind.NUDGE, user=factory.SelfAttribute("..person"),
        program=factory.SelfAttribute("..program"), subject="", body_text="",
        dedupe_key=factory.LazyAttribute(lambda o: f"{o.factory_parent.person.pk}:{o.factory_parent.kind}:"
                                                   f"{o.factory_parent.key}"),
    )

    class Params:
        # Claimed by a worker (now, unless email__claimed_at is given) that has not finished with it.
        sending = factory.Trait(email__sending=True)
        failed = factory.Trait(
            email__failed=True,
            email__last_error="The mail server answered 451 Try again later (gave up after 5 attempts)")


def make_mentee_person(mentee: Mentee, *, accepted: bool = True, usable_password: bool = True):
    """Give the mentee record an account of its own (password TEST_PASSWORD), invited and (by
    default) accepted."""
    user = UserFactory(email=mentee.email or f"mentee{mentee.pk}@example.org", display_name=mentee.name)
    if not usable_password:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    now = timezone.now()
    Mentee.objects.filter(pk=mentee.pk).update(user=user, invited_at=now, accepted_at=now if accepted else None)
    mentee.refresh_from_db()
    return user


class FeedbackScheduleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FeedbackSchedule

    program = factory.SubFactory(ProgramFactory)
    after_meetings = None


class FeedbackRoundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FeedbackRound

    schedule = factory.SubFactory(FeedbackScheduleFactory)
    name = "Mid-year"
    opens_on = dt.date(2026, 1, 15)


class FeedbackRequestFactory(factory.django.DjangoModelFactory):
    """An unanswered request (no email); answer it with ``answer_feedback``."""

    class Meta:
        model = FeedbackRequest

    mentee = factory.SubFactory(MenteeFactory)
    program = factory.SelfAttribute("mentee.program")
    mentor = factory.SelfAttribute("mentee.mentor")
    key = factory.Sequence(lambda n: f"round:{n}")
    reason = "Mid-year"
    asked_at = factory.LazyFunction(timezone.now)


def answer_feedback(request: FeedbackRequest, *, rating: int = 6, comment: str = "", share: bool = False,
                    now=None) -> FeedbackRequest:
    """Answer every item of the program's mentee-feedback form with ``rating``, through the service."""
    from accountability import feedback
    from assessments.scoring import AnswerValue

    structure = feedback.request_structure(request)
    answers = {item.pk: AnswerValue(rating=rating) for item in structure.items}
    return feedback.feedback_submit(request=request, answers=answers, structure=structure, comment=comment,
                                    share_with_mentor=share, now=now)


def mentees_who_answered(mentor, program, n: int, *, rating: int = 6, comment: str = "", share: bool = False):
    """``n`` mentees of ``mentor`` with accounts, each having answered one request."""
    result = []
    for _ in range(n):
        mentee = MenteeFactory(program=program, mentor=mentor)
        make_mentee_person(mentee)
        result.append(answer_feedback(FeedbackRequestFactory(mentee=mentee), rating=rating, comment=comment,
                                      share=share))
    return result


PROGRAM_OBJECT_FACTORIES = {
    FeedbackSchedule: lambda program: FeedbackScheduleFactory(program=program),
    ReportingRequirement: lambda program: ReportingRequirementFactory(program=program),
    Mentee: lambda program: MenteeFactory(program=program),
    AccountabilityPlan: lambda program: AccountabilityPlanFactory(program=program),
    Nudge: lambda program: NudgeFactory(program=program),
}


def program_of_mentees(program, mentors: int) -> None:
    """``mentors`` other mentors, each with a mentee who has an account, a meeting, a goal and a
    feedback request: written in bulk, so that a thousand cost seconds, not minutes."""
    tag = f"{program.pk}-{mentors}"
    users = User.objects.bulk_create(
        [User(email=f"mentor{i}-{tag}@example.org", display_name=f"Mentor {i}") for i in range(mentors)]
        + [User(email=f"mentee{i}-{tag}@example.org", display_name=f"Mentee {i}") for i in range(mentors)])
    mentor_users, mentee_users = users[:mentors], users[mentors:]
    Membership.objects.bulk_create([Membership(user=u, program=program, role=Membership.Role.MENTOR)
                                    for u in mentor_users])
    now = timezone.now()
    records = Mentee.objects.bulk_create([
        Mentee(program=program, mentor=m, user=u, name=u.display_name, email=u.email, invited_at=now, accepted_at=now)
        for m, u in zip(mentor_users, mentee_users, strict=True)])
    Mentorship.objects.bulk_create([Mentorship(mentee=r, started_on=dt.date(2024, 7, 1)) for r in records])
    MenteeMeeting.objects.bulk_create([MenteeMeeting(mentee=r, held_on=dt.date(2025, 9, 10), duration_minutes=45)
                                       for r in records])
    MenteeGoal.objects.bulk_create([MenteeGoal(mentee=r, text="Submit a K award", set_on=dt.date(2025, 9, 10))
                                    for r in records])
    FeedbackRequest.objects.bulk_create([
        FeedbackRequest(mentee=r, program=program, mentor=r.mentor, key="round:1", reason="Mid-year", asked_at=now)
        for r in records])
