"""People and programs: the core every app builds on (DESIGN §2)."""

from __future__ import annotations

import zoneinfo

from auditlog.models import AbstractLogEntry, LogEntryManager
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from toolbox import timezones


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"“{value}” is not a time zone name such as America/Los_Angeles.")


def time_zone_choices() -> list[tuple[str, str]]:
    """The current IANA names, without deprecated aliases (toolbox/timezones.py)."""
    return timezones.time_zone_choices()


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra.update(is_staff=True, is_superuser=True)
        return self._create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person. Signs in with their email address; roles come from memberships."""

    email = models.EmailField("email address", unique=True)
    display_name = models.CharField(max_length=150, blank=True)
    time_zone = models.CharField(
        max_length=64, default="America/Los_Angeles", validators=[validate_time_zone],
        help_text="Meeting times and due dates are shown in this time zone.",
    )
    reminders_opt_out = models.BooleanField(
        "no reminder emails", default=False,
        help_text="Stop meeting reminder emails. Meetings still appear on your dashboard and calendar feed.",
    )
    nudges_opt_out = models.BooleanField(
        "no accountability nudges", default=False,
        help_text="Stop the emails about overdue plan items and requirements behind schedule.",
    )
    is_staff = models.BooleanField(default=False, help_text="May sign in to the admin.")
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)
    erased_at = models.DateTimeField(
        null=True, blank=True, editable=False,
        help_text="When this person's data was erased; the account is kept, anonymised.",
    )

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        ordering = ["display_name", "email"]

    def __str__(self) -> str:
        return self.shown_name(self.display_name, self.email)

    @staticmethod
    def shown_name(display_name: str, email: str) -> str:
        """How the app names a person, also from rows read without the model: their display
        name, else their address."""
        return display_name or email

    def get_full_name(self) -> str:
        return str(self)

    def get_short_name(self) -> str:
        return str(self)

    def clean(self) -> None:
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()


PRIVACY_THRESHOLD_FLOOR = 5
"""The lowest privacy threshold a program may have unless a superuser explicitly allows less."""


def default_lead_days() -> list[int]:
    return [7, 1]


MENTEE_NOTES_RETENTION_MONTHS = 24
"""Default: mentee notes and free text are kept this long after the mentee's last mentorship ended."""

ALUMNI_RETENTION_MONTHS = 60
"""Default: an alumni record (a person who left the program) is kept this long after they left."""


class Program(models.Model):
    """A mentoring program: its mission, what it expects of mentors, and its settings."""

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    mission = models.TextField("mission statement", blank=True)
    expected_behaviours = models.TextField(blank=True, help_text="How mentors in this program conduct themselves.")
    expected_topics = models.TextField("topics of discussion", blank=True)
    professionalism_standards = models.TextField("standards of professionalism", blank=True)
    time_zone = models.CharField(max_length=64, default="America/Los_Angeles", validators=[validate_time_zone])
    community_name = models.CharField(
        "Mentor Community name", max_length=200,
        help_text="The name the program's mentors meet under, e.g. “Medicine Mentor Circle”.",
    )
    privacy_threshold = models.PositiveSmallIntegerField(
        default=PRIVACY_THRESHOLD_FLOOR, validators=[MinValueValidator(1)],
        help_text="Aggregates over fewer responses than this are hidden. Only a superuser changes it, "
                  f"and below {PRIVACY_THRESHOLD_FLOOR} only by saying so explicitly.",
    )
    gap_threshold = models.DecimalField(
        max_digits=3, decimal_places=1, default=4, validators=[MinValueValidator(1), MaxValueValidator(7)],
        help_text="A skills domain scoring below this (on a 1–7 scale) is a gap.",
    )
    reminder_lead_days = models.JSONField(
        default=default_lead_days, help_text="Days before a meeting that reminders go out, e.g. [7, 1]."
    )
    calendar_reply_email = models.EmailField(
        "calendar reply address", blank=True,
        help_text="The ORGANIZER of meeting invitations: where calendar clients send Accept and Decline "
                  "replies. Empty: the CALENDAR_REPLY_EMAIL setting, else the sender address.",
    )
    academic_year_start_month = models.PositiveSmallIntegerField(
        default=7, validators=[MinValueValidator(1), MaxValueValidator(12)],
        help_text="Month (1–12) in which the academic year begins.",
    )
    mentee_notes_retention_months = models.PositiveSmallIntegerField(
        "keep mentee notes for (months)", default=MENTEE_NOTES_RETENTION_MONTHS,
        validators=[MinValueValidator(1), MaxValueValidator(600)],
        help_text="After a mentee's last mentorship ended, their name, contact details, meeting notes and "
                  "goals are removed once this many months have passed. Dates and counts stay.",
    )
    alumni_retention_months = models.PositiveSmallIntegerField(
        "keep alumni records for (months)", default=ALUMNI_RETENTION_MONTHS,
        validators=[MinValueValidator(1), MaxValueValidator(600)],
        help_text="After a person left the program (every membership of theirs in it is alumni), their "
                  "free text in it is removed once this many months have passed, and their account is "
                  "anonymised once no program keeps them.",
    )
    self_erasure_allowed = models.BooleanField(
        "people may erase their own account", default=False,
        help_text="Members may erase their own account and data from their profile, when every program they "
                  "belong to allows it. Otherwise a superuser does it for them. Only a superuser changes this.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        leads = self.reminder_lead_days
        if not isinstance(leads, list) or not all(isinstance(d, int) and 0 < d <= 60 for d in leads):
            raise ValidationError({"reminder_lead_days": "Give a list of whole days between 1 and 60, e.g. [7, 1]."})
        if len(set(leads)) != len(leads):
            raise ValidationError({"reminder_lead_days": "Each lead time may appear once."})


class Membership(models.Model):
    """A person's role in a program. New mentors move invited → prospective → active."""

    class Role(models.TextChoices):
        COORDINATOR = "coordinator", "Coordinator"
        MENTOR = "mentor", "Mentor"
        FACULTY = "faculty", "Faculty"

    class Status(models.TextChoices):
        INVITED = "invited", "Invited"
        PROSPECTIVE = "prospective", "Prospective"
        ACTIVE = "active", "Active"
        ALUMNI = "alumni", "Alumni"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ACTIVE)
    department = models.CharField(max_length=200, blank=True)
    joined_on = models.DateField(default=timezone.localdate)
    left_on = models.DateField(
        null=True, blank=True,
        help_text="The first day as alumni: the program keeps the alumni record for its retention time "
                  "from this day. Set when the membership becomes alumni.",
    )
    invited_at = models.DateTimeField(
        null=True, blank=True, editable=False,
        help_text="When the last invitation email for this membership went out.",
    )
    awaiting_acceptance = models.BooleanField(
        default=False, editable=False,
        help_text="An existing account invited from outside the coordinator's programs: it counts, and the "
                  "coordinator sees the person, only once they accept.",
    )
    declined_at = models.DateTimeField(
        null=True, blank=True, editable=False, help_text="When the person declined this invitation.",
    )

    class Meta:
        ordering = ["program", "role", "user"]
        constraints = [
            models.UniqueConstraint(fields=["user", "program", "role"], name="membership_unique_role"),
        ]
        indexes = [models.Index(fields=["program", "role", "status"])]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} in {self.program}"

    @property
    def role_phrase(self) -> str:
        """The role as a sentence names it: "a mentor", "a faculty member", "a coordinator"."""
        return {self.Role.FACULTY: "a faculty member"}.get(self.role, f"a {self.get_role_display().lower()}")


class PrivacyThresholdChange(models.Model):
    """Every change of a program's privacy threshold: who, when, from what, to what. Kept, never edited."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="privacy_threshold_changes")
    changed_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    changed_by_email = models.EmailField(help_text="Kept should the account be removed.")
    changed_at = models.DateTimeField(default=timezone.now)
    old_threshold = models.PositiveSmallIntegerField("from")
    new_threshold = models.PositiveSmallIntegerField("to")
    below_floor_allowed = models.BooleanField(
        f"allowed below {PRIVACY_THRESHOLD_FLOOR}", default=False,
        help_text=f"The superuser explicitly allowed a threshold below {PRIVACY_THRESHOLD_FLOOR}.",
    )

    class Meta:
        ordering = ["-changed_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(new_threshold__gte=PRIVACY_THRESHOLD_FLOOR) | models.Q(below_floor_allowed=True),
                name="privacy_threshold_change_floor",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.program}: {self.old_threshold} → {self.new_threshold}"


class OutboundEmail(models.Model):
    """One email that should reach one address exactly once: the outbox (mentorprogram/outbox/).

    Every automatic email is one of these rows — meeting reminders and notices, accountability
    nudges, invitations, account emails — unique per kind and ``dedupe_key``, so recording it
    twice records it once. A sender claims it (queued → sending, with a token of its own) in one
    conditional UPDATE before it talks to the mail server, and writes the outcome only while the
    claim is still its own. The domain rows (a reminder delivery, a nudge) point at it."""

    class Kind(models.TextChoices):
        MEETING = "meeting", "Meeting reminder or notice"
        NUDGE = "nudge", "Accountability nudge"
        INVITATION = "invitation", "Invitation"
        ACCOUNT = "account", "Account email"
        DATA_EXPORT = "data_export", "Copy of a person's data"
        FOLLOW_UP = "follow_up", "Follow-up assessment invitation"
        MENTEE_INVITATION = "mentee_invitation", "Invitation of a mentee"
        MENTEE_FEEDBACK = "mentee_feedback", "Feedback request to a mentee"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        SKIPPED = "skipped", "Not sent"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    dedupe_key = models.CharField(max_length=200, help_text="What the email is about; unique per kind.")
    program = models.ForeignKey(Program, on_delete=models.CASCADE, null=True, blank=True,
                                related_name="outbound_emails")
    user = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="outbound_emails")
    to_address = models.EmailField("to", max_length=254, blank=True)
    context = models.JSONField(default=dict, blank=True, help_text="What the email is built from at sending time.")
    subject = models.CharField(max_length=998, blank=True)
    body_text = models.TextField(blank=True, help_text="Stored content (account emails); others are built when sent.")
    body_html = models.TextField(blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    message_id = models.CharField(max_length=255, blank=True)
    claim_token = models.CharField(max_length=80, blank=True, editable=False)
    claimed_at = models.DateTimeField(null=True, blank=True, editable=False)
    enqueued_at = models.DateTimeField(null=True, blank=True, editable=False,
                                       help_text="When a send task was due to pick it up.")
    next_attempt_at = models.DateTimeField(null=True, blank=True, editable=False)
    dispatch_token = models.CharField(max_length=40, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "outbound email"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "dedupe_key"], name="outbound_email_once_per_kind_key"),
            models.CheckConstraint(condition=~models.Q(status="sent") | models.Q(sent_at__isnull=False),
                                   name="outbound_email_sent_has_time"),
            models.CheckConstraint(condition=~models.Q(status="sending") | models.Q(claimed_at__isnull=False),
                                   name="outbound_email_sending_has_claim"),
        ]
        indexes = [
            models.Index(fields=["status", "claimed_at"]),
            models.Index(fields=["status", "enqueued_at"]),
            models.Index(fields=["dispatch_token"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} to {self.to_address or self.user}"


class DataExport(models.Model):
    """A copy of everything the app holds about one person, made by a task on their request
    (mentorprogram/privacy/export.py) and offered to them alone by a signed link that expires.
    The zip is kept in the database: private by construction, the same on every web node, and
    gone with the row when it expires or the person is erased."""

    class Status(models.TextChoices):
        PENDING = "pending", "Being made"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="data_exports")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    requested_at = models.DateTimeField(default=timezone.now)
    ready_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    content = models.BinaryField(blank=True, default=bytes, editable=False)
    size = models.PositiveIntegerField(default=0, help_text="Bytes of the zip.")

    class Meta:
        verbose_name = "copy of a person's data"
        verbose_name_plural = "copies of people's data"
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["user"], condition=models.Q(status="pending"),
                                    name="data_export_one_pending_per_person"),
            models.CheckConstraint(condition=~models.Q(status="ready") | models.Q(expires_at__isnull=False),
                                   name="data_export_ready_expires"),
        ]

    def __str__(self) -> str:
        return f"Copy of data #{self.pk} ({self.get_status_display()})"
class AuditEntryManager(LogEntryManager):
    def log_create(self, instance, force_log: bool = False, **kwargs):
        """django-auditlog's entry, with the person it is about (mentorprogram/audit.py knows how
        to find them for each registered model)."""
        if "person" not in kwargs and "person_id" not in kwargs:
            from . import audit

            kwargs["person_id"] = audit.person_id_of(instance)
        return super().log_create(instance, force_log=force_log, **kwargs)


class AuditEntry(AbstractLogEntry):
    """One entry of the audit trail (mentorprogram/audit.py): a change to, or a coordinator's view
    of, one object — who, when, before → after — and the person it is about, so that a person's
    trail is one indexed lookup. Written once, never edited: the admin offers no change, and on
    PostgreSQL a trigger refuses UPDATE and DELETE outside ``audit.scrub_person``.

    ``person`` keeps its id should the account go (no constraint, nothing cascades into the trail).
    """

    person = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+",
        help_text="The person whose data this entry is about, if any.",
    )

    objects = AuditEntryManager()

    class Meta(AbstractLogEntry.Meta):
        verbose_name = "audit entry"
        verbose_name_plural = "audit trail"
        indexes = [models.Index(fields=["person", "-timestamp"], name="auditentry_person_time")]
        permissions = [("export_auditentry", "Can download the audit trail as CSV")]
