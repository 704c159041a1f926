"""Demo training data: dated sessions, two courses of the demo program's own, and
completions for the demo mentor (two with credit, one planned) and the extra mentors — among
those with a follow-up skills inventory, the self-paced course between their baseline and their
follow-up for half of them (``assessments.follow_up_group``), and before their baseline for the others.

Idempotent: sessions are added only where a course has none to come, and completions only
for people who have no record of that course yet.
"""

from __future__ import annotations

import datetime
import zoneinfo
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from courses.models import Completion, Course, CourseDomain, CourseSession
from mentorprogram.models import Program, User
from toolbox.periods import academic_year, local_today

from .assessments import follow_up_group

ORDER = 20

SELF_PACED = "Mentor training for faculty: a self-paced online course"
SERIES = "Mentoring workshop series (three parts)"
EDUCATION_DAY = "Education Day"

PROGRAM_COURSES = [
    {
        "title": "Mentoring grand rounds",
        "provider": "Department of Medicine",
        "modality": Course.Modality.ANNUAL_EVENT,
        "description": "Once a year the department's grand rounds are given to mentoring: a talk by an invited "
                       "speaker followed by a panel of mentors and mentees from the department.",
        "hours": Decimal("1"), "cme_credit_hours": Decimal("1"),
        "domains": ["professional-development", "motivation-purpose"],
    },
    {
        "title": "Mentoring across differences: a department workshop",
        "provider": "Department of Medicine",
        "modality": Course.Modality.WORKSHOP_SERIES,
        "description": "A hands-on workshop on mentoring people whose gender, generation, culture or career path "
                       "differs from yours, with cases drawn from the department.",
        "hours": Decimal("1.5"), "cme_credit_hours": Decimal("1.5"),
        "domains": ["equity-inclusion", "effective-communication"],
    },
]


def _at(day: datetime.date, hour: int, minute: int, zone: zoneinfo.ZoneInfo) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=zone)


def _ensure_sessions(course: Course, parts: list[tuple[int, str, datetime.datetime, int]], now) -> int:
    """Add these sessions unless the course already has one to come."""
    if course.sessions.filter(starts_at__gte=now).exists():
        return 0
    CourseSession.objects.bulk_create([
        CourseSession(course=course, part=part, title=title, starts_at=start,
                      ends_at=start + datetime.timedelta(minutes=minutes), location="Alumni Center, Room 102")
        for part, title, start, minutes in parts
    ])
    return len(parts)


def _program_courses(program: Program) -> dict[str, Course]:
    courses = {}
    for spec in PROGRAM_COURSES:
        fields = {k: v for k, v in spec.items() if k not in ("title", "domains")}
        course, created = Course.objects.get_or_create(program=program, title=spec["title"], defaults=fields)
        if created:
            CourseDomain.objects.bulk_create([CourseDomain(course=course, domain_key=k) for k in spec["domains"]])
        courses[spec["title"]] = course
    return courses


def _add_completions(rows: list[Completion], *, start_month: int, today: datetime.date) -> int:
    """Create the rows whose person has no record of that course yet."""
    for row in rows:
        row.assign_academic_year(start_month=start_month, today=today)
    pairs = set(
        Completion.objects.filter(user__in={r.user_id for r in rows}, course__in={r.course_id for r in rows})
        .values_list("user_id", "course_id")
    )
    new = [r for r in rows if (r.user_id, r.course_id) not in pairs]
    Completion.objects.bulk_create(new, batch_size=500)
    return len(new)


def _around_follow_ups(program: Program, mentors: list[User], course: Course | None) -> list[Completion]:
    """The self-paced course (five skills domains) halfway between baseline and follow-up for the
    mentors of the "trained" group, ten days before the baseline for the "untrained" one."""
    from assessments.models import Instrument, Response

    if course is None:
        return []
    groups = {person.pk: follow_up_group(i) for i, person in enumerate(mentors) if follow_up_group(i)}
    dates: dict[int, dict[str, datetime.datetime]] = {}
    for user_id, occasion, submitted in Response.objects.filter(
            program=program, user_id__in=groups, instrument__kind=Instrument.Kind.SKILLS,
            status=Response.Status.SUBMITTED).values_list("user_id", "occasion", "submitted_at"):
        dates.setdefault(user_id, {})[occasion] = submitted
    rows = []
    for user_id, seen in dates.items():
        if "baseline" not in seen or "follow_up" not in seen:
            continue
        zone = zoneinfo.ZoneInfo(program.time_zone)
        baseline, follow_up = seen["baseline"].astimezone(zone).date(), seen["follow_up"].astimezone(zone).date()
        day = baseline + (follow_up - baseline) / 2 if groups[user_id] == "trained" else \
            baseline - datetime.timedelta(days=10)
        rows.append(Completion(user_id=user_id, course=course, status=Completion.Status.COMPLETED,
                               completed_on=day, credit_hours=Decimal("2.5")))
    return rows


@transaction.atomic
def seed(*, program: Program, people: dict, mentors: list[User]) -> str:
    now = timezone.now()
    zone = zoneinfo.ZoneInfo(program.time_zone)
    today = local_today(program.time_zone, now)
    year_start = academic_year(today, program.academic_year_start_month).start

    shared = {c.title: c for c in Course.objects.filter(program=None, title__in=[SELF_PACED, SERIES, EDUCATION_DAY])}
    own = _program_courses(program)
    grand_rounds, workshop = own["Mentoring grand rounds"], own["Mentoring across differences: a department workshop"]

    sessions = 0
    if SERIES in shared:
        sessions += _ensure_sessions(shared[SERIES], [
            (1, "Part 1: Roles and expectations", _at(today + datetime.timedelta(days=14), 12, 0, zone), 90),
            (2, "Part 2: Communication and feedback", _at(today + datetime.timedelta(days=42), 12, 0, zone), 90),
            (3, "Part 3: Independence and career growth", _at(today + datetime.timedelta(days=70), 12, 0, zone), 90),
        ], now)
    if EDUCATION_DAY in shared:
        sessions += _ensure_sessions(shared[EDUCATION_DAY], [
            (None, "", _at(today + datetime.timedelta(days=100), 8, 30, zone), 8 * 60),
        ], now)
    sessions += _ensure_sessions(grand_rounds, [
        (None, "", _at(today + datetime.timedelta(days=30), 8, 0, zone), 60),
    ], now)
    sessions += _ensure_sessions(workshop, [
        (None, "", _at(today + datetime.timedelta(days=21), 16, 0, zone), 90),
    ], now)

    mentor = people.get("mentor")
    rows: list[Completion] = []
    if mentor is not None:
        rows += [
            Completion(user=mentor, course=grand_rounds, status=Completion.Status.COMPLETED,
                       completed_on=year_start - datetime.timedelta(days=60), credit_hours=Decimal("1"),
                       verified_at=now, verified_by=people.get("coordinator")),
            Completion(user=mentor, course=workshop, status=Completion.Status.COMPLETED,
                       completed_on=max(year_start, today - datetime.timedelta(days=14)), credit_hours=Decimal("1.5")),
        ]
        if SERIES in shared:
            rows.append(Completion(user=mentor, course=shared[SERIES], status=Completion.Status.PLANNED))
    rows += _around_follow_ups(program, mentors, shared.get(SELF_PACED))
    for i, person in enumerate(mentors):
        if i % 3 != 2 and SELF_PACED in shared and follow_up_group(i) is None:
            rows.append(Completion(
                user=person, course=shared[SELF_PACED], status=Completion.Status.COMPLETED,
                completed_on=today - datetime.timedelta(days=7 + i % 400), credit_hours=Decimal("2.5"),
            ))
        if i % 2 == 0:
            rows.append(Completion(
                user=person, course=grand_rounds, status=Completion.Status.COMPLETED,
                completed_on=today - datetime.timedelta(days=3 + i % 200), credit_hours=Decimal("1"),
            ))
        if i % 4 == 1 and SERIES in shared:
            rows.append(Completion(user=person, course=shared[SERIES], status=Completion.Status.ENROLLED))
    added = _add_completions(rows, start_month=program.academic_year_start_month, today=today)
    return f"Courses: {sessions} sessions and {added} completion records added."
