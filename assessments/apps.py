from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "assessments"

    def ready(self) -> None:
        from mentorprogram.models import OutboundEmail
        from mentorprogram.outbox import register

        from .follow_ups import FollowUpComposer

        register(OutboundEmail.Kind.FOLLOW_UP, FollowUpComposer())
