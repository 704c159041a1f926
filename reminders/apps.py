from __future__ import annotations

from django.apps import AppConfig


class RemindersConfig(AppConfig):
    name = "reminders"
    verbose_name = "Meeting reminders"

    def ready(self) -> None:
        from mentorprogram.models import OutboundEmail
        from mentorprogram.outbox import register

        from .services.sending import MeetingComposer

        register(OutboundEmail.Kind.MEETING, MeetingComposer())
