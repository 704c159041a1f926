from __future__ import annotations

from django.apps import AppConfig


class AccountabilityConfig(AppConfig):
    name = "accountability"

    def ready(self) -> None:
        from mentorprogram.models import OutboundEmail
        from mentorprogram.outbox import register

        from .feedback import FeedbackRequestComposer
        from .mentees import MenteeInvitationComposer
        from .nudges import NudgeComposer

        register(OutboundEmail.Kind.NUDGE, NudgeComposer())
        register(OutboundEmail.Kind.MENTEE_INVITATION, MenteeInvitationComposer())
        register(OutboundEmail.Kind.MENTEE_FEEDBACK, FeedbackRequestComposer())
