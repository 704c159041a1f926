"""Meeting reminder emails and their delivery state (DESIGN §5).

One row per email that should reach one person: a reminder (one per meeting, person and lead
time) or a notice that the meeting changed or was cancelled (one per meeting, person and
calendar SEQUENCE). Whether and when it was sent is kept by its ``OutboundEmail`` in the
outbox (mentorprogram/outbox/), which every automatic email shares."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from community.models import Meeting
from mentorprogram.models import OutboundEmail


class ReminderDelivery(models.Model):
    class Kind(models.TextChoices):
        REMINDER = "reminder", "Reminder"
        UPDATE = "update", "Change notice"
        CANCELLATION = "cancellation", "Cancellation"

    Status = OutboundEmail.Status

    MANUAL_LEAD = 0
    """``lead_days`` of a reminder a coordinator sent with "send reminders now"."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="reminder_deliveries")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminder_deliveries")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.REMINDER)
    lead_days = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Days before the meeting (reminders only; 0 = sent by a coordinator).",
    )
    sequence = models.PositiveIntegerField(
        null=True, blank=True, help_text="The meeting's calendar SEQUENCE this notice announces (notices only).",
    )
    sent_sequence = models.PositiveIntegerField(
        null=True, blank=True, help_text="The calendar SEQUENCE of the invitation this email carried.",
    )
    email = models.OneToOneField(OutboundEmail, on_delete=models.CASCADE, related_name="reminder_delivery",
                                 help_text="The email in the outbox, with its delivery state.")
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = "reminder delivery"
        verbose_name_plural = "reminder deliveries"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "user", "lead_days"], condition=Q(kind="reminder"),
                name="reminder_once_per_meeting_person_lead",
            ),
            models.UniqueConstraint(
                fields=["meeting", "user", "kind", "sequence"], condition=~Q(kind="reminder"),
                name="notice_once_per_meeting_person_sequence",
            ),
            models.CheckConstraint(
                condition=(Q(kind="reminder", lead_days__isnull=False, sequence__isnull=True)
                           | (~Q(kind="reminder") & Q(lead_days__isnull=True, sequence__isnull=False))),
                name="reminder_has_lead_notice_has_sequence",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.describe()} to {self.user} for {self.meeting}"

    def describe(self) -> str:
        if self.kind != self.Kind.REMINDER:
            return self.get_kind_display()
        if self.lead_days == self.MANUAL_LEAD:
            return "Reminder sent by a coordinator"
        return f"Reminder {self.lead_days} day{'s' if self.lead_days != 1 else ''} ahead"
