"""Each mentor's progress on their program's reporting requirements, in the period containing a day:
the measures the database counts for one mentor (the dashboard's card, the plan page, nudges),
and the rules that turn them into a status (``standing`` writes the same rules in SQL to judge
every mentor of a program at once)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

from django.db.models import (
    Count,
    Exists,
    F,
    Func,
    IntegerField,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.utils.translation import ngettext

from mentorprogram.models import Membership, Program, User
from toolbox.compiled import Compiled, compiled
from toolbox.periods import Period, local_today, period_containing

from . import sources, standing
from .models import (
    Mentee,
    Mentorship,
    ReportingRequirement,
)
from .standing import BEHIND, GETTING_STARTED, MET, NO_DATA, NOT_APPLICABLE, ON_TRACK

STATUS_LABELS = {
    MET: "Met", ON_TRACK: "On track", BEHIND: "Behind", NOT_APPLICABLE: "Not applicable", NO_DATA: "No data yet",
    GETTING_STARTED: "Getting started",
}
STATUS_CLASSES = {MET: "success", ON_TRACK: "info", BEHIND: "danger", NOT_APPLICABLE: "secondary",
                  NO_DATA: "secondary", GETTING_STARTED: "info"}

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
    expected = expected_by(target, period, today)
    if actual >= target:
        return MET, expected
    if actual >= expected and today < period.end:
        return ON_TRACK, expected
    return BEHIND, expected


@lru_cache(maxsize=1024)
def expected_by(target: Decimal, period: Period, today: date) -> Decimal:
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


def measures(program: Program, req: ReportingRequirement, period: Period) -> list[sources.Tally]:
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


def active_requirements(program: Program, today: date) -> list[tuple[ReportingRequirement, Period, date]]:
    """The program's active requirements as (requirement, its period containing ``today``, today): one query."""
    return [(req, period_containing(req.period, today, program.academic_year_start_month), today)
            for req in program.reporting_requirements.filter(is_active=True).order_by("metric")]


def shape(program: Program, requirements: list[tuple[ReportingRequirement, Period, date]]) -> tuple:
    """Every input of a query of the program's measures but the person: the program, its zone, and
    each requirement's metric, period and day (the targets are judged apart). ``toolbox.compiled``
    keeps such a query's SQL under it."""
    return (program.pk, program.time_zone,
            tuple((req.pk, req.metric, period, day) for req, period, day in requirements))


def _measured(program: Program, requirements: list[tuple[ReportingRequirement, Period, date]]) -> Compiled:
    """The query of one mentor's membership of the program, with every measure of ``requirements``
    counted by the database as a subquery (``r{i}_{total}``, i the requirement's place), compiled
    once per ``shape``: building it took longer than running it. Many mentors are judged by the
    database instead (``standing``)."""
    def build(user_id: int) -> QuerySet[Membership]:
        columns = {standing.column(i, name): expression
                   for i, (req, period, _) in enumerate(requirements)
                   for tally in measures(program, req, period)
                   for name, expression in tally.correlated().items()}
        return (Membership.objects.filter(program=program, role=Membership.Role.MENTOR, user_id=user_id)
                .order_by().annotate(**columns))

    return compiled(("progress", *shape(program, requirements)), build)


def _progress_of(m: Membership, columns: tuple[str, ...],
                 requirements: list[tuple[ReportingRequirement, Period, date]]) -> list[Progress]:
    """``m``'s progress on each requirement, from the measures its ``columns`` (``r{i}_{total}``) hold."""
    measured = [{} for _ in requirements]
    for column in columns:
        place, _, total = column.partition("_")
        measured[int(place.removeprefix("r"))][total] = getattr(m, column)
    return [_first_period(_progress(req, period, measured[i], day), m.joined_on, day)
            for i, (req, period, day) in enumerate(requirements)]


def _progress(req: ReportingRequirement, period: Period, values: dict, today: date) -> Progress:
    """One mentor's progress on one requirement, from the measures ``measures`` counted ({} when
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
    requirements = active_requirements(program, today or local_today(program.time_zone))
    query = _measured(program, requirements)
    membership = next(iter(query.raw(user.pk)), None)
    if membership is None:
        return [_progress(req, period, {}, day) for req, period, day in requirements]
    return _progress_of(membership, query.annotations, requirements)
