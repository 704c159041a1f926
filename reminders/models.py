"""Meeting reminder emails and their delivery state (DESIGN §5).

One row per email that should reach one person: a reminder (one per meeting, person and lead
time) or a notice that the meeting changed or was cancelled (one per meeting, person and
calendar SEQUENCE). The row is the source of truth for "was it sent": workers claim it with a
conditional update before talking to the mail server and mark it sent right after."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from community.models import Meeting


class ReminderDelivery(models.Model):
    class Kind(models.TextChoices):
        REMINDER = "reminder", "Reminder"
        UPDATE = "update", "Change notice"
        CANCELLATION = "cancellation", "Cancellation"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        SKIPPED = "skipped", "Not sent"

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
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    sent_sequence = models.PositiveIntegerField(
        null=True, blank=True, help_text="The calendar SEQUENCE of the invitation this email carried.",
    )
    claim_token = models.CharField(max_length=80, blank=True, editable=False)
    claimed_at = models.DateTimeField(null=True, blank=True, editable=False)
    enqueued_at = models.DateTimeField(null=True, blank=True, editable=False)
    next_attempt_at = models.DateTimeField(null=True, blank=True, editable=False)
    dispatch_token = models.CharField(max_length=40, blank=True, editable=False)
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)

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
            models.CheckConstraint(
                condition=~Q(status="sent") | Q(sent_at__isnull=False, sent_sequence__isnull=False),
                name="sent_delivery_has_time_and_sequence",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "claimed_at"]),
            models.Index(fields=["dispatch_token"]),
        ]

    def __str__(self) -> str:
        return f"{self.describe()} to {self.user} for {self.meeting}"

    def describe(self) -> str:
        if self.kind != self.Kind.REMINDER:
            return self.get_kind_display()
        if self.lead_days == self.MANUAL_LEAD:
            return "Reminder sent by a coordinator"
        return f"Reminder {self.lead_days} day{'s' if self.lead_days != 1 else ''} ahead"
