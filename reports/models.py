"""What the program report has published: the state its differencing rule needs (reports/disclosure.py)."""

from __future__ import annotations

from django.db import models

from mentorprogram.models import Program


class FigureRelease(models.Model):
    """One publication of a group of figures that rest on the same ``n`` people (a row of the report).

    Kept for good: whether a group may be computed afresh depends on every ``n`` it was ever
    published at, and what is shown until then is the last one of these.
    """

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="figure_releases")
    key = models.CharField(max_length=200, help_text="Which figures: section, row and what the row is about.")
    n = models.PositiveIntegerField(help_text="How many people the figures rest on.")
    values = models.JSONField()
    released_at = models.DateTimeField()

    class Meta:
        ordering = ["program", "key", "pk"]
        indexes = [models.Index(fields=["program", "key"])]

    def __str__(self) -> str:
        return f"{self.key} at {self.n}"


class ReleaseLedger(models.Model):
    """A program's release counter: a report records new releases only if no other report did
    since it read them (a conditional UPDATE of ``version``), so two reports computed at the same
    moment cannot both publish a group at nearby ``n``."""

    program = models.OneToOneField(Program, on_delete=models.CASCADE, primary_key=True,
                                   related_name="release_ledger")
    version = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.program}: {self.version}"
