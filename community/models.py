"""The Mentor Community: meetings, their content, RSVPs, challenges and agreements (DESIGN §4)."""

from __future__ import annotations

import uuid
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q

from mentorprogram.models import Program, validate_time_zone

from . import recurrence


class MentorCommunity(models.Model):
    """What the program's Mentor Community is for. Its name is ``Program.community_name``;
    its members are the program's active mentors."""

    program = models.OneToOneField(Program, on_delete=models.CASCADE, related_name="mentor_community")
    purpose = models.TextField(
        blank=True, help_text="Why the mentors meet: shown on the community page. Markdown is allowed.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "Mentor Community"
        verbose_name_plural = "Mentor Communities"

    def __str__(self) -> str:
        return self.program.community_name


class Topic(models.Model):
    """The library of meeting topics, shared by every program."""

    name = models.CharField(max_length=200, unique=True)
    description = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class ResourcePerson(models.Model):
    """Someone who presents at a meeting: a dean, a librarian, a wellness counsellor…"""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="resource_people")
    name = models.CharField(max_length=200)
    role = models.CharField(max_length=200, blank=True, help_text="e.g. Associate Dean for Faculty Affairs")
    affiliation = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "resource people"

    def __str__(self) -> str:
        return ", ".join(filter(None, [self.name, self.role]))


class MeetingSeries(models.Model):
    """A recurring meeting. Occurrences are computed in local wall-clock time in the series'
    time zone, so a noon meeting stays at noon across daylight-saving changes."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="meeting_series")
    title = models.CharField(max_length=200, default="Monthly meeting")
    rrule = models.CharField(
        "recurrence rule", max_length=500, default="FREQ=MONTHLY;BYDAY=2TU",
        help_text="An iCalendar RRULE, e.g. FREQ=MONTHLY;BYDAY=2TU for the second Tuesday of every month.",
    )
    first_date = models.DateField(help_text="The series starts on or after this date.")
    last_date = models.DateField(null=True, blank=True, help_text="Optional: no meeting after this date.")
    start_time = models.TimeField(help_text="Local time in the series' time zone.")
    duration_minutes = models.PositiveSmallIntegerField(
        default=60, validators=[MinValueValidator(5), MaxValueValidator(12 * 60)],
    )
    time_zone = models.CharField(
        max_length=64, blank=True, validators=[validate_time_zone],
        help_text="Leave empty to use the program's time zone.",
    )
    place = models.CharField(max_length=300, blank=True)
    video_url = models.URLField("video link", blank=True)
    is_active = models.BooleanField(default=True, help_text="Inactive series make no new meetings.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["program", "title"]
        verbose_name_plural = "meeting series"
        constraints = [
            models.CheckConstraint(
                condition=Q(last_date__isnull=True) | Q(last_date__gte=F("first_date")),
                name="series_last_date_after_first",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.program.community_name})"

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone or self.program.time_zone)

    def clean(self) -> None:
        super().clean()
        errors = {}
        if self.last_date and self.first_date and self.last_date < self.first_date:
            errors["last_date"] = "The last date comes before the first date."
        if self.rrule:
            try:
                self.rrule = recurrence.normalise(self.rrule)
            except recurrence.RuleError as exc:
                errors["rrule"] = str(exc)
        ready = not errors and self.rrule and self.first_date and self.start_time
        if ready and not recurrence.has_occurrence(self.rrule, self.first_date, self.start_time, self.last_date):
            errors["rrule"] = "This rule produces no meeting between the first and last dates."
        if errors:
            raise ValidationError(errors)


class Meeting(models.Model):
    """One occurrence of a series. ``occurrence_start`` is where the rule put it and never
    changes, so a moved meeting keeps its identity; ``sequence`` counts changes of time,
    place or status for calendar clients."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        CANCELLED = "cancelled", "Cancelled"
        HELD = "held", "Held"

    SCHEDULE_FIELDS = ("starts_at", "ends_at", "place", "video_url", "status")

    series = models.ForeignKey(MeetingSeries, on_delete=models.CASCADE, related_name="meetings")
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    occurrence_start = models.DateTimeField(editable=False, help_text="Where the series rule placed it.")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.SCHEDULED)
    is_exception = models.BooleanField(
        default=False, editable=False,
        help_text="Moved or cancelled on its own; changes to the series leave it alone.",
    )
    place = models.CharField(max_length=300, blank=True)
    video_url = models.URLField("video link", blank=True)
    presenter = models.ForeignKey(
        ResourcePerson, null=True, blank=True, on_delete=models.SET_NULL, related_name="meetings",
    )
    reading = models.ForeignKey(
        "courses.Reading", null=True, blank=True, on_delete=models.SET_NULL, related_name="meetings",
        verbose_name="reading to discuss",
        help_text="A shared reading of the catalog or one of this program's own. "
                  "New ones are added under Courses › Readings.",
    )
    minutes = models.TextField(blank=True, help_text="Markdown. Shown to members once the meeting is held.")
    sequence = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["starts_at"]
        constraints = [
            models.UniqueConstraint(fields=["series", "occurrence_start"], name="meeting_unique_occurrence"),
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="meeting_ends_after_start"),
        ]
        indexes = [models.Index(fields=["status", "starts_at"])]

    def __str__(self) -> str:
        return f"{self.series.title}, {self.starts_at:%Y-%m-%d}"

    def clean(self) -> None:
        super().clean()
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": "The meeting must end after it starts."})


class AgendaItem(models.Model):
    """One point on a meeting's agenda: a library topic, free text, or both."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda_items")
    position = models.PositiveSmallIntegerField(default=0)
    topic = models.ForeignKey(Topic, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(blank=True, help_text="Free text, or details of the topic.")

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(topic__isnull=False) | ~Q(text=""), name="agenda_item_not_empty"),
        ]

    def __str__(self) -> str:
        return str(self.topic) if self.topic_id else self.text[:80]

    def clean(self) -> None:
        super().clean()
        if not self.topic_id and not self.text.strip():
            raise ValidationError("Choose a topic or write the item.")


class Rsvp(models.Model):
    class Answer(models.TextChoices):
        YES = "yes", "Yes"
        NO = "no", "No"
        MAYBE = "maybe", "Maybe"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="rsvps")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="rsvps")
    answer = models.CharField(max_length=10, choices=Answer.choices)
    answered_at = models.DateTimeField()

    class Meta:
        verbose_name = "RSVP"
        constraints = [models.UniqueConstraint(fields=["meeting", "user"], name="rsvp_one_per_person")]

    def __str__(self) -> str:
        return f"{self.user}: {self.get_answer_display()}"


class Attendance(models.Model):
    """Recorded by a coordinator after the meeting."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="attendance")
    present = models.BooleanField(default=True)

    class Meta:
        verbose_name_plural = "attendance"
        constraints = [models.UniqueConstraint(fields=["meeting", "user"], name="attendance_one_per_person")]

    def __str__(self) -> str:
        return f"{self.user}: {'present' if self.present else 'absent'}"


class Challenge(models.Model):
    """A challenge or question a member brings to a coming meeting. ``anonymous`` hides the
    author from peers; coordinators always see who wrote it."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        ON_AGENDA = "on_agenda", "On an agenda"
        CLOSED = "closed", "Closed"

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="challenges")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="challenges")
    meeting = models.ForeignKey(
        Meeting, null=True, blank=True, on_delete=models.SET_NULL, related_name="challenges",
        help_text="The meeting it was raised for.",
    )
    text = models.TextField("challenge or question", max_length=4000)
    anonymous = models.BooleanField("anonymous to other mentors", default=False)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    agenda_item = models.OneToOneField(
        AgendaItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="challenge",
    )
    submitted_at = models.DateTimeField()

    class Meta:
        ordering = ["-submitted_at"]

    def __str__(self) -> str:
        return self.text[:80]


class ProcessAgreement(models.Model):
    """The program's agreed processes. A published version is frozen; changes make a new
    version, which every mentor is asked to acknowledge again."""

    SECTIONS = (
        ("difficult_situations", "Managing difficult situations"),
        ("confidentiality", "Confidentiality"),
        ("meeting_frequency", "How often mentors meet with mentees"),
        ("new_mentors", "Bringing in new mentors"),
        ("activities", "Social and professional activities"),
        ("other", "Other agreements"),
    )

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="process_agreements")
    version = models.PositiveIntegerField(editable=False)
    difficult_situations = models.TextField("managing difficult situations", blank=True)
    confidentiality = models.TextField(blank=True)
    meeting_frequency = models.TextField("how often mentors meet with mentees", blank=True)
    new_mentors = models.TextField("bringing in new mentors", blank=True)
    activities = models.TextField("social and professional activities", blank=True)
    other = models.TextField("other agreements", blank=True)
    published_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["program", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["program", "version"], name="agreement_unique_version"),
        ]

    def __str__(self) -> str:
        return f"Process agreements of {self.program}, version {self.version}"

    @property
    def sections(self) -> list[tuple[str, str]]:
        """(heading, text) of the sections that have text."""
        return [(label, getattr(self, name)) for name, label in self.SECTIONS if getattr(self, name).strip()]

    def clean(self) -> None:
        super().clean()
        if not any(getattr(self, name).strip() for name, _ in self.SECTIONS):
            raise ValidationError("Write at least one section.")


class Acknowledgement(models.Model):
    agreement = models.ForeignKey(ProcessAgreement, on_delete=models.CASCADE, related_name="acknowledgements")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="acknowledgements")
    acknowledged_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agreement", "user"], name="acknowledgement_once_per_version"),
        ]

    def __str__(self) -> str:
        return f"{self.user} acknowledged version {self.agreement.version}"


class CalendarFeed(models.Model):
    """A person's private calendar subscription. The token is the only credential; making a
    new one revokes the old, deleting the row turns the feed off."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed")
    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"Calendar feed of {self.user}"
