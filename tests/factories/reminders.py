"""Factories for reminders."""

from __future__ import annotations

import factory
from django.utils import timezone

from reminders.models import ReminderDelivery

from .community import MeetingFactory, MeetingSeriesFactory
from .core import UserFactory


class ReminderDeliveryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReminderDelivery

    meeting = factory.SubFactory(MeetingFactory)
    user = factory.SubFactory(UserFactory)
    kind = ReminderDelivery.Kind.REMINDER
    lead_days = 7
    created_at = factory.LazyFunction(timezone.now)


PROGRAM_OBJECT_FACTORIES = {
    ReminderDelivery: lambda program: ReminderDeliveryFactory(
        meeting=MeetingFactory(series=MeetingSeriesFactory(program=program)),
    ),
}
