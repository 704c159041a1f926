"""What accountability reads from the apps below it (DESIGN §10): assessment gaps, catalog
suggestions, community attendance and training credit.

Each function is the one place where that app is consulted, so a change in the other app
touches one function here.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from django.db.models import Aggregate, Count, DecimalField, Exists, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import TruncDate
from django.utils.translation import ngettext

from assessments import selectors as assessment_selectors
from assessments.models import Answer as AssessmentAnswer
from assessments.models import Response as AssessmentResponse
from community.models import Attendance, Meeting
from courses import selectors as course_selectors
from courses.models import Completion, Course
from mentorprogram.models import Program, User

MAX_SUGGESTIONS = 3
ANSWER_LABELS = dict(AssessmentAnswer.Choice.choices)
READING_MODALITIES = (Course.Modality.READING, Course.Modality.QUICK_GUIDE)


@dataclass(frozen=True)
class Gap:
    """A baseline domain under the program's threshold, or a checklist item not yet in place."""

    domain_key: str
    domain_name: str
    score: float | None = None
    item_key: str = ""
    item_prompt: str = ""
    answer: str = ""

    @property
    def is_checklist_item(self) -> bool:
        return bool(self.item_key)

    @property
    def answer_label(self) -> str:
        """The answer as the checklist offered it ("Not yet"), never its stored value."""
        return ANSWER_LABELS.get(self.answer, self.answer)


@dataclass(frozen=True)
class Suggestion:
    key: str
    title: str
    kind: str  # "course" or "reading" (PlanItem.Kind values)
    link: str = ""
    description: str = ""
    domains: tuple[str, ...] = field(default_factory=tuple)
    next_session_on: date | None = None


def _day_bounds(start: date, end: date, tz: str) -> tuple[datetime, datetime]:
    zone = ZoneInfo(tz)
    return datetime.combine(start, time.min, zone), datetime.combine(end, time.min, zone)


def latest_gaps(*, user: User, program: Program) -> list[Gap]:
    """Gaps of this person's latest submitted response to each instrument in the program (a
    follow-up that closed a gap of the baseline leaves it out), weakest domain first, then each
    checklist item answered "not yet" or "unsure" (scored by the assessments app)."""
    threshold = float(program.gap_threshold)
    domains, checklist = [], []
    for result in assessment_selectors.latest_gaps(user=user, program=program).values():
        if result.score is not None and result.score < threshold:
            domains.append(Gap(result.key, result.name, score=round(result.score, 2)))
        for prompt, answer in result.gap_items:
            digest = hashlib.sha256(prompt.encode()).hexdigest()[:12]
            checklist.append(Gap(result.key, result.name, item_key=f"{result.key}:{digest}", item_prompt=prompt,
                                 answer=answer))
    domains.sort(key=lambda g: (g.score, g.domain_name))
    return domains + checklist


def suggestions_for_domains(
    *, program: Program, domain_keys: list[str], user: User | None = None, per_domain: int = MAX_SUGGESTIONS,
    exclude_completed_by: User | None = None, now: datetime | None = None,
) -> dict[str, list[Suggestion]]:
    """Catalog courses and readings tagged with each domain, best first (the catalog's order:
    upcoming sessions, then most credit), at most ``per_domain`` each, leaving out what
    ``exclude_completed_by`` has completed. Three queries."""
    if not domain_keys:
        return {}
    wanted = set(domain_keys)
    result: dict[str, list[Suggestion]] = defaultdict(list)
    courses = course_selectors.suggest_for_domains(wanted, user=user, program=program, now=now)
    if exclude_completed_by is not None:
        courses = courses.exclude(pk__in=Completion.objects.filter(
            user=exclude_completed_by, status=Completion.Status.COMPLETED).values("course_id"))
    zone = ZoneInfo(program.time_zone)
    for course in courses:
        tagged = [d.domain_key for d in course.domains.all() if d.domain_key in wanted]
        details = [course.get_modality_display()]
        if course.provider:
            details.append(course.provider)
        if course.cme_credit_hours:
            hours = course.cme_credit_hours
            details.append(ngettext("%(n)s CME credit hour", "%(n)s CME credit hours", 1 if hours == 1 else 2)
                           % {"n": format(hours.normalize(), "f")})
        suggestion = Suggestion(
            key=f"course:{course.pk}", title=course.title[:300], link=course.url,
            kind="reading" if course.modality in READING_MODALITIES else "course",
            description=" · ".join(details), domains=tuple(tagged),
            next_session_on=(course.next_session_starts_at.astimezone(zone).date()
                             if course.next_session_starts_at else None),
        )
        for key in tagged:
            if len(result[key]) < per_domain:
                result[key].append(suggestion)
    return dict(result)


# The measures below count, for each mentor of a program, the records that meet a requirement.
# Each is a ``Tally``: the records of every mentor, which field leads to the mentor, and what to
# total. The database does the counting, correlated to each row of a query that lists mentors:
# ``correlated`` for a few (the dashboard's card: one query), ``of_mentor`` for the statuses
# ``standing`` decides for every mentor of a program (the compliance table, the report, the home).

DECIMAL = DecimalField(max_digits=12, decimal_places=2)


@dataclass(frozen=True)
class Tally:
    records: QuerySet
    mentor: str | None
    """The records' path to the mentor's user id; None for records every mentor shares (the
    meetings held)."""
    totals: dict[str, Aggregate]
    day: str | None = None
    """The records' local day, counted only from the day the mentor joined the program."""

    def correlated(self) -> dict[str, Subquery]:
        """Expressions to annotate a query of mentor memberships with, one subquery per total."""
        records = self.records
        if self.mentor:
            records = records.filter(**{self.mentor: OuterRef("user_id")})
        if self.day:
            records = records.filter(**{f"{self.day}__gte": OuterRef("joined_on")})
        whole = records.order_by().annotate(_all=Value(1)).values("_all")  # one row: no GROUP BY
        return {name: Subquery(whole.annotate(**{name: total}).values(name)) for name, total in self.totals.items()}

    def of_mentor(self) -> QuerySet:
        """The records of the mentor of the row of an outer query of memberships."""
        records = self.records.filter(**{self.mentor: OuterRef("user_id")}) if self.mentor else self.records
        return records.filter(**{f"{self.day}__gte": OuterRef("joined_on")}) if self.day else records


def _local_day(field: str, program: Program) -> TruncDate:
    return TruncDate(field, tzinfo=ZoneInfo(program.time_zone))


def community_attendance(*, program: Program, start: date, end: date) -> list[Tally]:
    """(attended, held): the community meetings held in the period and, of those, the ones the
    mentor attended. The community app's rule: only meetings marked held count, and only those on
    or after the day the person joined the program (in the program's zone)."""
    since, until = _day_bounds(start, end, program.time_zone)
    held = Meeting.objects.filter(series__program=program, status=Meeting.Status.HELD, starts_at__gte=since,
                                  starts_at__lt=until).annotate(day=_local_day("starts_at", program))
    attended = Attendance.objects.filter(
        present=True, meeting__series__program=program, meeting__status=Meeting.Status.HELD,
        meeting__starts_at__gte=since, meeting__starts_at__lt=until,
    ).annotate(day=_local_day("meeting__starts_at", program))
    return [Tally(attended, "user_id", {"attended": Count("pk")}, day="day"),
            Tally(held, None, {"held": Count("pk")}, day="day")]


def community_meetings_attended(*, program: Program, start: date, end: date) -> QuerySet:
    """The community meetings ``community_attendance`` counts as held, each with ``attended``: whether
    the mentor of the row of an outer query of memberships was there. Counted from the day they
    joined, so that one query holds both sides of their attendance share."""
    [_, held] = community_attendance(program=program, start=start, end=end)
    there = Attendance.objects.filter(meeting=OuterRef("pk"), user_id=OuterRef(OuterRef("user_id")), present=True)
    return held.of_mentor().annotate(attended=Exists(there))


def training_credit_hours(*, program: Program, start: date, end: date) -> list[Tally]:
    """hours: credit hours the mentor claimed for training completed in the period."""
    done = Completion.objects.filter(status=Completion.Status.COMPLETED, completed_on__gte=start,
                                     completed_on__lt=end)
    hours = Sum("credit_hours", output_field=DECIMAL)
    return [Tally(done, "user_id", {"hours": hours})]


def assessments_submitted(*, program: Program, start: date, end: date) -> list[Tally]:
    """submitted: self-assessments the mentor submitted in the period (the re-assessment cadence)."""
    since, until = _day_bounds(start, end, program.time_zone)
    submitted = AssessmentResponse.objects.filter(program=program, status=AssessmentResponse.Status.SUBMITTED,
                                                  submitted_at__gte=since, submitted_at__lt=until)
    return [Tally(submitted, "user_id", {"submitted": Count("pk")})]
