"""The coordinators' reads about a program's mentors: the compliance table and its export, the
report's and the home's summaries, one person's summary. The database judges the mentors
(``standing``), from the rules and measures of ``progress``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cached_property

from django.core.paginator import Page, Paginator
from django.db.models import (
    Count,
    F,
    Q,
    QuerySet,
    Window,
)
from django.db.models.functions import RowNumber
from django.http import Http404

from mentorprogram import audit
from mentorprogram import permissions as core
from mentorprogram.models import Membership, Program, User
from toolbox.compiled import Statement, statement
from toolbox.periods import Period, academic_year, local_today

from . import standing
from .models import (
    AccountabilityPlan,
    Mentee,
    PlanItem,
    ReportingRequirement,
)
from .progress import Progress, active_requirements, expected_by, measures, number, progress_for_mentor, shape
from .standing import BEHIND, MET, NOT_APPLICABLE, ON_TRACK, Rule, name_order


def coordinated_programs(*, user: User) -> list[Program]:
    return list(Program.objects.filter(pk__in=core.coordinated_program_ids(user)).order_by("name"))


def get_coordinated_program(*, user: User, slug: str) -> Program:
    try:
        return Program.objects.get(slug=slug, pk__in=core.coordinated_program_ids(user))
    except Program.DoesNotExist:
        raise Http404("No such program.") from None


@dataclass
class ComplianceRow:
    mentor: User
    department: str
    cells: list[Progress]

    @property
    def behind(self) -> int:
        return sum(1 for c in self.cells if c.status == BEHIND)


@dataclass
class _Judged:
    """The program's active requirements in their current periods, as the database judges the
    program's active mentors against them. The rules (each requirement's measures and status as
    SQL) are built only when a query of them is compiled; a page reads its query through ``statement``."""

    program: Program
    today: date
    in_force: list[tuple[ReportingRequirement, Period, date]]  # as ``active_requirements`` reads them

    @property
    def mentors(self) -> QuerySet[Membership]:
        return Membership.objects.filter(program=self.program, role=Membership.Role.MENTOR,
                                         status=Membership.Status.ACTIVE)

    @cached_property  # read for every cell of the table
    def requirements(self) -> list[ReportingRequirement]:
        return [req for req, _, _ in self.in_force]

    @cached_property
    def periods(self) -> list[Period]:
        return [period for _, period, _ in self.in_force]

    def expected(self, i: int) -> Decimal:
        return expected_by(self.requirements[i].target, self.periods[i], self.today)

    @cached_property
    def rules(self) -> list[Rule]:
        return [standing.rule(i, req, period, self.today, self.expected(i), measures(self.program, req, period))
                for i, (req, period) in enumerate(zip(self.requirements, self.periods, strict=True))]

    def statement(self, name: str, build) -> Statement:
        """``build()``'s SQL, compiled once per process for each ``progress.shape`` and set of
        targets: every input of the statuses (the mentors are the program's active ones)."""
        return statement((name, *shape(self.program, self.in_force), tuple(req.target for req in self.requirements)),
                         build)

    def columns(self, name: str) -> list[str]:
        return [standing.column(i, name) for i in range(len(self.requirements))]

    def rows(self) -> QuerySet[Membership]:
        """The mentors with each requirement's status and figure, and on how many they are behind."""
        return standing.judged(self.mentors, self.rules)

    def statuses(self) -> QuerySet[Membership]:
        return self.mentors.order_by().annotate(**{rule.column("status"): rule.status() for rule in self.rules})

    def cell(self, i: int, status: str, actual) -> Progress:
        """A cell of the table from the status and figure the database decided (as ``_progress``
        and ``_first_period`` would; the notes the mentor's own page adds are left out)."""
        req, period = self.requirements[i], self.periods[i]
        if status == NOT_APPLICABLE:
            return Progress(req, period, None, Decimal(0), status)
        community = req.metric == ReportingRequirement.Metric.COMMUNITY_ATTENDANCE
        return Progress(req, period, Decimal(actual), req.target if community else self.expected(i), status)

    def row(self, m: Membership) -> ComplianceRow:
        return ComplianceRow(m.user, m.department, [
            self.cell(i, getattr(m, standing.column(i, "status")), getattr(m, standing.column(i, "actual")))
            for i in range(len(self.requirements))])


def _judge(*, program: Program, today: date | None) -> _Judged:
    """One query reads the program's active requirements; the database judges the program's active
    mentors against them in the query of the caller's choice (``standing``)."""
    today = today or local_today(program.time_zone)
    return _Judged(program, today, active_requirements(program, today))


@dataclass
class ComplianceTable:
    requirements: list[ReportingRequirement]
    mentor_count: int
    behind_count: int  # mentors behind on at least one requirement
    page: Page  # of ComplianceRow, the most requirements behind first


def _ordered(judged_: _Judged) -> QuerySet[Membership]:
    return judged_.rows().select_related("user").order_by("-behind", name_order(), "user_id")


def compliance_table_page(*, program: Program, number, per_page: int, behind_only: bool = False,
                          today: date | None = None) -> ComplianceTable:
    """One page of the compliance table (of the mentors behind only, who come first), and how many
    mentors there are and are behind: two queries, the requirements and the page with the counts
    (two more for a page past the last, which shows the last)."""
    judged_ = _judge(program=program, today=today)

    def build() -> QuerySet:
        rows = judged_.mentors.order_by().values("pk", "user_id", "user__display_name", "user__email", "department")
        return rows.annotate(name_key=name_order(), **{rule.column("status"): rule.status() for rule in judged_.rules},
                             **{rule.column("actual"): rule.figure() for rule in judged_.rules})

    rows = judged_.statement("compliance table", build)
    statuses = judged_.columns("status")
    try:
        number = max(1, int(number))
    except (TypeError, ValueError):
        number = 1
    found, counts = standing.ranked(rows, statuses, offset=(number - 1) * per_page, limit=per_page)
    if counts is None:  # past the last row: counted from the first
        _, counts = standing.ranked(rows, statuses, offset=0, limit=1)
        counts = counts or {"mentors": 0, "behind_any": 0}
    page = Paginator(range(counts["behind_any"] if behind_only else counts["mentors"]), per_page).get_page(number)
    if page.number != number:
        found, _ = standing.ranked(rows, statuses, offset=(page.number - 1) * per_page, limit=per_page)
    page.object_list = [ComplianceRow(
        # The person as the table names and links them.
        User(pk=r["user_id"], display_name=r["user__display_name"], email=r["user__email"]), r["department"],
        [judged_.cell(i, r[status], _number(r[actual]))
         for i, (status, actual) in enumerate(zip(statuses, judged_.columns("actual"), strict=True))],
    ) for r in found if r["behind"] or not behind_only]
    return ComplianceTable(judged_.requirements, counts["mentors"], counts["behind_any"], page)


def _number(value):
    """A figure read by ``standing.ranked``, which Django's converters did not see (SQLite: a float)."""
    return value if value is None or isinstance(value, int | Decimal) else Decimal(str(value))


def compliance_table(*, program: Program, today: date | None = None) -> tuple[list[ReportingRequirement],
                                                                             list[ComplianceRow]]:
    """Every active mentor × every active requirement, the most requirements behind first (then by
    name). Two queries: the requirements, and the mentors with every measure counted and every
    status decided by the database."""
    judged_ = _judge(program=program, today=today)
    return judged_.requirements, [judged_.row(m) for m in _ordered(judged_)]


def requirement_compliance_summary(*, program: Program, today: date | None = None) -> list[dict]:
    """For the program report: per requirement, how many active mentors are on track (met or on
    track) and how many are behind. Mentors for whom it does not apply, or with no data, are left
    out. Two queries: the requirements, and the statuses counted by the database."""
    judged_ = _judge(program=program, today=today)
    statuses = judged_.columns("status")
    mentors, counts = standing.counted(judged_.statement("statuses", lambda: judged_.statuses().values(*statuses)),
                                       statuses, {"on_track": (MET, ON_TRACK), "behind": (BEHIND,)})
    summary = []
    for req, period, counted in zip(judged_.requirements, judged_.periods, counts, strict=True):
        summary.append({
            "requirement": req.get_metric_display(),
            "key": f"{req.pk}:{period.start:%Y-%m-%d}" if mentors else f"{req.pk}",
            "target": f"{number(req.target)}{'%' if req.unit == '%' else ''} per {req.get_period_display().lower()}",
            **counted,
        })
    return summary


def plan_completion_summary(*, program: Program, today: date | None = None) -> dict:
    """For the program report: the current academic year's plans — people with one, their items
    (dropped ones left out), how many are done and how many are overdue. One query."""
    today = today or local_today(program.time_zone)
    year = academic_year(today, program.academic_year_start_month)
    kept = ~Q(items__status=PlanItem.Status.DROPPED)
    totals = AccountabilityPlan.objects.filter(program=program, period_start=year.start).aggregate(
        n_people=Count("mentor", distinct=True),
        n_items=Count("items", filter=kept),
        n_completed=Count("items", filter=kept & Q(items__status=PlanItem.Status.DONE)),
        n_overdue=Count("items", filter=kept & Q(items__status__in=PlanItem.OPEN_STATUSES,
                                                 items__due_on__lt=today)),
    )
    return {key.removeprefix("n_"): value for key, value in totals.items()}


@dataclass
class BehindOnRequirement:
    requirement: ReportingRequirement
    count: int  # active mentors behind on it
    furthest: list[tuple[User, Progress]]  # the furthest behind first, up to the limit


def behind_by_requirement(*, program: Program, today: date | None = None, limit: int = 5) -> list[BehindOnRequirement]:
    """For the coordinator's home: per active requirement, how many active mentors are behind and
    who is furthest behind (the largest shortfall against what the time gone by expects: the lowest
    figure, as the expectation is the same for everyone). Two queries: the requirements, and the
    mentors the database ranks first on any requirement, with the last one behind on each, whose
    rank is how many are."""
    judged_ = _judge(program=program, today=today)
    if not judged_.requirements:
        return []

    def build() -> QuerySet:
        rows = judged_.mentors.order_by().values("user_id", "user__display_name", "user__email")
        for rule in judged_.rules:
            key, first, last = rule.column("shortfall"), rule.column("first"), rule.column("last")
            rows = rows.annotate(**{key: rule.shortfall()})
            rows = rows.annotate(**{
                first: Window(RowNumber(), order_by=[F(key).asc(nulls_last=True), name_order().asc(),
                                                     F("user_id").asc()]),
                last: Window(RowNumber(), order_by=[F(key).desc(nulls_last=True), name_order().desc(),
                                                    F("user_id").desc()]),
            })
        return rows

    firsts, lasts = judged_.columns("first"), judged_.columns("last")
    found = standing.kept(judged_.statement("furthest behind", build),
                          [c for first, last in zip(firsts, lasts, strict=True) for c in ((first, "<=", limit),
                                                                                          (last, "=", 1))])
    summary = []
    for i, (key, first, last) in enumerate(zip(judged_.columns("shortfall"), firsts, lasts, strict=True)):
        behind = sorted((r for r in found if r[key] is not None), key=lambda r: r[first])
        final = next((r for r in behind if r[last] == 1), None)
        summary.append(BehindOnRequirement(judged_.requirements[i], final[first] if final else 0, [
            # The person as the card names and links them.
            (User(pk=r["user_id"], display_name=r["user__display_name"], email=r["user__email"]),
             judged_.cell(i, BEHIND, r[key] if isinstance(r[key], int | Decimal) else Decimal(str(r[key]))))
            for r in behind if r[first] <= limit]))
    return summary


@dataclass
class PersonSummary:
    person: User
    program: Program
    memberships: list[Membership]
    progress: list[Progress]
    plan: AccountabilityPlan | None
    plan_counts: dict[str, int]
    open_items: list[PlanItem]
    mentees: int
    mentee_meetings: int


def compliance_export(*, program: Program, viewer: User) -> tuple[list[ReportingRequirement], list]:
    """The compliance table for download; the download is recorded in each named mentor's audit trail."""
    requirements, rows = compliance_table(program=program)
    audit.record_export(viewer=viewer, people=[r.mentor for r in rows], what=f"{program} compliance CSV")
    return requirements, rows


def person_summary(*, program: Program, person: User, viewer: User, today: date | None = None) -> PersonSummary:
    """What a coordinator of ``program`` reads about one of its people: progress on each
    requirement, their current (or latest) plan (counts by status, the open items), and how many mentees and
    mentee meetings they have recorded — counts and dates only, never the notes or goal wording.
    The viewer's look is recorded in the person's audit trail."""
    audit.record_access(viewer=viewer, obj=person, person_id=person.pk, what=f"person summary in {program}")
    today = today or local_today(program.time_zone)
    memberships = list(Membership.objects.filter(core.coordinator_sees_membership_q(), program=program, user=person)
                       .order_by("role"))
    is_mentor = any(m.role == Membership.Role.MENTOR for m in memberships)
    progress = progress_for_mentor(user=person, program=program, today=today) if is_mentor else []
    plan = (AccountabilityPlan.objects.filter(program=program, mentor=person, period_start__lte=today)
            .order_by("-period_start").first())  # the current one, else the latest
    counts: dict[str, int] = {}
    open_items: list[PlanItem] = []
    if plan is not None:
        counts = {PlanItem.Status(r["status"]).label: r["n"]
                  for r in plan.items.values("status").annotate(n=Count("pk")).order_by("status")}
        open_items = list(plan.items.filter(status__in=PlanItem.OPEN_STATUSES).order_by("due_on", "pk")[:10])
    mentees = Mentee.objects.filter(program=program, mentor=person).aggregate(
        mentees=Count("pk", distinct=True), meetings=Count("meetings", distinct=True))
    return PersonSummary(person=person, program=program, memberships=memberships, progress=progress, plan=plan,
                         plan_counts=counts, open_items=open_items, mentees=mentees["mentees"],
                         mentee_meetings=mentees["meetings"])


def get_program_for_person_summary(*, user: User, slug: str) -> Program:
    """A program whose people the user may look at one by one: one they coordinate (any for a
    superuser); anything else is a 404."""
    programs = Program.objects.all() if user.is_active and user.is_superuser else Program.objects.filter(
        pk__in=core.coordinated_program_ids(user))
    try:
        return programs.get(slug=slug)
    except Program.DoesNotExist:
        raise Http404("No such program.") from None


def get_person_in_program(*, program: Program, user_id: int) -> User:
    """A person the program's coordinators see (an accepted membership of any status); else 404."""
    person = User.objects.filter(
        pk=user_id, memberships__in=Membership.objects.filter(core.coordinator_sees_membership_q(), program=program),
    ).distinct().first()
    if person is None:
        raise Http404("No such person in this program.")
    return person
