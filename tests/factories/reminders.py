"""Factories for reminders."""

from __future__ import annotations

import factory
from django.utils import timezone

from mentorprogram.models import OutboundEmail
from reminders.models import ReminderDelivery

from .community import MeetingFactory, MeetingSeriesFactory
from .core import OutboundEmailFactory, UserFactory


class ReminderDeliveryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReminderDelivery

    meeting = factory.SubFactory(MeetingFactory)
    user = factory.SubFactory(UserFactory)
    kind = ReminderDelivery.Kind.REMINDER
    lead_days = 7
    created_at = factory.LazyFunction(timezone.now)
    email = factory.SubFactory(
        OutboundEmailFactory, kind=OutboundEmail.Kind.MEETING, user=factory.SelfAttribute("..user"),
        program=factory.SelfAttribute("..meeting.series.program"), subject="", body_text="",
        dedupe_key=factory.LazyAttribute(lambda o: f"{o.factory_parent.meeting.pk}:{o.factory_parent.user.pk}:"
                                                   f"{o.factory_parent.kind}:{o.factory_parent.lead_days}"),
    )


PROGRAM_OBJECT_FACTORIES = {
    ReminderDelivery: lambda program: ReminderDeliveryFactory(
        meeting=MeetingFactory(series=MeetingSeriesFactory(program=program)),
    ),
}
