"""Reads for the catalog, completions and transcripts. Each takes the user and returns only
what that user may see; list pages run a fixed number of queries whatever the data size."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Case, Count, Exists, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum, Value, When
from django.db.models.functions import ExtractYear
from django.http import Http404
from django.utils import timezone

from mentorprogram import audit
from mentorprogram.models import Membership, Program, User
from mentorprogram.permissions import coordinated_program_ids, coordinator_sees_membership_q
from toolbox.periods import academic_year_label, academic_year_named, academic_year_of, local_today

from . import permissions, search
from .models import Completion, Course, CourseDomain, CourseSession, QuickGuide, Reading, Theme

OPEN_STATUSES = (Completion.Status.PLANNED, Completion.Status.ENROLLED)
DEFAULT_START_MONTH = 7


def _visible(qs: QuerySet, user: User) -> QuerySet:
    rule = permissions.catalog_filter(user)
    return qs if rule is None else qs.filter(rule)


def with_next_session(qs: QuerySet[Course], now: datetime.datetime) -> QuerySet[Course]:
    """Annotate ``next_session_starts_at``: the start of the course's next session, or None."""
    upcoming = CourseSession.objects.filter(course=OuterRef("pk"), starts_at__gte=now).order_by("starts_at")
    return qs.annotate(next_session_starts_at=Subquery(upcoming.values("starts_at")[:1]))


def visible_courses(*, user: User) -> QuerySet[Course]:
    return _visible(Course.objects.all(), user)


def catalog_for_user(
    *, user: User, q: str = "", modality: str = "", theme: str = "", domain: str = "",
    with_credit: bool = False, upcoming: bool = False, now: datetime.datetime | None = None,
) -> QuerySet[Course]:
    """Active catalog items this user may see, filtered; themes and domains prefetched."""
    now = now or timezone.now()
    qs = with_next_session(visible_courses(user=user).filter(is_active=True), now)
    if q:
        qs = qs.filter(search.matching(q))
    if modality:
        qs = qs.filter(modality=modality)
    if theme:
        qs = qs.filter(pk__in=Course.themes.through.objects.filter(theme__slug=theme).values("course_id"))
    if domain:
        qs = qs.filter(pk__in=CourseDomain.objects.filter(domain_key=domain).values("course_id"))
    if with_credit:
        qs = qs.filter(cme_credit_hours__gt=0)
    if upcoming:
        qs = qs.filter(next_session_starts_at__isnull=False)
    return qs.select_related("program").prefetch_related("themes", "domains").order_by("title", "pk")


def get_course_for_user(*, user: User, pk: int) -> Course:
    try:
        return visible_courses(user=user).select_related("program", "reading", "quick_guide").get(pk=pk)
    except Course.DoesNotExist:
        raise Http404("No such course.") from None


def get_session_for_user(*, user: User, pk: int) -> CourseSession:
    """A dated session of a catalog item this user may see; a 404 otherwise."""
    session = (CourseSession.objects.select_related("course")
               .filter(pk=pk, course__in=visible_courses(user=user)).first())
    if session is None:
        raise Http404("No such session.")
    return session


def course_sessions(*, course: Course, now: datetime.datetime | None = None) -> tuple[list, list]:
    """(upcoming, past) sessions of a course, each in date order."""
    now = now or timezone.now()
    sessions = list(course.sessions.all())
    return [s for s in sessions if s.starts_at >= now], [s for s in sessions if s.starts_at < now]


def completions_of(*, user: User, course: Course | None = None) -> QuerySet[Completion]:
    """A person's own records (the caller passes the person themself)."""
    qs = Completion.objects.filter(user=user).select_related("course")
    return qs.filter(course=course) if course is not None else qs


def record_this_year(*, user: User, records: list[Completion],
                     now: datetime.datetime | None = None) -> Completion | None:
    """Of a person's records of one course, the one that a new status would move forward: the open
    one, else the completion of the current academic year. None when a new record would start."""
    year = academic_year_of(local_today(user.time_zone, now), academic_start_month_for(person=user))
    return (next((r for r in records if r.is_open), None)
            or next((r for r in records if r.academic_year == year), None))


def status_by_course(*, user: User) -> dict[int, str]:
    """For badges on the catalog: course id → the person's most advanced status."""
    rank = {Completion.Status.PLANNED: 0, Completion.Status.ENROLLED: 1, Completion.Status.COMPLETED: 2}
    result: dict[int, str] = {}
    for course_id, status in Completion.objects.filter(user=user).values_list("course_id", "status"):
        if course_id not in result or rank[status] > rank[result[course_id]]:
            result[course_id] = status
    return result


def get_person_for_viewer(*, viewer: User, user_id: int) -> User:
    """The person whose records are asked for, if the viewer may see them; else 404. Someone else's
    look at them is recorded in the person's audit trail."""
    person = viewer if viewer.pk == user_id else User.objects.filter(pk=user_id).first()
    if person is None or not permissions.may_view_person_records(viewer, person):
        raise Http404("No such person.")
    audit.record_access(viewer=viewer, obj=person, person_id=person.pk, what="training transcript")
    return person


def academic_start_month_for(*, person: User, viewer: User | None = None) -> int:
    """The academic year of the person's program (the viewer's own programs first, by name)."""
    rows = list(
        Membership.objects.filter(user=person).order_by("program__name")
        .values_list("program_id", "program__academic_year_start_month")
    )
    if viewer is not None and viewer.pk != person.pk:
        coordinated = coordinated_program_ids(viewer)
        rows = [r for r in rows if r[0] in coordinated] or rows
    return rows[0][1] if rows else DEFAULT_START_MONTH


@dataclass
class TranscriptYear:
    year: int
    label: str
    completions: list[Completion] = field(default_factory=list)

    @property
    def credit_hours(self) -> Decimal:
        return sum((c.credit_hours for c in self.completions), Decimal("0"))

    @property
    def verified_credit_hours(self) -> Decimal:
        return sum((c.credit_hours for c in self.completions if c.is_verified), Decimal("0"))


@dataclass
class Transcript:
    person: User
    start_month: int
    years: list[TranscriptYear]
    in_progress: list[Completion]
    year: int | None = None

    @property
    def credit_hours(self) -> Decimal:
        return sum((y.credit_hours for y in self.years), Decimal("0"))


def transcript_for(*, person: User, start_month: int, year: int | None = None) -> Transcript:
    """Completed courses grouped by academic year (newest first), and the planned or enrolled ones.

    With ``year``, only that academic year's completions; the open records are always listed.
    One query.
    """
    rows = list(
        Completion.objects.filter(user=person).select_related("course", "verified_by")
        .order_by("-completed_on", "course__title")
    )
    years: dict[int, TranscriptYear] = {}
    in_progress = []
    for c in rows:
        if c.status != Completion.Status.COMPLETED:
            in_progress.append(c)
            continue
        ay = academic_year_of(c.completed_on, start_month)
        if year is not None and ay != year:
            continue
        if ay not in years:
            years[ay] = TranscriptYear(ay, academic_year_label(ay, start_month))
        years[ay].completions.append(c)
    in_progress.sort(key=lambda c: c.course.title)
    return Transcript(person=person, start_month=start_month, years=list(years.values()),
                      in_progress=in_progress, year=year)


def credit_hours_for_year(*, user: User, start_month: int, year: int) -> Decimal:
    """CME credit hours the person claimed for courses completed in one academic year. One query."""
    period = academic_year_named(year, start_month)
    total = Completion.objects.filter(
        user=user, status=Completion.Status.COMPLETED, completed_on__gte=period.start, completed_on__lt=period.end,
    ).aggregate(total=Sum("credit_hours"))["total"]
    return total or Decimal("0")


def credit_hours_in_academic_year(
    *, user: User, program: Program, year: int | None = None, now: datetime.datetime | None = None,
) -> Decimal:
    """Credit hours in one academic year of the program: the current one (in the program's
    time zone) unless ``year`` is given. For reporting requirements."""
    start_month = program.academic_year_start_month
    if year is None:
        year = academic_year_of(local_today(program.time_zone, now), start_month)
    return credit_hours_for_year(user=user, start_month=start_month, year=year)


def credit_hours_by_academic_year(*, program: Program) -> list[dict]:
    """For the program report: per academic year of the program, the number of its people who
    completed training and the credit hours they claimed. One aggregate query.

    Rows: ``{"year_start": date, "people": int, "hours": Decimal}``, oldest year first.
    """
    start_month = program.academic_year_start_month
    # The program's years (its own start month), which may differ from the year a record counts in.
    program_year = ExtractYear("completed_on") - Case(
        When(completed_on__month__lt=start_month, then=Value(1)), default=Value(0), output_field=IntegerField(),
    )
    rows = (
        Completion.objects.filter(
            status=Completion.Status.COMPLETED,
            user_id__in=Membership.objects.filter(
                coordinator_sees_membership_q(), program=program,
            ).values("user_id"),
        )
        .annotate(program_year=program_year).values("program_year")
        .annotate(people=Count("user_id", distinct=True), hours=Sum("credit_hours"))
        .order_by("program_year")
    )
    return [{"year_start": datetime.date(r["program_year"], start_month, 1), "people": r["people"],
             "hours": r["hours"] or Decimal("0")} for r in rows]


def next_planned_session(*, user: User, now: datetime.datetime | None = None) -> CourseSession | None:
    """The next session of a course the person has planned or enrolled in. One query."""
    now = now or timezone.now()
    return (
        CourseSession.objects.filter(
            starts_at__gte=now, course__completions__user=user, course__completions__status__in=OPEN_STATUSES,
        )
        .select_related("course").order_by("starts_at", "pk").first()
    )


def suggest_for_domains(
    domain_keys: Iterable[str], *, user: User | None = None, program: Program | None = None,
    now: datetime.datetime | None = None,
) -> QuerySet[Course]:
    """Active catalog items addressing any of these domains (by stable domain key).

    Limited to what ``user`` may see and, with ``program``, to shared items and that
    program's own. Items with an upcoming session come first (soonest first), then by CME
    credit (most first), then by title. Each carries ``next_session_starts_at``.
    """
    now = now or timezone.now()
    keys = set(domain_keys)
    qs = Course.objects.filter(
        is_active=True, pk__in=CourseDomain.objects.filter(domain_key__in=keys).values("course_id"),
    )
    if user is not None:
        qs = _visible(qs, user)
    if program is not None:
        qs = qs.filter(Q(program__isnull=True) | Q(program=program))
    return (
        with_next_session(qs, now)
        .prefetch_related("domains")
        .order_by(F("next_session_starts_at").asc(nulls_last=True), "-cme_credit_hours", "title", "pk")
    )


def themes() -> QuerySet[Theme]:
    return Theme.objects.all()


def readings_for_user(*, user: User, topic: str = "") -> QuerySet[Reading]:
    qs = _visible(Reading.objects.all(), user)
    if topic:
        qs = qs.filter(topics__slug=topic)
    return qs.prefetch_related("topics").order_by("title", "pk")


def quick_guides_for_user(*, user: User) -> QuerySet[QuickGuide]:
    return _visible(QuickGuide.objects.all(), user).order_by("title", "pk")


def get_quick_guide_for_user(*, user: User, pk: int) -> QuickGuide:
    try:
        return quick_guides_for_user(user=user).get(pk=pk)
    except QuickGuide.DoesNotExist:
        raise Http404("No such guide.") from None



# --- For the program report: training beside a change -------------------------------------------


def completed_in_domain_between(*, user, domain_key, start, end) -> Exists:
    """Whether ``user`` completed a course addressing the domain ``domain_key`` on a day from
    ``start`` to ``end`` (dates). The arguments are expressions of an outer query (``OuterRef``),
    so that a report counts everyone's in one statement."""
    return Exists(Completion.objects.filter(
        user=user, status=Completion.Status.COMPLETED, course__domains__domain_key=domain_key,
        completed_on__gte=start, completed_on__lte=end,
    ))
