"""Factories for the training catalog, reading material and completions."""

from __future__ import annotations

import datetime
from decimal import Decimal

import factory
from django.utils import timezone

from courses.models import Completion, Course, CourseDomain, CourseSession, QuickGuide, Reading, Theme
from courses.selectors import academic_start_month_for
from toolbox.periods import academic_year_of, local_today

from .core import make_member


class ThemeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Theme
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"theme {n}")
    slug = factory.LazyAttribute(lambda t: t.name.replace(" ", "-"))


class CourseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Course
        skip_postgeneration_save = True

    program = None
    title = factory.Sequence(lambda n: f"Course {n:04d}")
    provider = "Faculty Development Office"
    modality = Course.Modality.WORKSHOP_SERIES
    description = "A workshop on mentoring."
    cme_credit_hours = Decimal("0")

    @factory.post_generation
    def domains(self, create, extracted, **kwargs):
        if create and extracted:
            CourseDomain.objects.bulk_create([CourseDomain(course=self, domain_key=k) for k in extracted])

    @factory.post_generation
    def themes(self, create, extracted, **kwargs):
        if create and extracted:
            self.themes.add(*extracted)


class CourseSessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CourseSession

    course = factory.SubFactory(CourseFactory)
    starts_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=10))
    ends_at = factory.LazyAttribute(lambda s: s.starts_at + datetime.timedelta(hours=2))


class CompletionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Completion

    course = factory.SubFactory(CourseFactory, cme_credit_hours=Decimal("2.5"))
    status = Completion.Status.COMPLETED
    completed_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=3))
    credit_hours = Decimal("2.5")

    @factory.lazy_attribute
    def academic_year(self):
        day = self.completed_on if self.status == Completion.Status.COMPLETED else local_today(self.user.time_zone)
        return academic_year_of(day, academic_start_month_for(person=self.user))


class ReadingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Reading

    program = None
    title = factory.Sequence(lambda n: f"Reading {n}")
    citation = factory.LazyAttribute(lambda r: f"Author A. {r.title}. Journal of Examples. 2020;1:1–10.")
    url = "https://example.org/reading"
    year = 2020


class QuickGuideFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = QuickGuide

    program = None
    title = factory.Sequence(lambda n: f"Guide {n}")
    body = "## Start well\n\nAgree on how often you meet."


def _completion_of(program):
    return CompletionFactory(user=make_member(program), course__program=program)


PROGRAM_OBJECT_FACTORIES = {
    Course: lambda program: CourseFactory(program=program),
    Reading: lambda program: ReadingFactory(program=program),
    QuickGuide: lambda program: QuickGuideFactory(program=program),
    Completion: _completion_of,
}
