"""Factories for the Mentor Community."""

from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone

from community.models import (
    AgendaItem,
    Attendance,
    Challenge,
    Meeting,
    MeetingSeries,
    MentorCommunity,
    ProcessAgreement,
    ResourcePerson,
    Rsvp,
    Topic,
)

from .core import ProgramFactory, UserFactory
from .courses import ReadingFactory


class MentorCommunityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MentorCommunity
        django_get_or_create = ["program"]

    program = factory.SubFactory(ProgramFactory)
    purpose = "We meet monthly to learn from each other and support our mentees."


class ResourcePersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ResourcePerson

    program = factory.SubFactory(ProgramFactory)
    name = factory.Faker("name")
    role = "Associate Dean for Faculty Development"
    affiliation = "School of Medicine"


class MeetingSeriesFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MeetingSeries

    program = factory.SubFactory(ProgramFactory)
    title = "Monthly meeting"
    rrule = "FREQ=MONTHLY;BYDAY=2TU"
    first_date = dt.date(2026, 1, 1)
    start_time = dt.time(12, 0)
    duration_minutes = 60
    place = "Alway Building, room M114"
    video_url = "https://video.example.org/j/123456"


class MeetingFactory(factory.django.DjangoModelFactory):
    """A single meeting, by default a week from now. ``with_reading=True`` gives it a reading of
    its program's own (``reading__title=…`` and the like set its fields)."""

    class Meta:
        model = Meeting

    class Params:
        with_reading = factory.Trait(
            reading=factory.SubFactory(ReadingFactory, program=factory.SelfAttribute("..series.program")),
        )

    series = factory.SubFactory(MeetingSeriesFactory)
    starts_at = factory.LazyFunction(
        lambda: (timezone.now() + dt.timedelta(days=7)).replace(minute=0, second=0, microsecond=0)
    )
    occurrence_start = factory.SelfAttribute("starts_at")
    ends_at = factory.LazyAttribute(lambda m: m.starts_at + dt.timedelta(hours=1))
    place = factory.SelfAttribute("series.place")
    video_url = factory.SelfAttribute("series.video_url")


class AgendaItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AgendaItem

    meeting = factory.SubFactory(MeetingFactory)
    position = factory.Sequence(int)
    topic = factory.LazyFunction(lambda: Topic.objects.order_by("position").first())
    text = ""


class RsvpFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Rsvp

    meeting = factory.SubFactory(MeetingFactory)
    user = factory.SubFactory(UserFactory)
    answer = Rsvp.Answer.YES
    answered_at = factory.LazyFunction(timezone.now)


class AttendanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Attendance

    meeting = factory.SubFactory(MeetingFactory)
    user = factory.SubFactory(UserFactory)
    present = True


class ChallengeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Challenge

    program = factory.SubFactory(ProgramFactory)
    author = factory.SubFactory(UserFactory)
    text = "My mentee keeps cancelling our meetings. How do I raise it without sounding cross?"
    anonymous = False
    submitted_at = factory.LazyFunction(timezone.now)


class ProcessAgreementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProcessAgreement

    program = factory.SubFactory(ProgramFactory)
    version = factory.Sequence(lambda n: n + 1)
    confidentiality = "What a mentee tells us stays between us unless someone is at risk."
    meeting_frequency = "Mentors meet each mentee at least once a month."
    published_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=1))


def _member_of(program):
    from mentorprogram.models import Membership

    from .core import make_member

    return make_member(program, Membership.Role.MENTOR)


PROGRAM_OBJECT_FACTORIES = {
    MentorCommunity: lambda program: MentorCommunityFactory(program=program),
    ResourcePerson: lambda program: ResourcePersonFactory(program=program),
    MeetingSeries: lambda program: MeetingSeriesFactory(program=program),
    Meeting: lambda program: MeetingFactory(series=MeetingSeriesFactory(program=program)),
    Challenge: lambda program: ChallengeFactory(program=program, author=_member_of(program)),
    ProcessAgreement: lambda program: ProcessAgreementFactory(program=program),
}
