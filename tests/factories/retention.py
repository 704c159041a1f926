"""Factories for the retention job's record."""

from __future__ import annotations

import datetime as dt

import factory

from retention.models import RetentionRun

from .core import ProgramFactory


class RetentionRunFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RetentionRun

    program = factory.SubFactory(ProgramFactory)
    applied_on = factory.Sequence(lambda n: dt.date(2026, 1, 1) + dt.timedelta(days=n))
    runs = 1
    mentee_meetings = 3


PROGRAM_OBJECT_FACTORIES = {RetentionRun: lambda program: RetentionRunFactory(program=program)}
