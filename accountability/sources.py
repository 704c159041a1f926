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
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db.models import Count, QuerySet, Sum

from assessments import selectors as assessment_selectors
from assessments.models import Response as AssessmentResponse
from community.models import Attendance, Meeting
from courses import selectors as course_selectors
from courses.models import Completion, Course
from mentorprogram.models import Membership, Program, User

MAX_SUGGESTIONS = 3
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


@dataclass(frozen=True)
class Suggestion:
    key: str
    title: str
    kind: str  # "course" or "reading" (PlanItem.Kind values)
    link: str = ""
    description: str = ""
    domains: tuple[str, ...] = field(default_factory=tuple)


def _day_bounds(start: date, end: date, tz: str) -> tuple[datetime, datetime]:
    zone = ZoneInfo(tz)
    return datetime.combine(start, time.min, zone), datetime.combine(end, time.min, zone)


def baseline_gaps(*, user: User, program: Program) -> list[Gap]:
    """Gaps of this person's baseline self-assessments in the program, weakest domain first,
    then each checklist item answered "not yet" or "unsure" (scored by the assessments app)."""
    threshold = float(program.gap_threshold)
    domains, checklist = [], []
    for result in assessment_selectors.baseline_gaps(user=user, program=program).values():
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
) -> dict[str, list[Suggestion]]:
    """Catalog courses and readings tagged with each domain, best first (the catalog's order:
    upcoming sessions, then most credit), at most ``per_domain`` each. Two queries."""
    if not domain_keys:
        return {}
    wanted = set(domain_keys)
    result: dict[str, list[Suggestion]] = defaultdict(list)
    for course in course_selectors.suggest_for_domains(wanted, user=user, program=program):
        tagged = [d.domain_key for d in course.domains.all() if d.domain_key in wanted]
        details = [course.get_modality_display()]
        if course.provider:
            details.append(course.provider)
        if course.cme_credit_hours:
            details.append(f"{format(course.cme_credit_hours.normalize(), 'f')} CME credit hours")
        suggestion = Suggestion(
            key=f"course:{course.pk}", title=course.title[:300], link=course.url,
            kind="reading" if course.modality in READING_MODALITIES else "course",
            description=" · ".join(details), domains=tuple(tagged),
        )
        for key in tagged:
            if len(result[key]) < per_domain:
                result[key].append(suggestion)
    return dict(result)


def community_attendance(
    *, program: Program, mentor_ids: QuerySet | list[int], start: date, end: date
) -> dict[int, tuple[int, int]]:
    """For each mentor, (community meetings attended, meetings held) in the period.

    The community app's rule: only meetings marked held count, and only those on or after the
    day the person joined the program. Three queries, whatever the number of mentors.
    """
    since, until = _day_bounds(start, end, program.time_zone)
    zone = ZoneInfo(program.time_zone)
    held = [
        (pk, starts_at.astimezone(zone).date())
        for pk, starts_at in Meeting.objects.filter(
            series__program=program, status=Meeting.Status.HELD, starts_at__gte=since, starts_at__lt=until,
        ).values_list("pk", "starts_at")
    ]
    joined: dict[int, date] = {}
    for user_id, joined_on in Membership.objects.filter(
        program=program, role=Membership.Role.MENTOR, user_id__in=mentor_ids
    ).values_list("user_id", "joined_on"):
        joined[user_id] = min(joined_on, joined.get(user_id, joined_on))
    present: dict[int, set[int]] = defaultdict(set)
    if held:
        for user_id, meeting_id in Attendance.objects.filter(
            meeting_id__in=[pk for pk, _ in held], user_id__in=mentor_ids, present=True,
        ).values_list("user_id", "meeting_id"):
            present[user_id].add(meeting_id)
    result = {}
    for user_id, since_day in joined.items():
        eligible = {pk for pk, day in held if day >= since_day}
        result[user_id] = (len(present[user_id] & eligible), len(eligible))
    return result


def training_credit_hours(
    *, program: Program, mentor_ids: QuerySet | list[int], start: date, end: date
) -> dict[int, Decimal]:
    """Credit hours each mentor claimed for training completed in the period. One query."""
    rows = (
        Completion.objects.filter(
            user_id__in=mentor_ids, status=Completion.Status.COMPLETED,
            completed_on__gte=start, completed_on__lt=end,
        )
        .values("user_id")
        .annotate(hours=Sum("credit_hours"))
        .values_list("user_id", "hours")
    )
    return {user_id: hours or Decimal(0) for user_id, hours in rows}


def assessments_submitted(
    *, program: Program, mentor_ids: QuerySet | list[int], start: date, end: date
) -> dict[int, int]:
    """Self-assessments each mentor submitted in the period (the re-assessment cadence)."""
    since, until = _day_bounds(start, end, program.time_zone)
    rows = (
        AssessmentResponse.objects.filter(
            program=program, user_id__in=mentor_ids, status=AssessmentResponse.Status.SUBMITTED,
            submitted_at__gte=since, submitted_at__lt=until,
        )
        .values("user_id")
        .annotate(n=Count("pk"))
        .values_list("user_id", "n")
    )
    return dict(rows)
