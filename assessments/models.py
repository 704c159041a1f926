"""Self-assessment instruments and responses (DESIGN §3).

Instrument → InstrumentVersion → Domain → Item. A version is frozen once any response to it
is submitted: edits go into a new version, and old responses keep pointing at theirs.
Domains carry a stable ``key`` shared by every version of an instrument, so that courses,
plans and reports can speak of "the communication domain" whatever the version.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from mentorprogram.models import Program


class Instrument(models.Model):
    """A self-assessment. ``program`` empty means a shared default every program uses."""

    class Kind(models.TextChoices):
        READINESS = "readiness", "Mentor Readiness Checklist"
        SKILLS = "skills", "Mentor Skills Inventory"
        OTHER = "other", "Other self-assessment"
        MENTEE_FEEDBACK = "mentee_feedback", "Mentee feedback on their mentor"

    program = models.ForeignKey(
        Program, null=True, blank=True, on_delete=models.CASCADE, related_name="instruments",
        help_text="Leave empty for an instrument every program uses.",
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    slug = models.SlugField(max_length=80)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["program", "slug"], name="instrument_unique_slug_per_program"),
            models.UniqueConstraint(fields=["slug"], condition=Q(program__isnull=True),
                                    name="instrument_unique_shared_slug"),
        ]

    def __str__(self) -> str:
        return self.name


class InstrumentVersion(models.Model):
    instrument = models.ForeignKey(Instrument, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    published_at = models.DateTimeField(null=True, blank=True, help_text="Unpublished versions cannot be taken.")
    created_at = models.DateTimeField(auto_now_add=True)
    licence = models.TextField(
        blank=True, help_text="Who holds the rights to the wording and on what terms the program uses it "
                              "(kept with an imported file and written into every export).",
    )

    class Meta:
        ordering = ["instrument", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["instrument", "number"], name="version_unique_number"),
        ]

    def __str__(self) -> str:
        return f"{self.instrument} v{self.number}"

    @property
    def is_frozen(self) -> bool:
        """Frozen once any response to it is submitted; changes then go into a new version."""
        if self.pk is None:
            return False
        return self.responses.filter(status=Response.Status.SUBMITTED).exists()


FROZEN_MESSAGE = (
    "This version has submitted responses, so it is frozen: changing it would change what people "
    "answered. Use “New version from this” to make an editable copy."
)


def _refuse_if_frozen(version_id: int | None) -> None:
    if version_id and Response.objects.filter(version_id=version_id, status=Response.Status.SUBMITTED).exists():
        raise ValidationError(FROZEN_MESSAGE)


class Domain(models.Model):
    version = models.ForeignKey(InstrumentVersion, on_delete=models.CASCADE, related_name="domains")
    key = models.SlugField(max_length=80, help_text="Stable across versions, e.g. “effective-communication”.")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["version", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["version", "key"], name="domain_unique_key_per_version"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        _refuse_if_frozen(self.version_id)


class Item(models.Model):
    class ResponseType(models.TextChoices):
        CHECKLIST = "checklist", "Yes / not yet / unsure"
        RATING = "rating", "Rating scale"
        ABILITY_WILLINGNESS = "ability_willingness", "Ability rating and willingness"
        TEXT = "text", "Free text"

    domain = models.ForeignKey(Domain, on_delete=models.CASCADE, related_name="items")
    order = models.PositiveSmallIntegerField(default=0)
    prompt = models.TextField()
    help_text = models.TextField(blank=True)
    response_type = models.CharField(max_length=30, choices=ResponseType.choices)
    required = models.BooleanField(default=True)
    scale_min = models.PositiveSmallIntegerField(default=1)
    scale_max = models.PositiveSmallIntegerField(default=7)
    scale_labels = models.JSONField(
        default=dict, blank=True, help_text='Labels of scale points, e.g. {"1": "Not at all", "7": "Expert"}.'
    )
    allow_not_applicable = models.BooleanField(default=False)

    class Meta:
        ordering = ["domain", "order", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(scale_min__lt=models.F("scale_max")), name="item_scale_min_below_max"),
        ]

    def __str__(self) -> str:
        return self.prompt[:80]

    def clean(self) -> None:
        super().clean()
        if self.domain_id:
            _refuse_if_frozen(Domain.objects.filter(pk=self.domain_id).values_list("version_id", flat=True).first())
        if self.scale_min is not None and self.scale_max is not None and self.scale_min >= self.scale_max:
            raise ValidationError({"scale_max": "The top of the scale must be above its bottom."})
        labels = self.scale_labels or {}
        if not isinstance(labels, dict) or not all(
            str(k).isdigit() and self.scale_min <= int(k) <= self.scale_max and isinstance(v, str)
            for k, v in labels.items()
        ):
            raise ValidationError({"scale_labels": (
                "Give labels as an object from scale points to text, within the scale, "
                'e.g. {"1": "Not at all", "7": "Extremely"}.'
            )})

    @property
    def is_scored(self) -> bool:
        return self.response_type in (self.ResponseType.RATING, self.ResponseType.ABILITY_WILLINGNESS)


class Response(models.Model):
    """One person's answers to one instrument version in one program."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"

    class Occasion(models.TextChoices):
        BASELINE = "baseline", "Baseline"
        FOLLOW_UP = "follow_up", "Follow-up"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="assessment_responses")
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="assessment_responses")
    instrument = models.ForeignKey(Instrument, on_delete=models.PROTECT, related_name="responses",
                                   help_text="The version's instrument, kept here so the database can hold "
                                             "one baseline and one draft per person, program and instrument.")
    version = models.ForeignKey(InstrumentVersion, on_delete=models.PROTECT, related_name="responses")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    occasion = models.CharField(max_length=20, choices=Occasion.choices, blank=True,
                                help_text="Set on submission: the first submitted response is the baseline.")
    started_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-submitted_at", "-started_at"]
        constraints = [
            # At most one open draft per person, program and version.
            models.UniqueConstraint(fields=["user", "program", "version"], condition=Q(status="draft"),
                                    name="response_one_draft"),
            models.UniqueConstraint(fields=["user", "program", "instrument"], condition=Q(status="draft"),
                                    name="response_one_draft_per_instrument"),
            models.UniqueConstraint(fields=["user", "program", "instrument"], condition=Q(occasion="baseline"),
                                    name="response_one_baseline"),
            models.CheckConstraint(
                condition=Q(status="draft", occasion="")
                | Q(status="submitted", occasion__in=["baseline", "follow_up"]),
                name="response_occasion_set_on_submit",
            ),
            models.CheckConstraint(
                condition=Q(status="draft", submitted_at__isnull=True)
                | Q(status="submitted", submitted_at__isnull=False),
                name="response_submitted_has_time",
            ),
        ]
        indexes = [
            models.Index(fields=["program", "status", "occasion"]),
            models.Index(fields=["user", "program", "instrument", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.version} — {self.user} ({self.get_status_display()})"


class Answer(models.Model):
    class Choice(models.TextChoices):
        YES = "yes", "Yes"
        NOT_YET = "not_yet", "Not yet"
        UNSURE = "unsure", "Unsure"

    class Willingness(models.TextChoices):
        WILLING = "willing", "Willing"
        NOT_SURE = "not_sure", "Not sure"
        NOT_WILLING = "not_willing", "Not willing"

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="answers")
    choice = models.CharField(max_length=20, choices=Choice.choices, blank=True)
    rating = models.PositiveSmallIntegerField(null=True, blank=True, validators=[MinValueValidator(1),
                                                                                 MaxValueValidator(10)])
    not_applicable = models.BooleanField(default=False)
    willingness = models.CharField(max_length=20, choices=Willingness.choices, blank=True)
    text = models.TextField(blank=True, max_length=5000)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["response", "item"], name="answer_unique_item"),
            models.CheckConstraint(condition=Q(not_applicable=False) | Q(rating__isnull=True),
                                   name="answer_na_has_no_rating"),
        ]

    def __str__(self) -> str:
        return f"{self.item_id}: {self.choice or self.rating or self.text[:20]}"


class DomainScore(models.Model):
    """A submitted response's figures in one domain, counted once when it is submitted (a submitted
    response never changes), so that the program report averages one row per person and domain
    instead of every answer. ``score`` is the mean rating, ``readiness`` the share of "yes" of the
    ``checked`` checklist answers; either is empty when the domain has no such answer. A baseline
    never changes, so a follow-up's change from it is counted at the same time."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="domain_scores")
    domain = models.ForeignKey(Domain, on_delete=models.PROTECT, related_name="scores")
    score = models.FloatField(null=True)
    readiness = models.FloatField(null=True)
    checked = models.PositiveSmallIntegerField(default=0)
    yes = models.PositiveSmallIntegerField(default=0)
    score_change = models.FloatField(null=True)
    readiness_change = models.FloatField(null=True)
    """A follow-up's figure minus the person's baseline one in the same domain (key), when both exist."""

    class Meta:
        constraints = [models.UniqueConstraint(fields=["response", "domain"], name="domain_score_once")]

    def __str__(self) -> str:
        return f"{self.response_id} · {self.domain_id}"


class FollowUpCadence(models.Model):
    """When a program asks its people to take an instrument again after their baseline: some
    months after it (“6, 12”), or once each academic year. The person is invited by email on each
    due date, their dashboard says a follow-up is due, and once ``overdue_after_days`` have passed
    without one the coordinators' home lists them (assessments/follow_ups.py)."""

    class Rule(models.TextChoices):
        MONTHS = "months", "A number of months after the baseline"
        ACADEMIC_YEAR = "academic_year", "Once each academic year, when the year begins"

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="follow_up_cadences")
    instrument = models.ForeignKey(Instrument, on_delete=models.CASCADE, related_name="follow_up_cadences",
                                   help_text="The self-assessment to take again.")
    rule = models.CharField("when", max_length=20, choices=Rule.choices, default=Rule.MONTHS)
    months = models.CharField(
        "months after the baseline", max_length=100, blank=True,
        help_text="With “a number of months after the baseline”: the months, separated by commas. "
                  "“6, 12” asks for a follow-up six months and again twelve months after the baseline.",
    )
    overdue_after_days = models.PositiveSmallIntegerField(
        "days to answer", default=30, validators=[MaxValueValidator(365)],
        help_text="How many days after the due date the follow-up counts as overdue on the coordinators' home.",
    )
    is_active = models.BooleanField("on", default=True, help_text="Turn off to stop the invitations.")

    class Meta:
        verbose_name = "follow-up cadence"
        ordering = ["program", "instrument"]
        constraints = [
            models.UniqueConstraint(fields=["program", "instrument"], name="follow_up_cadence_once_per_instrument"),
        ]

    def __str__(self) -> str:
        if self.rule == self.Rule.ACADEMIC_YEAR:
            return f"{self.instrument}: each academic year"
        return f"{self.instrument}: {self.months} months after the baseline"

    @property
    def month_list(self) -> list[int]:
        """The months of the rule, in order (empty for the academic-year rule or unreadable text)."""
        if self.rule != self.Rule.MONTHS:
            return []
        try:
            return sorted({int(part) for part in self.months.replace(";", ",").split(",") if part.strip()})
        except ValueError:
            return []

    def clean(self) -> None:
        super().clean()
        if self.rule == self.Rule.MONTHS:
            parts = [p.strip() for p in self.months.replace(";", ",").split(",") if p.strip()]
            if not parts:
                raise ValidationError({"months": "Give at least one number of months, e.g. “6, 12”."})
            if not all(p.isdigit() and 1 <= int(p) <= 120 for p in parts):
                raise ValidationError({"months": "Give whole numbers of months from 1 to 120, separated by commas."})
        elif self.months.strip():
            raise ValidationError({"months": "Leave this empty when the follow-up comes each academic year."})
        if self.instrument_id and self.program_id:
            owner = Instrument.objects.filter(pk=self.instrument_id).values_list("program_id", flat=True).first()
            if owner not in (None, self.program_id):
                raise ValidationError({"instrument": "Choose an instrument of this program or a shared one."})
