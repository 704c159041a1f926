"""The training catalog, completions and reading material (DESIGN §7).

A catalog item (``Course``) is either shared by every program (``program`` empty, kept by
superusers) or belongs to one program (kept by its coordinators). Readings and quick guides
follow the same rule. Completions belong to a person, not a program: they are private to
that person and the coordinators of the programs the person belongs to.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse

from mentorprogram.models import Program
from toolbox.periods import academic_year_of, local_today

from .domains import DOMAIN_CHOICES, domain_label


class Theme(models.Model):
    """A theme of a course or a topic of a reading, e.g. “giving and receiving feedback”."""

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Reading(models.Model):
    """A paper, book or article a Mentor Community can read and discuss together."""

    program = models.ForeignKey(
        Program, null=True, blank=True, on_delete=models.CASCADE, related_name="readings",
        help_text="Leave empty for a reading every program sees.",
    )
    title = models.CharField(max_length=300)
    citation = models.TextField(help_text="Authors, title, journal or publisher, as you would cite it.")
    url = models.URLField("link", max_length=500, blank=True)
    year = models.PositiveSmallIntegerField(null=True, blank=True, validators=[MinValueValidator(1900)])
    topics = models.ManyToManyField(Theme, blank=True, related_name="readings")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class QuickGuide(models.Model):
    """A short guideline written in Markdown; shown rendered and sanitised, never as raw HTML."""

    program = models.ForeignKey(
        Program, null=True, blank=True, on_delete=models.CASCADE, related_name="quick_guides",
        help_text="Leave empty for a guide every program sees.",
    )
    title = models.CharField(max_length=200)
    summary = models.CharField(max_length=300, blank=True)
    body = models.TextField(help_text="Markdown. HTML tags such as scripts are removed when shown.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("courses:quick_guide_detail", args=[self.pk])


class Course(models.Model):
    """One item of the training catalog: a course, a workshop series, an event, a resource."""

    class Modality(models.TextChoices):
        SELF_PACED = "self_paced", "Self-paced online course"
        WORKSHOP_SERIES = "workshop_series", "Workshop series"
        ANNUAL_EVENT = "annual_event", "Annual event"
        NETWORK = "network", "Network or external resource"
        READING = "reading", "Reading"
        QUICK_GUIDE = "quick_guide", "Quick guide"
        CONFERENCE_WORKSHOP = "conference_workshop", "Conference workshop"

    program = models.ForeignKey(
        Program, null=True, blank=True, on_delete=models.CASCADE, related_name="courses",
        help_text="Leave empty for a course every program's catalog lists (superusers only).",
    )
    title = models.CharField(max_length=200)
    provider = models.CharField(max_length=200, blank=True)
    modality = models.CharField(max_length=30, choices=Modality.choices)
    description = models.TextField(blank=True)
    themes = models.ManyToManyField(Theme, blank=True, related_name="courses")
    hours = models.DecimalField(
        max_digits=5, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(Decimal("0"))],
        help_text="About how long it takes, in hours.",
    )
    cme_credit_hours = models.DecimalField(
        "CME credit hours", max_digits=5, decimal_places=2, default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
        help_text="Continuing Medical Education credit a person can claim on completion; 0 if none.",
    )
    needs_external_account = models.BooleanField(
        default=False, help_text="The provider asks people to create an account on its own site.",
    )
    url = models.URLField(max_length=500, blank=True)
    reading = models.ForeignKey(
        Reading, null=True, blank=True, on_delete=models.SET_NULL, related_name="catalog_items",
        help_text="For a reading: the reading this catalog item points to.",
    )
    quick_guide = models.ForeignKey(
        QuickGuide, null=True, blank=True, on_delete=models.SET_NULL, related_name="catalog_items",
        help_text="For a quick guide: the guide this catalog item points to.",
    )
    is_active = models.BooleanField("active", default=True, help_text="Inactive courses leave the catalog.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["title"]
        constraints = [
            models.CheckConstraint(condition=Q(cme_credit_hours__gte=0), name="course_credit_not_negative"),
            models.CheckConstraint(condition=Q(hours__isnull=True) | Q(hours__gte=0), name="course_hours_not_negative"),
            models.CheckConstraint(condition=Q(reading__isnull=True) | Q(modality="reading"),
                                   name="course_reading_only_for_readings"),
            models.CheckConstraint(condition=Q(quick_guide__isnull=True) | Q(modality="quick_guide"),
                                   name="course_guide_only_for_guides"),
        ]
        indexes = [models.Index(fields=["is_active", "modality"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("courses:course_detail", args=[self.pk])

    def clean(self) -> None:
        super().clean()
        if self.reading_id and self.modality != self.Modality.READING:
            raise ValidationError({"reading": "Only a catalog item of the “Reading” kind points to a reading."})
        if self.quick_guide_id and self.modality != self.Modality.QUICK_GUIDE:
            raise ValidationError({"quick_guide": "Only a catalog item of the “Quick guide” kind points to a guide."})

    @property
    def has_credit(self) -> bool:
        return self.cme_credit_hours > 0

    def status_choices(self) -> list[tuple[str, str]]:
        """The record's statuses in the words of this kind of item: a reading is to read or
        read (there is nothing to enrol in), a workshop is registered for and attended."""
        words = STATUS_WORDS.get(self.modality, STATUS_WORDS[None])
        return list(words.items())

    def status_label(self, status: str) -> str:
        return dict(self.status_choices()).get(status) or STATUS_WORDS[None].get(status, status)

    @property
    def done_word(self) -> str:
        """The kind's word for a finished record: a reading is "Read", an event "Attended"."""
        return self.status_label("completed")

    @property
    def kind_noun(self) -> str:
        """What the item is, as a sentence names it: "this reading", "this workshop"."""
        return KIND_NOUNS.get(self.modality, "course")

    @property
    def link_action(self) -> str:
        """What following the item's link does, to say before the link's destination."""
        return LINK_ACTIONS.get(self.modality, "Go to the provider's page")


STATUS_WORDS: dict[str | None, dict[str, str]] = {
    None: {"planned": "Planned", "enrolled": "Enrolled", "completed": "Completed"},
    Course.Modality.READING: {"planned": "To read", "completed": "Read"},
    Course.Modality.QUICK_GUIDE: {"planned": "To read", "completed": "Read"},
    Course.Modality.WORKSHOP_SERIES: {"planned": "Planned", "enrolled": "Registered", "completed": "Attended"},
    Course.Modality.ANNUAL_EVENT: {"planned": "Planned", "enrolled": "Registered", "completed": "Attended"},
    Course.Modality.CONFERENCE_WORKSHOP: {"planned": "Planned", "enrolled": "Registered", "completed": "Attended"},
    Course.Modality.NETWORK: {"planned": "Planned", "enrolled": "Joined", "completed": "Completed"},
}

KIND_NOUNS = {
    Course.Modality.READING: "reading",
    Course.Modality.QUICK_GUIDE: "guide",
    Course.Modality.WORKSHOP_SERIES: "workshop series",
    Course.Modality.ANNUAL_EVENT: "event",
    Course.Modality.CONFERENCE_WORKSHOP: "workshop",
    Course.Modality.NETWORK: "resource",
}

LINK_ACTIONS = {
    Course.Modality.SELF_PACED: "Take the course",
    Course.Modality.READING: "Read it",
    Course.Modality.QUICK_GUIDE: "Read it",
    Course.Modality.WORKSHOP_SERIES: "Register",
    Course.Modality.ANNUAL_EVENT: "Register",
    Course.Modality.NETWORK: "Join",
}


class CourseDomain(models.Model):
    """A skills or readiness domain a course addresses, by the domain's stable key."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="domains")
    domain_key = models.SlugField("domain", max_length=80, choices=DOMAIN_CHOICES)

    class Meta:
        ordering = ["course", "domain_key"]
        constraints = [
            models.UniqueConstraint(fields=["course", "domain_key"], name="course_domain_unique"),
        ]
        indexes = [models.Index(fields=["domain_key"])]

    def __str__(self) -> str:
        return domain_label(self.domain_key)

    @property
    def label(self) -> str:
        return domain_label(self.domain_key)


class CourseSession(models.Model):
    """A dated offering of a course: one part of a series, or this year's event day."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="sessions")
    title = models.CharField(max_length=200, blank=True, help_text="e.g. “Part 1: Getting started”.")
    part = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Part number within a series.")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    location = models.CharField(max_length=200, blank=True)
    url = models.URLField("registration or video link", max_length=500, blank=True)

    class Meta:
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="session_ends_after_start"),
        ]
        indexes = [models.Index(fields=["course", "starts_at"])]

    def __str__(self) -> str:
        return f"{self.course}: {self.label}"

    @property
    def label(self) -> str:
        return self.title or (f"Part {self.part}" if self.part else "Session")

    def clean(self) -> None:
        super().clean()
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": "A session must end after it starts."})


class Completion(models.Model):
    """A person's record of a course: planned, enrolled, or completed on a date with credit.

    Claimed credit never exceeds the course's CME credit; a completion date is never in the
    future; a coordinator of one of the person's programs may verify a completed record, and a
    verified record is no longer changed by its person.
    """

    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        ENROLLED = "enrolled", "Enrolled"
        COMPLETED = "completed", "Completed"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="course_completions")
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="completions")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PLANNED)
    completed_on = models.DateField(null=True, blank=True)
    credit_hours = models.DecimalField(
        "credit hours claimed", max_digits=5, decimal_places=2, default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    academic_year = models.PositiveSmallIntegerField(
        editable=False,
        help_text="The academic year the record counts in (named by the calendar year it starts in): the year of "
                  "the completion date, or of the day a plan or enrolment was recorded.",
    )
    verified_at = models.DateTimeField(null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-completed_on", "-created_at"]
        constraints = [
            # One open (planned or enrolled) record per person and course.
            models.UniqueConstraint(fields=["user", "course"], condition=Q(status__in=["planned", "enrolled"]),
                                    name="completion_one_open_per_course"),
            # One record per person, course and academic year: a plan, an enrolment and a completion of
            # the same course that year are one record moving forward, never three.
            models.UniqueConstraint(fields=["user", "course", "academic_year"], name="completion_one_per_year"),
            models.CheckConstraint(
                condition=Q(status="completed", completed_on__isnull=False)
                | (~Q(status="completed") & Q(completed_on__isnull=True, credit_hours=0)),
                name="completion_date_and_credit_only_when_completed",
            ),
            models.CheckConstraint(condition=Q(credit_hours__gte=0), name="completion_credit_not_negative"),
            models.CheckConstraint(condition=Q(verified_at__isnull=True) | Q(status="completed"),
                                   name="completion_verified_only_when_completed"),
        ]
        indexes = [models.Index(fields=["user", "status", "completed_on"])]

    def __str__(self) -> str:
        return f"{self.user} — {self.course} ({self.status_label})"

    @property
    def status_label(self) -> str:
        """The status in the words of the course's kind ("Read", "Attended")."""
        return self.course.status_label(self.status)

    STATUS_RANK = {Status.PLANNED: 0, Status.ENROLLED: 1, Status.COMPLETED: 2}

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None

    @property
    def is_open(self) -> bool:
        return self.status != self.Status.COMPLETED

    def validate_constraints(self, exclude=None):
        # The year is never a form field, but one record per course and year is the rule to report.
        super().validate_constraints(exclude=set(exclude or ()) - {"academic_year"})

    def assign_academic_year(self, *, start_month: int, today: datetime.date) -> None:
        """A completion counts in the year of its date; a plan or an enrolment in the year it is made."""
        self.academic_year = academic_year_of(self.completed_on if not self.is_open else today, start_month)

    def clean(self) -> None:
        super().clean()
        errors: dict[str, str] = {}
        if self.status == self.Status.COMPLETED:
            if self.completed_on is None:
                errors["completed_on"] = "Give the date you completed the course."
            elif self.user_id and self.completed_on > local_today(self.user.time_zone):
                errors["completed_on"] = "The completion date cannot be in the future."
            if self.course_id and self.credit_hours is not None and self.credit_hours > self.course.cme_credit_hours:
                errors["credit_hours"] = (
                    f"This course carries at most {self.course.cme_credit_hours} CME credit hours."
                )
        else:
            if self.completed_on is not None:
                errors["completed_on"] = "Only a completed course has a completion date."
            if self.credit_hours:
                errors["credit_hours"] = "Credit is claimed only for a completed course."
        if errors:
            raise ValidationError(errors)
