"""Accountability: the program's reporting requirements, mentors' plans and mentee records
(DESIGN §6).

Mentees are records kept by their mentor. A mentee may also take part themselves: invited by
email, their account is linked to the record once they accept (``Mentee.user``), and they then
see their mentorship, the dates of their meetings, their goals, and the feedback asked of them.
Meeting and goal notes are private to the mentor: coordinators see counts and dates only, in the site and in the admin.
Plan items are never deleted or silently overwritten: each change is kept as a
``PlanItemChange`` row, and a ``version`` number refuses an edit made on a stale form.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from mentorprogram.models import OutboundEmail, Program
from toolbox import periods

MAX_MEETING_MINUTES = 24 * 60


class ReportingRequirement(models.Model):
    """What a program expects of each mentor in each period, and how much of it."""

    class Metric(models.TextChoices):
        MENTEE_MEETINGS = "mentee_meetings", "Meetings with each mentee"
        MENTEE_GOALS = "mentee_goals", "Goals set with each mentee"
        COMMUNITY_ATTENDANCE = "community_attendance", "Share of community meetings attended (%)"
        TRAINING_CREDIT = "training_credit", "Training credit hours"
        REASSESSMENT = "reassessment", "Self-assessments submitted"

    class Period(models.TextChoices):
        MONTH = periods.MONTH, "Month"
        QUARTER = periods.QUARTER, "Quarter"
        ACADEMIC_YEAR = periods.ACADEMIC_YEAR, "Academic year"

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="reporting_requirements")
    metric = models.CharField(max_length=30, choices=Metric.choices)
    target = models.DecimalField(
        max_digits=6, decimal_places=1, validators=[MinValueValidator(0.1)],
        help_text="Per period. For attendance, a percentage (e.g. 75).",
    )
    period = models.CharField(max_length=20, choices=Period.choices)
    description = models.TextField(blank=True, help_text="Shown to mentors next to their progress.")
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["program", "metric"]
        constraints = [
            models.UniqueConstraint(fields=["program", "metric"], name="requirement_unique_metric"),
            models.CheckConstraint(condition=Q(target__gt=0), name="requirement_target_positive"),
            models.CheckConstraint(
                condition=~Q(metric="community_attendance") | Q(target__lte=100),
                name="requirement_attendance_is_a_percentage",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_metric_display()}: {self.target:g} per {self.get_period_display().lower()}"

    @property
    def unit(self) -> str:
        return {
            self.Metric.MENTEE_MEETINGS: "meetings",
            self.Metric.MENTEE_GOALS: "goals",
            self.Metric.COMMUNITY_ATTENDANCE: "%",
            self.Metric.TRAINING_CREDIT: "hours",
            self.Metric.REASSESSMENT: "assessments",
        }[self.metric]

    @property
    def target_unit(self) -> str:
        """The unit as the target reads: "1 meeting", "2 meetings", "1.5 hours"."""
        return self.unit[:-1] if self.target == 1 and self.unit != "%" else self.unit


class Mentee(models.Model):
    """A person a mentor mentors. Kept by that mentor; linked to an account only once the person
    accepts an invitation (``accepted_at``): until then ``user`` is the invited account, and it
    sees nothing of the record."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="mentees")
    mentor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mentees")
    name = models.CharField(max_length=200)
    email = models.EmailField(blank=True)
    department = models.CharField(max_length=200, blank=True)
    career_stage = models.CharField(max_length=200, blank=True, help_text="E.g. assistant professor, fellow.")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="mentee_records", editable=False,
                             help_text="The mentee's own account, once invited.")
    invited_at = models.DateTimeField(null=True, blank=True, editable=False)
    accepted_at = models.DateTimeField(null=True, blank=True, editable=False)
    declined_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "pk"]
        indexes = [models.Index(fields=["program", "mentor"]), models.Index(fields=["user", "accepted_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(accepted_at__isnull=True) | Q(user__isnull=False),
                                   name="mentee_accepted_has_account"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def invitation_state(self) -> str:
        """"" (never invited), "invited", "accepted" or "declined"."""
        if self.accepted_at:
            return "accepted"
        if self.declined_at:
            return "declined"
        return "invited" if self.invited_at else ""


class Mentorship(models.Model):
    """A stretch of time during which the mentee's mentor mentors them."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        PAUSED = "paused", "Paused"
        ENDED = "ended", "Ended"

    mentee = models.ForeignKey(Mentee, on_delete=models.CASCADE, related_name="mentorships")
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ACTIVE)

    class Meta:
        ordering = ["-started_on", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["mentee"], condition=~Q(status="ended"),
                                    name="mentorship_one_open_per_mentee"),
            models.CheckConstraint(condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                                   name="mentorship_ends_after_start"),
            models.CheckConstraint(condition=Q(status="ended", ended_on__isnull=False)
                                   | (~Q(status="ended") & Q(ended_on__isnull=True)),
                                   name="mentorship_ended_has_end_date"),
        ]

    def __str__(self) -> str:
        return f"{self.mentee} since {self.started_on}"


class MenteeMeeting(models.Model):
    class Mode(models.TextChoices):
        IN_PERSON = "in_person", "In person"
        VIDEO = "video", "Video call"
        PHONE = "phone", "Phone"

    mentee = models.ForeignKey(Mentee, on_delete=models.CASCADE, related_name="meetings")
    held_on = models.DateField("date")
    duration_minutes = models.PositiveSmallIntegerField(
        "duration (minutes)", validators=[MinValueValidator(1), MaxValueValidator(MAX_MEETING_MINUTES)]
    )
    mode = models.CharField(max_length=20, choices=Mode.choices, default=Mode.IN_PERSON)
    notes = models.TextField("private notes", blank=True, max_length=10000,
                             help_text="Only you can read these; coordinators see the date and length only.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-held_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(duration_minutes__gte=1, duration_minutes__lte=MAX_MEETING_MINUTES),
                                   name="mentee_meeting_duration_within_a_day"),
        ]
        indexes = [models.Index(fields=["mentee", "held_on"])]

    def __str__(self) -> str:
        return f"{self.mentee} on {self.held_on}"


class MenteeGoal(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "In progress"
        ACHIEVED = "achieved", "Achieved"
        DROPPED = "dropped", "Set aside"

    mentee = models.ForeignKey(Mentee, on_delete=models.CASCADE, related_name="goals")
    text = models.CharField("goal", max_length=500)
    set_on = models.DateField()
    target_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    notes = models.TextField("private notes", blank=True, max_length=10000,
                             help_text="Only you can read these.")
    added_by_mentee = models.BooleanField(default=False, editable=False,
                                          help_text="The mentee added this goal on their own page.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["status", "-set_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(target_date__isnull=True) | Q(target_date__gte=models.F("set_on")),
                                   name="mentee_goal_target_after_set"),
        ]
        indexes = [models.Index(fields=["mentee", "set_on"])]

    def __str__(self) -> str:
        # Not the goal's wording: that is private to the mentor, and names show up in the admin.
        return f"Goal of {self.mentee} set on {self.set_on}"


class AccountabilityPlan(models.Model):
    """A mentor's plan for one academic year of one program."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="accountability_plans")
    mentor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                               related_name="accountability_plans")
    period_start = models.DateField()
    period_end = models.DateField(help_text="The first day after the plan's academic year.")
    proposed_at = models.DateTimeField(null=True, blank=True,
                                       help_text="When items were last proposed from the baseline.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-period_start", "mentor"]
        constraints = [
            models.UniqueConstraint(fields=["program", "mentor", "period_start"], name="plan_one_per_period"),
            models.CheckConstraint(condition=Q(period_end__gt=models.F("period_start")), name="plan_period_order"),
        ]

    def __str__(self) -> str:
        return f"{self.mentor} — {self.label}"

    @property
    def label(self) -> str:
        return periods.academic_year(self.period_start, self.period_start.month).label


class PlanItem(models.Model):
    """One thing the mentor means to do. Dropped rather than deleted, so history stays whole."""

    class Kind(models.TextChoices):
        COURSE = "course", "Course or training"
        READING = "reading", "Reading or guide"
        ACTIVITY = "activity", "Activity"
        CHECKLIST = "checklist", "Readiness step"

    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        IN_PROGRESS = "in_progress", "In progress"
        DONE = "done", "Done"
        DROPPED = "dropped", "Dropped"

    OPEN_STATUSES = (Status.PLANNED, Status.IN_PROGRESS)

    plan = models.ForeignKey(AccountabilityPlan, on_delete=models.CASCADE, related_name="items")
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True, max_length=5000)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.ACTIVITY)
    domain_key = models.SlugField(max_length=80, blank=True, help_text="The assessment domain this addresses.")
    domain_name = models.CharField(max_length=200, blank=True)
    link = models.URLField(blank=True, max_length=500)
    source_key = models.CharField(max_length=120, blank=True,
                                  help_text="What proposed it (e.g. course:12), so proposing twice adds nothing.")
    due_on = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PLANNED)
    completed_on = models.DateField(null=True, blank=True)
    evidence = models.TextField("evidence", blank=True, max_length=5000,
                                help_text="What shows it is done: a certificate, a date attended, a summary.")
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["due_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(status="done") | Q(completed_on__isnull=False),
                                   name="plan_item_done_has_date"),
            models.UniqueConstraint(fields=["plan", "source_key"], condition=~Q(source_key=""),
                                    name="plan_item_unique_source"),
        ]
        indexes = [models.Index(fields=["status", "due_on"])]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES


class PlanItemChange(models.Model):
    """Who changed a plan item, when, and what: field → [before, after]."""

    class Action(models.TextChoices):
        CREATED = "created", "Added"
        UPDATED = "updated", "Edited"
        COMPLETED = "completed", "Completed"

    item = models.ForeignKey(PlanItem, on_delete=models.CASCADE, related_name="changes")
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                   related_name="+")
    changed_at = models.DateTimeField()
    action = models.CharField(max_length=20, choices=Action.choices)
    version = models.PositiveIntegerField(help_text="The item's version after this change.")
    changes = models.JSONField(default=dict)

    class Meta:
        ordering = ["-changed_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["item", "version"], name="plan_item_change_unique_version"),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.item} (v{self.version})"


class Nudge(models.Model):
    """One reminder email to a mentor, recorded once per key. Its delivery state (claim,
    attempts, the server's answer) is kept by its ``OutboundEmail`` in the outbox."""

    class Kind(models.TextChoices):
        ITEM_OVERDUE = "item_overdue", "Plan item overdue"
        REQUIREMENT_BEHIND = "requirement_behind", "Requirement behind"
        FROM_COORDINATOR = "from_coordinator", "Reminder from a coordinator"

    Status = OutboundEmail.Status

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="accountability_nudges")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="nudges")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    key = models.CharField(max_length=120, help_text="What it is about, e.g. item:42 or requirement:3:2026-03.")
    created_at = models.DateTimeField(auto_now_add=True)
    email = models.OneToOneField(OutboundEmail, on_delete=models.CASCADE, related_name="nudge",
                                 help_text="The email in the outbox, with its delivery state.")

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["person", "kind", "key"], name="nudge_once_per_key"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.person} ({self.key})"


class FeedbackSchedule(models.Model):
    """When a program asks mentees for feedback on their mentor: on the dates of its rounds (e.g.
    mid-year and year end), and once a mentee has had a number of meetings logged."""

    program = models.OneToOneField(Program, on_delete=models.CASCADE, related_name="mentee_feedback_schedule")
    after_meetings = models.PositiveSmallIntegerField(
        "ask after this many meetings", null=True, blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text="Ask a mentee once their mentor has logged this many meetings with them. Empty: only on the "
                  "rounds' dates.",
    )
    is_active = models.BooleanField("asking now", default=True,
                                    help_text="Untick to stop asking, keeping the rounds for later.")

    class Meta:
        verbose_name = "mentee feedback schedule"

    def __str__(self) -> str:
        return f"Mentee feedback in {self.program}"


class FeedbackRound(models.Model):
    """A date from which every mentee with an accepted invitation is asked once."""

    schedule = models.ForeignKey(FeedbackSchedule, on_delete=models.CASCADE, related_name="rounds")
    name = models.CharField(max_length=100, help_text="What mentees read, e.g. “Mid-year 2026–27”.")
    opens_on = models.DateField(help_text="Mentees are asked from this day.")

    class Meta:
        ordering = ["opens_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["schedule", "opens_on"], name="feedback_round_one_per_day"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.opens_on})"


class FeedbackRequest(models.Model):
    """One mentee asked once (per ``key``: a round, or a number of meetings) for feedback on their
    mentor. Its answers are a submitted ``assessments.Response`` of the mentee-feedback instrument,
    scored like the skills inventory. Who said what is never shown: mentors and coordinators see
    aggregates over at least the program's threshold of mentees, and comments only when shared."""

    mentee = models.ForeignKey(Mentee, on_delete=models.CASCADE, related_name="feedback_requests")
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="mentee_feedback_requests")
    mentor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="feedback_about")
    key = models.CharField(max_length=60, help_text="What asked: round:<id> or meetings:<n>.")
    reason = models.CharField(max_length=120)
    asked_at = models.DateTimeField()
    email = models.OneToOneField(OutboundEmail, on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="feedback_request")
    response = models.OneToOneField("assessments.Response", on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="feedback_request")
    answered_at = models.DateTimeField(null=True, blank=True)
    comment = models.TextField(blank=True, max_length=5000)
    share_with_mentor = models.BooleanField(default=False)

    class Meta:
        ordering = ["-asked_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["mentee", "key"], name="feedback_request_once_per_key"),
        ]
        indexes = [models.Index(fields=["program", "mentor", "answered_at"])]

    def __str__(self) -> str:
        return f"Feedback request {self.pk} ({self.reason})"
