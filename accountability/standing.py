"""Each mentor's status on each requirement, decided by the database.

The coordinator's pages sort a thousand mentors by how many requirements they are behind on,
count who is behind and pick the furthest behind. Each requirement is one correlated subquery
per mentor over the records ``progress.measures`` names (``Rule``), and Python builds the
cells of the rows a page shows from the status and figure it returns. The rules are those of
``progress._progress``, ``_status`` and ``_first_period``, written once more as SQL:
tests/accountability/test_standing.py holds the two to each other.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import connections
from django.db.models import (
    Case,
    CharField,
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Lower, Mod, NullIf, Replace
from django.db.models.lookups import Exact, GreaterThan, GreaterThanOrEqual, IsNull, LessThan

from mentorprogram.models import Membership
from toolbox.compiled import Statement
from toolbox.periods import Period

from . import sources
from .models import ReportingRequirement

MET = "met"
ON_TRACK = "on_track"
BEHIND = "behind"
NOT_APPLICABLE = "not_applicable"
NO_DATA = "no_data"
GETTING_STARTED = "getting_started"  # short of the target in the person's first period: never "behind"

DECIMAL = DecimalField(max_digits=12, decimal_places=2)
INTEGER = IntegerField()


def column(index: int, name: str) -> str:
    """The name of a requirement's column (its place among the program's requirements, and what it holds)."""
    return f"r{index}_{name}"


@dataclass(frozen=True)
class Rule:
    """One active requirement in its current period, as the database judges each mentor's row of
    an outer query of memberships against it: one correlated subquery over the mentor's records
    (``records``) whose aggregate ``actual`` is the figure a cell shows (NULL where it does not apply)."""

    index: int
    requirement: ReportingRequirement
    period: Period
    today: date
    expected: Decimal  # the share of the target the time gone by calls for (``progress.expected_by``)
    records: QuerySet
    actual: object
    attended: object = None  # community attendance: the meetings attended and held, as aggregates
    held: object = None

    def column(self, name: str) -> str:
        return column(self.index, name)

    def _judgement(self, short: str) -> Case:
        """``_status`` on ``actual``, within the subquery; ``short``: the status of a mentor short of
        what the time gone by expects."""
        M = ReportingRequirement.Metric
        hours = self.requirement.metric == M.TRAINING_CREDIT
        # Counts and shares are whole numbers: at least 2.5 is at least 3, compared as integers.
        target = Value(self.requirement.target, output_field=DECIMAL) if hours else Value(
            math.ceil(self.requirement.target), output_field=INTEGER)
        if self.requirement.metric == M.COMMUNITY_ATTENDANCE:
            return Case(When(Exact(self.held, 0), then=Value(NOT_APPLICABLE)),
                        When(_share_reaches(self.attended, self.held, math.ceil(self.requirement.target)),
                             then=Value(MET)), default=Value(short), output_field=CharField())
        whens = [When(IsNull(self.actual, True), then=Value(NOT_APPLICABLE)),
                 When(GreaterThanOrEqual(self.actual, target), then=Value(MET))]
        if self.requirement.metric != M.COMMUNITY_ATTENDANCE and self.today < self.period.end:
            whens.append(When(GreaterThanOrEqual(self.actual, Value(int(self.expected), output_field=INTEGER)),
                              then=Value(ON_TRACK)))
        return Case(*whens, default=Value(short), output_field=CharField())

    def _one(self, value, output_field) -> Subquery:
        whole = self.records.order_by().annotate(_all=Value(1)).values("_all")  # one row: no GROUP BY
        return Subquery(whole.annotate(value=value).values("value"), output_field=output_field)

    def _first_period(self) -> Q:
        """``_first_period``: the mentor joined in this period (by today)."""
        return Q(joined_on__gte=self.period.start, joined_on__lte=self.today)

    def status(self) -> Replace:
        """The status; behind in the first period is getting started (``_first_period``), said
        outside the subquery, which reads the mentor's row only in its WHERE clause."""
        short = Case(When(self._first_period(), then=Value(GETTING_STARTED)), default=Value(BEHIND))
        return Replace(self._one(self._judgement(BEHIND), CharField()), Value(BEHIND), short)

    def figure(self) -> Subquery:
        """The figure a cell shows (NULL where the requirement does not apply)."""
        output = DECIMAL if self.requirement.metric == ReportingRequirement.Metric.TRAINING_CREDIT else INTEGER
        return self._one(self.actual, output)

    def shortfall(self) -> Case:
        """The figure of a mentor behind on it (the lowest is the furthest behind), else NULL."""
        M = ReportingRequirement.Metric
        target = self.requirement.target
        if self.requirement.metric == M.TRAINING_CREDIT:
            output, bar = DECIMAL, target if self.today >= self.period.end else min(target, self.expected)
        else:  # whole numbers: short of 2.5 is short of 3
            output, bar = INTEGER, math.ceil(target)
            if self.requirement.metric != M.COMMUNITY_ATTENDANCE and self.today < self.period.end:
                bar = min(bar, int(self.expected))
        # Behind: short of the target, and of what the time gone by expects while the period lasts
        # (a NULL figure, where the requirement does not apply, is never short).
        behind = Case(When(LessThan(self.actual, Value(bar, output_field=output)), then=self.actual),
                      output_field=output)
        return Case(When(self._first_period(), then=Value(None)), default=self._one(behind, output),
                    output_field=output)


def rule(index: int, requirement: ReportingRequirement, period: Period, today: date, expected: Decimal,
         tallies: list) -> Rule:
    """The requirement's rule over the measures ``progress.measures`` defines for it."""
    M = ReportingRequirement.Metric
    metric = requirement.metric
    if metric == M.COMMUNITY_ATTENDANCE:
        records = sources.community_meetings_attended(program=requirement.program, start=period.start,
                                                      end=period.end)
        attended, held = Count("pk", filter=Q(attended=True)), Count("pk")
        return Rule(index, requirement, period, today, expected, records, _share(attended, held), attended, held)
    else:
        [tally] = tallies
        [name] = [n for n in tally.totals if n != "mentees"]  # low (NULL: no active mentee), hours or submitted
        records, actual = tally.of_mentor(), tally.totals[name]
        if metric == M.TRAINING_CREDIT:
            actual = Coalesce(actual, Value(Decimal(0)), output_field=DECIMAL)
    return Rule(index, requirement, period, today, expected, records, actual)


def _share_reaches(attended, held, target: int):
    """Whether round(attended * 100 / held) (half to even) is at least the whole number ``target``:
    whether 100·attended / held is over target − ½, or exactly that when target is even."""
    lhs, rhs = Value(200) * attended, Value(2 * target - 1) * held
    return GreaterThanOrEqual(lhs, rhs) if target % 2 == 0 else GreaterThan(lhs, rhs)


def _share(attended, held) -> ExpressionWrapper:
    """round(attended * 100 / held) as Python rounds it (half to even), a whole number; NULL when no
    meeting was held. With n = 200·attended + held, n / (2·held) is rounded half up; an exact half
    that came out odd (n is an odd multiple of 2·held: n mod 4·held = 2·held) is taken one down."""
    n = Value(200) * attended + held
    up = ExpressionWrapper(n / NullIf(Value(2) * held, Value(0)), output_field=INTEGER)  # no meeting held: NULL
    odd_half = Exact(Mod(n, NullIf(Value(4) * held, Value(0))), Value(2) * held)
    return ExpressionWrapper(up - Case(When(odd_half, then=Value(1)), default=Value(0)), output_field=INTEGER)


class CodepointOrder(Func):
    """Text compared code point by code point, as Python compares ``str`` (SQLite does already)."""

    template = "%(expressions)s"
    output_field = CharField()

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template='(%(expressions)s) COLLATE "C"', **extra)


def name_order() -> CodepointOrder:
    """A mentor membership's person as ``str(user).lower()`` sorts them."""
    return CodepointOrder(Lower(Coalesce(NullIf(F("user__display_name"), Value("")), F("user__email"))))


def _behind(rules: list[Rule]):
    return sum((Case(When(**{rule.column("status"): BEHIND}, then=Value(1)), default=Value(0),
                     output_field=INTEGER) for rule in rules), Value(0, output_field=INTEGER))


def judged(mentors: QuerySet[Membership], rules: list[Rule]) -> QuerySet[Membership]:
    """``mentors`` with each rule's ``r<i>_status`` and ``r<i>_actual`` (the figure, NULL where the
    requirement does not apply), and ``behind``: on how many requirements the mentor is behind."""
    rows = mentors.order_by().annotate(**{rule.column("status"): rule.status() for rule in rules},
                                       **{rule.column("actual"): rule.figure() for rule in rules})
    return rows.annotate(behind=_behind(rules))


def _fence(connection) -> str:
    """What keeps PostgreSQL from pulling the compiled query up into the outer one: pulled up, each
    status column the outer query reads (twice: to count and to order) runs its subquery again."""
    return " OFFSET 0" if connection.vendor == "postgresql" else ""


def kept(rows: Statement, conditions: list[tuple[str, str, object]]) -> list[dict]:
    """The rows of ``rows`` (a ``values()`` query with window functions, compiled) that meet any
    of ``conditions`` (column, comparison, value), read as dicts. The filter runs on an outer query
    over the compiled one: Django's own filtering on window functions compiles a query of this
    size twice, which costs more than the whole page otherwise does."""
    connection = connections[rows.using]
    sql, params = rows.sql, rows.params
    assert all(op in ("=", "<=") for _, op, _ in conditions)
    where = " OR ".join(f"{connection.ops.quote_name(column)} {op} %s" for column, op, _ in conditions)
    with connection.cursor() as cursor:
        # Our own column names and comparisons around Django's SQL; the values are parameters.
        fenced = f"{sql}{_fence(connection)}"
        cursor.execute(f"SELECT * FROM ({fenced}) {connection.ops.quote_name('ranked')} WHERE {where}",  # noqa: S608  # nosec B608
                       [*params, *(value for *_, value in conditions)])
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def counted(rows: Statement, statuses: list[str], kinds: dict[str, tuple[str, ...]]) -> tuple[int, list[dict]]:
    """How many rows ``rows`` (a compiled query with each requirement's status column) has, and
    for each status column how many rows hold each kind's statuses (``{"behind": (BEHIND,)}``):
    one query, counted by an outer one over the compiled one."""
    connection = connections[rows.using]
    quote = connection.ops.quote_name
    sums, params = [], []
    for column in statuses:
        for kind, values in kinds.items():
            placeholders = ", ".join(["%s"] * len(values))
            sums.append(f"COALESCE(SUM(CASE WHEN {quote(column)} IN ({placeholders}) THEN 1 ELSE 0 END), 0)"
                        f" AS {quote(column + '_' + kind)}")
            params += values
    # Our own column names around Django's SQL; the values are parameters.
    query = (f"SELECT COUNT(*) AS {quote('n_rows')}{''.join(', ' + s for s in sums)}"  # noqa: S608  # nosec B608
             f" FROM ({rows.sql}{_fence(connection)}) {quote('judged')}")
    with connection.cursor() as cursor:
        cursor.execute(query, [*params, *rows.params])
        total, *figures = cursor.fetchone()
    figures = iter(int(n) for n in figures)
    return int(total), [{kind: next(figures) for kind in kinds} for _ in statuses]


def ranked(rows: Statement, statuses: list[str], *, offset: int, limit: int) -> tuple[list[dict], dict | None]:
    """A slice of ``rows`` (a ``values()`` query with each requirement's status column and a
    ``name_key``, compiled), the most requirements behind first, then by name, each with ``behind`` (how many);
    and the counts over every row: ``mentors``, and ``behind_any`` (behind on at least one), or None
    when the slice is empty. One query: the statuses are worked out once, in the query compiled by
    Django, and counted, ordered and sliced by an outer one."""
    connection = connections[rows.using]
    quote = connection.ops.quote_name
    sql, params = rows.sql, rows.params
    behind = " + ".join(f"CASE WHEN {quote(column)} = %s THEN 1 ELSE 0 END" for column in statuses) or "0"
    # Our own column names around Django's SQL; the values are parameters.
    query = (
        f"SELECT *, COUNT(*) OVER () AS {quote('n_mentors')},"  # noqa: S608  # nosec B608
        f" SUM(CASE WHEN {quote('behind')} > 0 THEN 1 ELSE 0 END) OVER () AS {quote('n_behind')}"
        f" FROM (SELECT *, {behind} AS {quote('behind')} FROM ({sql}{_fence(connection)}) {quote('judged')})"
        f" {quote('counted')}"
        f" ORDER BY {quote('behind')} DESC, {quote('name_key')}, {quote('user_id')} LIMIT %s OFFSET %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(query, [*([BEHIND] * len(statuses)), *params, limit, offset])
        names = [column[0] for column in cursor.description]
        found = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    if not found:
        return [], None
    first = found[0]
    return found, {"mentors": int(first["n_mentors"]), "behind_any": int(first["n_behind"])}
