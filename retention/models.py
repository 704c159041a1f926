"""What the nightly retention job removed, per program and day (retention/services.py).

One row per program and day it ran: running the job again the same day adds what that run
removed (nothing, once the first run has done its work), so the list shows each day once."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from mentorprogram.models import Program

COUNTED_KINDS = (
    ("mentees", "mentees anonymised"),
    ("mentee_meetings", "mentee meeting notes removed"),
    ("mentee_goals", "mentee goals removed"),
    ("answers", "free-text answers removed"),
    ("plan_items", "plan item texts removed"),
    ("challenges", "challenge texts removed"),
    ("memberships", "alumni departments removed"),
    ("accounts", "accounts anonymised"),
)


def _count(label: str) -> models.PositiveIntegerField:
    return models.PositiveIntegerField(label, default=0)


class RetentionRun(models.Model):
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="retention_runs")
    applied_on = models.DateField(help_text="The program's date the retention periods were measured to.")
    last_ran_at = models.DateTimeField(default=timezone.now)
    runs = models.PositiveSmallIntegerField("times run that day", default=0)
    mentees = _count("mentees anonymised")
    mentee_meetings = _count("mentee meeting notes removed")
    mentee_goals = _count("mentee goals removed")
    answers = _count("free-text answers removed")
    plan_items = _count("plan item texts removed")
    challenges = _count("challenge texts removed")
    memberships = _count("alumni departments removed")
    accounts = _count("accounts anonymised")

    class Meta:
        verbose_name = "retention run"
        ordering = ["-applied_on", "program"]
        constraints = [
            models.UniqueConstraint(fields=["program", "applied_on"], name="retention_run_once_per_day"),
        ]

    def __str__(self) -> str:
        return f"{self.program}: retention on {self.applied_on}"

    @property
    def total(self) -> int:
        return sum(getattr(self, kind) for kind, _ in COUNTED_KINDS)
