"""Reads for accountability. Each takes the user (or is called by code that already checked
permission) and keeps its query count fixed whatever the amount of data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

from django.core.paginator import Page, Paginator
from django.db.models import (
    Count,
    Exists,
    F,
    Func,
    IntegerField,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Window,
)
from django.db.models.functions import RowNumber
from django.http import Http404
from django.utils.translation import ngettext

from mentorprogram import audit
from mentorprogram import permissions as core
from mentorprogram.models import Membership, Program, User
from toolbox.compiled import Compiled, compiled
from toolbox.periods import Period, academic_year, local_today, period_containing

from . import permissions, sources, standing
from .models import (
    AccountabilityPlan,
    Mentee,
    MenteeGoal,
    MenteeMeeting,
    Mentorship,
    PlanItem,
    PlanItemChange,
    ReportingRequirement,
)
from .standing import BEHIND, GETTING_STARTED, MET, NO_DATA, NOT_APPLICABLE, ON_TRACK, Rule, name_order

STATUS_LABELS = {
    MET: "Met", ON_TRACK: "On track", BEHIND: "Behind", NOT_APPLICABLE: "Not applicable", NO_DATA: "No data yet",
    GETTING_STARTED: "Getting started",
}
STATUS_CLASSES = {MET: "success", ON_TRACK: "info", BEHIND: "danger", NOT_APPLICABLE: "secondary",
                  NO_DATA: "secondary", GETTING_STARTED: "info"}
DUE_SOON_DAYS = 30


# --- Mentees --------------------------------------------------------------------------------

def get_mentee_for_user(*, user: User, pk: int) -> Mentee:
    """The mentee's mentor and the program's coordinators; anyone else gets a 404."""
    try:
        return permissions.visible_mentees(user).select_related("program", "mentor").get(pk=pk)
    except Mentee.DoesNotExist:
        raise Http404("No such mentee.") from None


def get_own_mentee(*, user: User, pk: int) -> Mentee:
    mentee = get_mentee_for_user(user=user, pk=pk)
    if not permissions.can_edit_mentee(user, mentee):
        raise Http404("No such mentee.")
    return mentee


def own_mentees(*, user: User) -> QuerySet[Mentee]:
    return Mentee.objects.filter(mentor=user, program_id__in=permissions.mentor_program_ids(user))


def mentee_list(*, user: User) -> list[Mentee]:
    """The mentor's mentees with their open mentorship, meeting count and last meeting date."""
    return list(
        own_mentees(user=user)
        .select_related("program")
        .annotate(
            meeting_count=Count("meetings", distinct=True),
            open_goal_count=Count("goals", filter=Q(goals__status=MenteeGoal.Status.OPEN), distinct=True),
        )
        .prefetch_related(
            Prefetch("mentorships", queryset=Mentorship.objects.order_by("-started_on", "-pk"), to_attr="periods"),
            Prefetch("meetings", queryset=MenteeMeeting.objects.only("pk", "mentee_id", "held_on")
                     .order_by("-held_on", "-pk"), to_attr="meeting_dates"),
        )
        .order_by("program__name", "name")
    )


def mentee_detail(*, mentee: Mentee) -> dict:
    """A mentee's mentorships, meetings and goals: three queries."""
    return {
        "mentorships": list(mentee.mentorships.all()),
        "meetings": list(mentee.meetings.all()),
        "goals": list(mentee.goals.all()),
    }


def get_own_meeting(*, user: User, pk: int) -> MenteeMeeting:
    try:
        return MenteeMeeting.objects.select_related("mentee").get(pk=pk, mentee__mentor=user)
    except MenteeMeeting.DoesNotExist:
        raise Http404("No such meeting.") from None


def get_own_goal(*, user: User, pk: int) -> MenteeGoal:
    try:
        return MenteeGoal.objects.select_related("mentee").get(pk=pk, mentee__mentor=user)
    except MenteeGoal.DoesNotExist:
        raise Http404("No such goal.") from None


# --- Plans ----------------------------------------------------------------------------------

def get_plan_for_user(*, user: User, pk: int) -> AccountabilityPlan:
    try:
        return permissions.visible_plans(user).select_related("program", "mentor").get(pk=pk)
    except AccountabilityPlan.DoesNotExist:
        raise Http404("No such plan.") from None


def get_item_for_user(*, user: User, pk: int) -> PlanItem:
    try:
        return PlanItem.objects.select_related("plan__program", "plan__mentor").get(
            pk=pk, plan__in=permissions.visible_plans(user)
        )
    except PlanItem.DoesNotExist:
        raise Http404("No such plan item.") from None


def mentor_programs(*, user: User) -> list[Program]:
    return list(Program.objects.filter(pk__in=permissions.mentor_program_ids(user)).order_by("name"))


def current_plans(*, user: User, programs: list[Program], now: datetime | None = None) -> dict[int, AccountabilityPlan]:
    """The mentor's plan for the current academic year of each program, by program id."""
    if not programs:
        return {}
    starts = {academic_year(local_today(p.time_zone, now), p.academic_year_start_month).start for p in programs}
    plans = AccountabilityPlan.objects.filter(mentor=user, program__in=programs, period_start__in=starts)
    wanted = {p.pk: academic_year(local_today(p.time_zone, now), p.academic_year_start_month).start
              for p in programs}
    return {plan.program_id: plan for plan in plans if wanted.get(plan.program_id) == plan.period_start}


def plan_detail(*, plan: AccountabilityPlan) -> dict:
    """Items grouped open-first, and the plan's history: two queries."""
    items = list(plan.items.order_by("due_on", "pk"))
    history = list(
        PlanItemChange.objects.filter(item__plan=plan).select_related("changed_by", "item").order_by("-changed_at",
                                                                                                     "-pk")[:200]
    )
    open_items = [i for i in items if i.is_open]
    closed = [i for i in items if not i.is_open]
    return {"open_items": open_items, "closed_items": closed, "history": history, "item_count": len(items)}


def items_due_soon(*, user: User, today: date, days: int = DUE_SOON_DAYS,
                   program_ids: set[int] | None = None) -> list[PlanItem]:
    """Open items of the mentor's plans due within ``days`` (overdue ones included), one query.
    ``program_ids``: the programs the user is a live mentor in, when the caller already knows them."""
    return list(
        PlanItem.objects.filter(
            plan__mentor=user,
            plan__program_id__in=permissions.mentor_program_ids(user) if program_ids is None else program_ids,
            status__in=PlanItem.OPEN_STATUSES, due_on__isnull=False, due_on__lte=today + timedelta(days=days),
        )
        .select_related("plan")
        .order_by("due_on", "pk")[:10]
    )


# --- Progress against requirements ----------------------------------------------------------

@dataclass
class Progress:
    requirement: ReportingRequirement
    period: Period
    actual: Decimal | None
    expected: Decimal
    status: str
    detail: str = ""

    @property
    def target(self) -> Decimal:
        return self.requirement.target

    @property
    def percent(self) -> int:
        if self.actual is None:
            return 0
        return min(100, int(self.actual * 100 / self.target))

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def status_class(self) -> str:
        return STATUS_CLASSES[self.status]

    @property
    def actual_display(self) -> str:
        if self.actual is None:
            return "—"
        return f"{number(self.actual)}{'%' if self.requirement.unit == '%' else ''}"

    @property
    def target_display(self) -> str:
        return number(self.target)


def number(value: Decimal) -> str:
    """2.50 → "2.5", 1.0 → "1"."""
    text = format(Decimal(value).normalize(), "f")
    return text


def _status(actual: Decimal, target: Decimal, period: Period, today: date) -> tuple[str, Decimal]:
    """Met at the target; on track while at least the share of it that the time gone by calls for,
    rounded to whole units (one meeting a month: behind once half the month has gone without one)."""
    expected = _expected(target, period, today)
    if actual >= target:
        return MET, expected
    if actual >= expected and today < period.end:
        return ON_TRACK, expected
    return BEHIND, expected


@lru_cache(maxsize=1024)
def _expected(target: Decimal, period: Period, today: date) -> Decimal:
    """The share of ``target`` that the time gone by calls for, in whole units: the same for every
    mentor of a requirement, so worked out once (a table has a thousand mentors)."""
    return (target * Decimal(period.elapsed_fraction(today))).quantize(Decimal(1), rounding=ROUND_HALF_UP)


def _mentee_records(program: Program, period: Period, relation: str, date_field: str) -> list[sources.Tally]:
    """(low, mentees): the fewest records (meetings or goals) in the period with any of the mentor's
    mentees in an active mentorship at some point of it (paused ones are not counted), and how many
    such mentees there are."""
    overlapping = Mentorship.objects.filter(
        mentee=OuterRef("pk"), started_on__lt=period.end,
    ).exclude(status=Mentorship.Status.PAUSED).filter(Q(ended_on__isnull=True) | Q(ended_on__gte=period.start))
    records = (Mentee._meta.get_field(relation).related_model.objects
               .filter(mentee=OuterRef("pk"), **{f"{date_field}__gte": period.start, f"{date_field}__lt": period.end})
               .order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n"))
    mentees = (Mentee.objects.filter(program=program).filter(Exists(overlapping))
               .annotate(n=Subquery(records, output_field=IntegerField())))
    return [sources.Tally(mentees, "mentor_id", {"low": Min("n"), "mentees": Count("pk")})]


def _measures(program: Program, req: ReportingRequirement, period: Period) -> list[sources.Tally]:
    M = ReportingRequirement.Metric
    window = {"program": program, "start": period.start, "end": period.end}
    if req.metric == M.MENTEE_MEETINGS:
        return _mentee_records(program, period, "meetings", "held_on")
    if req.metric == M.MENTEE_GOALS:
        return _mentee_records(program, period, "goals", "set_on")
    if req.metric == M.COMMUNITY_ATTENDANCE:
        return sources.community_attendance(**window)
    if req.metric == M.TRAINING_CREDIT:
        return sources.training_credit_hours(**window)
    return sources.assessments_submitted(**window)


def _requirements(program: Program, today: date) -> list[tuple[ReportingRequirement, Period, date]]:
    """The program's active requirements as (requirement, its period containing ``today``, today): one query."""
    return [(req, period_containing(req.period, today, program.academic_year_start_month), today)
            for req in program.reporting_requirements.filter(is_active=True).order_by("metric")]


def _measured(program: Program, requirements: list[tuple[ReportingRequirement, Period, date]]) -> Compiled:
    """The query of one mentor's membership of the program, with every measure of ``requirements``
    counted by the database as a subquery (``r{i}_{total}``, i the requirement's place), compiled
    once for each program, zone and set of requirements with their periods: building it took
    longer than running it. Many mentors are judged by the database instead (``standing``)."""
    key = ("progress", program.pk, program.time_zone,
           tuple((req.pk, req.metric, period, day) for req, period, day in requirements))

    def build(user_id: int) -> QuerySet[Membership]:
        measures = {f"r{i}_{name}": expression
                    for i, (req, period, _) in enumerate(requirements)
                    for tally in _measures(program, req, period)
                    for name, expression in tally.correlated().items()}
        return (Membership.objects.filter(program=program, role=Membership.Role.MENTOR, user_id=user_id)
                .order_by().annotate(**measures))

    return compiled(key, build)


def _progress_of(m: Membership, requirements: list[tuple[ReportingRequirement, Period, date]]) -> list[Progress]:
    measured = [{} for _ in requirements]
    for column, value in vars(m).items():
        place, _, total = column.partition("_")
        if place[:1] == "r" and place[1:].isdigit():
            measured[int(place[1:])][total] = value
    return [_first_period(_progress(req, period, measured[i], day), m.joined_on, day)
            for i, (req, period, day) in enumerate(requirements)]


def _progress(req: ReportingRequirement, period: Period, values: dict, today: date) -> Progress:
    """One mentor's progress on one requirement, from the measures ``_measures`` counted ({} when
    the person is not a mentor of the program)."""
    M = ReportingRequirement.Metric
    zero = Decimal(0)
    if req.metric in (M.MENTEE_MEETINGS, M.MENTEE_GOALS):
        low, count = values.get("low") or 0, values.get("mentees") or 0
        if count == 0:
            return Progress(req, period, None, zero, NOT_APPLICABLE, "No active mentees in this period.")
        status, expected = _status(Decimal(low), req.target, period, today)
        # In words that fit the mentor's own page and a coordinator's page about them alike.
        if count == 1:
            note = "With a single mentee." if req.metric == M.MENTEE_MEETINGS else "Set with a single mentee."
        else:
            noun = "meetings" if req.metric == M.MENTEE_MEETINGS else "goals"
            note = f"The fewest {noun} with any one of {count} mentees."
        return Progress(req, period, Decimal(low), expected, status, note)
    if req.metric == M.COMMUNITY_ATTENDANCE:
        attended, held = values.get("attended") or 0, values.get("held") or 0
        if held == 0:
            return Progress(req, period, None, zero, NOT_APPLICABLE, "No community meetings held yet.")
        share = Decimal(round(attended * 100 / held))
        status = MET if share >= req.target else BEHIND
        note = ngettext("%(attended)d of %(held)d meeting attended.", "%(attended)d of %(held)d meetings attended.",
                        held) % {"attended": attended, "held": held}
        return Progress(req, period, share, req.target, status, note)
    actual = Decimal(values.get("hours" if req.metric == M.TRAINING_CREDIT else "submitted") or 0)
    status, expected = _status(actual, req.target, period, today)
    return Progress(req, period, actual, expected, status)


def _first_period(progress: Progress, joined_on: date | None, today: date) -> Progress:
    """The period someone joined in is their first: short of the target they are getting
    started, not behind (nor nudged, nor counted behind)."""
    if progress.status == BEHIND and joined_on is not None and progress.period.start <= joined_on <= today:
        progress.status = GETTING_STARTED
        progress.detail = " ".join(filter(None, [progress.detail, f"The first {progress.period.kind.replace('_', ' ')} "
                                                 "since joining: the target counts from the next one."]))
    return progress


def progress_for_mentor(*, user: User, program: Program, today: date | None = None) -> list[Progress]:
    """The person's progress on each active requirement of the program, in the period containing
    ``today``: two queries (the requirements, then their membership with every measure counted),
    whatever the number of requirements. Someone who is not a mentor of it has no figures."""
    requirements = _requirements(program, today or local_today(program.time_zone))
    membership = next(iter(_measured(program, requirements).raw(user.pk)), None)
    if membership is None:
        return [_progress(req, period, {}, day) for req, period, day in requirements]
    return _progress_of(membership, requirements)


# --- Coordinators ---------------------------------------------------------------------------

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
    """The program's active requirements, as the database judges the mentors of ``mentors``."""

    rules: list[Rule]
    mentors: QuerySet[Membership]

    @property
    def requirements(self) -> list[ReportingRequirement]:
        return [rule.requirement for rule in self.rules]

    def rows(self) -> QuerySet[Membership]:
        """The mentors with each requirement's status and figure, and on how many they are behind."""
        return standing.judged(self.mentors, self.rules)

    def statuses(self) -> QuerySet[Membership]:
        return self.mentors.order_by().annotate(**{rule.column("status"): rule.status() for rule in self.rules})

    @staticmethod
    def cell(rule: Rule, status: str, actual) -> Progress:
        """A cell of the table from the status and figure the database decided (as ``_progress``
        and ``_first_period`` would; the notes the mentor's own page adds are left out)."""
        if status == NOT_APPLICABLE:
            return Progress(rule.requirement, rule.period, None, Decimal(0), status)
        community = rule.requirement.metric == ReportingRequirement.Metric.COMMUNITY_ATTENDANCE
        return Progress(rule.requirement, rule.period, Decimal(actual),
                        rule.requirement.target if community else rule.expected, status)

    def row(self, m: Membership) -> ComplianceRow:
        return ComplianceRow(m.user, m.department, [
            self.cell(rule, getattr(m, rule.column("status")), getattr(m, rule.column("actual")))
            for rule in self.rules])


def _judge(*, program: Program, mentors: QuerySet[Membership], today: date | None) -> _Judged:
    """One query reads the program's active requirements; the database judges ``mentors`` against
    them in the query of the caller's choice (``standing``)."""
    today = today or local_today(program.time_zone)
    rules = [standing.rule(i, req, period, today, _expected(req.target, period, today), _measures(program, req, period))
             for i, (req, period, _) in enumerate(_requirements(program, today))]
    return _Judged(rules, mentors)


def _active_mentors(program: Program) -> QuerySet[Membership]:
    return Membership.objects.filter(program=program, role=Membership.Role.MENTOR, status=Membership.Status.ACTIVE)


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
    judged_ = _judge(program=program, mentors=_active_mentors(program), today=today)
    rows = judged_.mentors.order_by().values("pk", "user_id", "user__display_name", "user__email", "department")
    rows = rows.annotate(name_key=name_order(), **{rule.column("status"): rule.status() for rule in judged_.rules},
                         **{rule.column("actual"): rule.figure() for rule in judged_.rules})
    statuses = [rule.column("status") for rule in judged_.rules]
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
        [judged_.cell(rule, r[rule.column("status")], _number(r[rule.column("actual")])) for rule in judged_.rules],
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
    judged_ = _judge(program=program, mentors=_active_mentors(program), today=today)
    return judged_.requirements, [judged_.row(m) for m in _ordered(judged_)]


def requirement_compliance_summary(*, program: Program, today: date | None = None) -> list[dict]:
    """For the program report: per requirement, how many active mentors are on track (met or on
    track) and how many are behind. Mentors for whom it does not apply, or with no data, are left
    out. Two queries: the requirements, and the statuses counted by the database."""
    judged_ = _judge(program=program, mentors=_active_mentors(program), today=today)
    counts = judged_.statuses().aggregate(mentors=Count("pk"), **{
        f"{rule.column(kind)}": Count("pk", filter=Q(**{f"{rule.column('status')}__in": statuses}))
        for rule in judged_.rules for kind, statuses in (("on_track", (MET, ON_TRACK)), ("behind", (BEHIND,)))
    })
    summary = []
    for rule in judged_.rules:
        req, period = rule.requirement, rule.period
        summary.append({
            "requirement": req.get_metric_display(),
            "key": f"{req.pk}:{period.start:%Y-%m-%d}" if counts["mentors"] else f"{req.pk}",
            "target": f"{number(req.target)}{'%' if req.unit == '%' else ''} per {req.get_period_display().lower()}",
            "on_track": counts[rule.column("on_track")],
            "behind": counts[rule.column("behind")],
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
    judged_ = _judge(program=program, mentors=_active_mentors(program), today=today)
    if not judged_.rules:
        return []
    rows, wanted = judged_.mentors.order_by().values("user_id", "user__display_name", "user__email"), []
    for rule in judged_.rules:
        key, first, last = rule.column("shortfall"), rule.column("first"), rule.column("last")
        rows = rows.annotate(**{key: rule.shortfall()})
        rows = rows.annotate(**{
            first: Window(RowNumber(), order_by=[F(key).asc(nulls_last=True), name_order().asc(), F("user_id").asc()]),
            last: Window(RowNumber(), order_by=[F(key).desc(nulls_last=True), name_order().desc(),
                                                F("user_id").desc()]),
        })
        wanted += [(first, "<=", limit), (last, "=", 1)]
    found = standing.kept(rows, wanted)
    summary = []
    for rule in judged_.rules:
        key, first, last = rule.column("shortfall"), rule.column("first"), rule.column("last")
        behind = sorted((r for r in found if r[key] is not None), key=lambda r: r[first])
        final = next((r for r in behind if r[last] == 1), None)
        summary.append(BehindOnRequirement(rule.requirement, final[first] if final else 0, [
            # The person as the card names and links them.
            (User(pk=r["user_id"], display_name=r["user__display_name"], email=r["user__email"]),
             judged_.cell(rule, BEHIND, r[key] if isinstance(r[key], int | Decimal) else Decimal(str(r[key]))))
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
